import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  createEvalSetup,
  evaluate,
  evaluateImage,
  indexGroundTruth,
  loadResults,
  type CocoDetection,
  type CocoGroundTruth,
} from '../../../src/engine/cocoeval/cocoeval';
import {
  BYTES_PER_DETECTION,
  buildCellMatches,
  deserializeCellMatches,
  mergeCellMatches,
  serializeCellMatches,
  serializedSize,
  type CellMatches,
} from '../../../src/engine/analytics/cell-matches';
import { OdraError } from '../../../src/shared/errors';
import { Rng } from '../../../src/shared/prng';
import { cocoevalFixturesDir, loadCase } from '../cocoeval/fixtures';
import { randomCase } from './random-cases';

const fixturesDir = cocoevalFixturesDir();

function recordOf(gt: CocoGroundTruth, dets: CocoDetection[], imgIds?: number[]): CellMatches {
  const gtIndex = indexGroundTruth(gt);
  const setup = createEvalSetup(gt, imgIds ? { imgIds } : {});
  const ev = evaluate(gtIndex, loadResults(gtIndex, dets.filter((d) => setup.imgIndex.has(d.image_id))), setup);
  return buildCellMatches(setup, ev.images);
}

describe('building the record', () => {
  const { gt, dets } = loadCase(path.join(fixturesDir, 'edge_cases'));
  const rec = recordOf(gt, dets);

  it('keeps every evaluated image and category, ascending', () => {
    expect([...rec.imageIds]).toEqual(gt.images.map((im) => im.id).sort((a, b) => a - b));
    expect([...rec.catIds]).toEqual(gt.categories.map((c) => c.id).sort((a, b) => a - b));
    expect(rec.T).toBe(10);
    expect(rec.R).toBe(101);
    expect(rec.maxDets).toBe(100);
    expect(rec.areaRange).toEqual([0, 1e10]);
  });

  it('cuts 100 detections per image and category and drops those ignored at every threshold', () => {
    // image 518: 130 car detections, 100 kept; image 205: detections absorbed by a person
    // crowd region at every threshold are dropped; the per-category counts keep them all
    const car = rec.catIds.indexOf(3);
    const im518 = rec.imageIds.indexOf(518);
    let onImage = 0;
    for (let i = rec.catStart[car]; i < rec.catStart[car + 1]; i++) if (rec.image[i] === im518) onImage++;
    expect(onImage).toBe(100);
    expect(rec.numDets.reduce((s, n) => s + n, 0)).toBe(dets.length);
    expect(rec.D).toBeLessThan(dets.length);
  });

  it('orders each category by score, equal scores by image id', () => {
    // car TP on image 101 and car FP on image 952 share score 0.77; 952's is first in the file
    const car = rec.catIds.indexOf(3);
    const tied: number[] = [];
    for (let i = rec.catStart[car]; i < rec.catStart[car + 1]; i++) if (rec.score[i] === 0.77) tied.push(rec.imageIds[rec.image[i]]);
    expect(tied).toContain(101);
    expect(tied).toContain(952);
    expect(tied).toEqual([...tied].sort((a, b) => a - b));
  });

  it('counts non-ignored GT per image and category, crowd excluded', () => {
    const person = rec.catIds.indexOf(1);
    const im205 = rec.imageIds.indexOf(205);
    const nonCrowd205 = gt.annotations.filter((a) => a.image_id === 205 && a.category_id === 1 && !a.iscrowd).length;
    let got = 0;
    for (let g = rec.gtStart[person]; g < rec.gtStart[person + 1]; g++) if (rec.gtImage[g] === im205) got = rec.gtCount[g];
    expect(got).toBe(nonCrowd205);
    expect(rec.numGt.reduce((s, n) => s + n, 0)).toBe(gt.annotations.length);
  });

  it('is the same whether the images were evaluated at once or one by one, in any order', () => {
    const setup = createEvalSetup(gt);
    const ids = [...setup.imgIds].reverse();
    const evals = ids.map((id) =>
      evaluateImage(setup, id, gt.annotations.filter((a) => a.image_id === id), dets.filter((d) => d.image_id === id)),
    );
    expect(sameBytes(serializeCellMatches(buildCellMatches(setup, evals)), serializeCellMatches(rec))).toBe(true);
  });

  it('rejects an image given twice or outside the evaluation', () => {
    const setup = createEvalSetup(gt);
    const e = evaluateImage(setup, 952, [], dets.filter((d) => d.image_id === 952));
    expect(() => buildCellMatches(setup, [e, e])).toThrow(/image 952 is given twice/);
    const other = createEvalSetup(gt, { imgIds: [101] });
    expect(() => buildCellMatches(other, [e])).toThrow(/image 952 is not among/);
  });
});

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

/** Field by field, typed arrays compared as bytes (of the same type). */
function expectSameRecord(got: CellMatches, want: CellMatches): void {
  for (const key of Object.keys(want) as (keyof CellMatches)[]) {
    const g = got[key];
    const w = want[key];
    if (ArrayBuffer.isView(w) && ArrayBuffer.isView(g)) {
      expect([key, g.constructor.name]).toEqual([key, w.constructor.name]);
      expect([key, Buffer.from(g.buffer, g.byteOffset, g.byteLength).equals(Buffer.from(w.buffer, w.byteOffset, w.byteLength))]).toEqual([key, true]);
    } else {
      expect([key, g]).toEqual([key, w]);
    }
  }
}

