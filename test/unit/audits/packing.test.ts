import { describe, expect, it } from 'vitest';
import { packDetections, packedCount, packedSize, unpackDetections, type RawDetection } from '../../../src/engine/audits/packing';

describe('packed raw detections', () => {
  it('round-trips boxes and scores as float32 and class indices exactly, in order', () => {
    const dets: RawDetection[] = [
      { bbox: [10.25, 20.5, 30, 40], score: 0.875, classIndex: 2 },
      { bbox: [0.1, 1 / 3, 1241.9999, 374.123456789], score: 0.0012345678, classIndex: 79 },
      { bbox: [5, 6, 7, 8], score: 0.5, classIndex: 65535 },
    ];
    const blob = packDetections(dets);
    expect(blob.byteLength).toBe(5 + 22 * 3);
    expect(packedSize(3)).toBe(blob.byteLength);
    expect(packedCount(blob)).toBe(3);
    const back = unpackDetections(blob);
    expect(back.map((d) => d.classIndex)).toEqual([2, 79, 65535]);
    back.forEach((d, i) => {
      expect(d.bbox).toEqual(dets[i].bbox.map((v) => Math.fround(v)));
      expect(d.score).toBe(Math.fround(dets[i].score));
    });
    // exact values survive bit for bit
    expect(back[0].bbox).toEqual([10.25, 20.5, 30, 40]);
    // packing what was unpacked gives the same bytes
    expect(packDetections(back)).toEqual(blob);
  });

  it('stores an empty unit in 5 bytes', () => {
    const blob = packDetections([]);
    expect(blob.byteLength).toBe(5);
    expect(unpackDetections(blob)).toEqual([]);
  });

  it('reads the same bytes from a view into a larger buffer (as SQLite hands them back)', () => {
    const blob = packDetections([{ bbox: [1, 2, 3, 4], score: 0.25, classIndex: 7 }]);
    const big = new Uint8Array(blob.byteLength + 11);
    big.set(blob, 3);
    expect(unpackDetections(big.subarray(3, 3 + blob.byteLength))).toEqual([{ bbox: [1, 2, 3, 4], score: 0.25, classIndex: 7 }]);
  });

  it('refuses class indices it cannot store and records it cannot read', () => {
    expect(() => packDetections([{ bbox: [1, 2, 3, 4], score: 0.5, classIndex: 70000 }])).toThrow(/class index 70000/);
    expect(() => packDetections([{ bbox: [1, 2, 3, 4], score: 0.5, classIndex: -1 }])).toThrow(/class index -1/);
    const blob = packDetections([{ bbox: [1, 2, 3, 4], score: 0.5, classIndex: 1 }]);
    expect(() => unpackDetections(blob.subarray(0, 10))).toThrow(/10 bytes for 1 detections/);
    const other = blob.slice();
    other[0] = 9;
    expect(() => unpackDetections(other)).toThrow(/version 9/);
    expect(() => unpackDetections(new Uint8Array(3))).toThrow(/too short/);
  });
});