describe('serialisation', () => {
  const { gt, dets } = loadCase(path.join(fixturesDir, 'yolox_kitti'));
  const rec = recordOf(gt, dets);
  const bytes = serializeCellMatches(rec);

  it('round-trips exactly', () => {
    const back = deserializeCellMatches(bytes);
    expectSameRecord(back, rec);
    expect(sameBytes(serializeCellMatches(back), bytes)).toBe(true);
  });

  it('takes 16 bytes per detection plus fixed parts', () => {
    expect(bytes.length).toBe(serializedSize(rec));
    expect(bytes.length).toBe(48 + 8 * (rec.T + rec.R + rec.K + rec.N) + 4 * (4 * rec.K + 2) + 8 * rec.P + BYTES_PER_DETECTION * rec.D);
    expect(BYTES_PER_DETECTION).toBe(16);
  });

  it('reads a record from a view into a larger buffer', () => {
    const big = new Uint8Array(bytes.length + 13);
    big.set(bytes, 5);
    expectSameRecord(deserializeCellMatches(big.subarray(5, 5 + bytes.length)), rec);
  });

  function badInputMessage(b: Uint8Array): string {
    try {
      deserializeCellMatches(b, 'cell (model 2, fog 3)');
    } catch (err) {
      expect(err).toBeInstanceOf(OdraError);
      expect((err as OdraError).code).toBe('BAD_INPUT');
      return (err as OdraError).message;
    }
    throw new Error('expected a bad-input error');
  }

  it('names the cell and the problem for a damaged blob', () => {
    expect(badInputMessage(bytes.subarray(0, 20))).toMatch(/^cell \(model 2, fog 3\): 20 bytes, shorter than/);
    expect(badInputMessage(bytes.subarray(0, bytes.length - 1))).toMatch(/bytes, the header's counts need/);
    const magic = bytes.slice();
    magic[0] = 0x58;
    expect(badInputMessage(magic)).toMatch(/bad magic/);
    const version = bytes.slice();
    version[4] = 9;
    expect(badInputMessage(version)).toMatch(/format version 9/);
    // swap the scores of a category's first two detections with different scores
    const k = [...rec.catStart].findIndex((s, i) => i < rec.K && rec.catStart[i + 1] - s >= 2 && rec.score[s] > rec.score[s + 1]);
    const scoreOffset = 48 + 8 * (rec.T + rec.R + rec.K + rec.N) + 8 * rec.catStart[k];
    const swapped = bytes.slice();
    const v = new DataView(swapped.buffer);
    const s0 = v.getFloat64(scoreOffset, true);
    v.setFloat64(scoreOffset, v.getFloat64(scoreOffset + 8, true), true);
    v.setFloat64(scoreOffset + 8, s0, true);
    expect(badInputMessage(swapped)).toMatch(/not in score order/);
  });
});

describe('shards', () => {
  function splitInto(ids: number[], parts: number, seed: number): number[][] {
    const rng = new Rng(seed);
    const out: number[][] = Array.from({ length: parts }, () => []);
    for (const id of ids) out[rng.int(0, parts)].push(id);
    return out.filter((p) => p.length > 0);
  }

  it.each(['edge_cases', 'yolox_coco_val', 'nanodet_coco_train'])('%s: merging shard records gives the whole record', (name) => {
    const { gt, dets } = loadCase(path.join(fixturesDir, name));
    const whole = recordOf(gt, dets);
    const shards = splitInto(gt.images.map((im) => im.id), 3, 5).map((ids) => recordOf(gt, dets, ids));
    expect(sameBytes(serializeCellMatches(mergeCellMatches(shards)), serializeCellMatches(whole))).toBe(true);
    expect(sameBytes(serializeCellMatches(mergeCellMatches([...shards].reverse())), serializeCellMatches(whole))).toBe(true);
  });

  it('merges random cases with equal scores across shards', () => {
    for (let seed = 1; seed <= 5; seed++) {
      const { gt, dets } = randomCase(seed, { images: 30, categories: 3, maxGt: 6, maxDets: 20, scoreLevels: 3 });
      const whole = recordOf(gt, dets);
      const shards = splitInto(gt.images.map((im) => im.id), 4, seed).map((ids) => recordOf(gt, dets, ids));
      expect(sameBytes(serializeCellMatches(mergeCellMatches(shards)), serializeCellMatches(whole))).toBe(true);
    }
  });

  it('refuses overlapping shards and other parameters', () => {
    const { gt, dets } = loadCase(path.join(fixturesDir, 'edge_cases'));
    const a = recordOf(gt, dets, [101, 205]);
    const b = recordOf(gt, dets, [205, 307]);
    expect(() => mergeCellMatches([a, b])).toThrow(/image 205 is in two parts/);
    const gtIndex = indexGroundTruth(gt);
    const setup = createEvalSetup(gt, { imgIds: [307], iouThrs: [0.5, 0.75] });
    const c = buildCellMatches(setup, evaluate(gtIndex, loadResults(gtIndex, dets.filter((d) => d.image_id === 307)), setup).images);
    expect(() => mergeCellMatches([a, c])).toThrow(/IoU thresholds differ/);
  });
});
