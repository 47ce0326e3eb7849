import { describe, expect, it } from 'vitest';
import { imagePrecisionRecall, matchCounts } from '../../../../src/renderer/src/view-models/match-style';
import { parseCount, providerOptions } from '../../../../src/renderer/src/view-models/providers';

describe('providerOptions', () => {
  it('offers CPU first, the bundled providers plainly and the others with the runtime they need', () => {
    const options = providerOptions(['cpu', 'webgpu', 'cuda', 'tensorrt'], ['cpu', 'webgpu']);
    expect(options.map((o) => [o.value, o.label, o.bundled])).toEqual([
      ['cpu', 'CPU', true],
      ['webgpu', 'WebGPU', true],
      ['cuda', 'CUDA (needs CUDA runtime)', false],
      ['tensorrt', 'TensorRT (needs TensorRT runtime)', false],
    ]);
  });

  it('always has CPU, and names unknown providers as they are', () => {
    expect(providerOptions(['dml'], []).map((o) => [o.value, o.label])).toEqual([
      ['cpu', 'CPU'],
      ['dml', 'DirectML (needs its runtime installed)'],
    ]);
  });
});

describe('parseCount', () => {
  it('empty is the default; whole numbers in range pass; the rest is named', () => {
    expect(parseCount('', 256)).toBeUndefined();
    expect(parseCount(' 8 ', 256)).toBe(8);
    expect(parseCount('0', 256)).toEqual({ error: 'between 1 and 256' });
    expect(parseCount('300', 256)).toEqual({ error: 'between 1 and 256' });
    expect(parseCount('2.5', 256)).toEqual({ error: 'a whole number' });
    expect(parseCount('-1', 256)).toEqual({ error: 'a whole number' });
  });
});

describe('match counts', () => {
  const box = [0, 0, 1, 1] as [number, number, number, number];
  it('counts TP, FP, FN (missed GT) and ignored detections; precision and recall of the image', () => {
    const c = matchCounts({
      detections: [
        { bbox: box, score: 0.9, categoryId: 1, status: 'tp', gtId: 1 },
        { bbox: box, score: 0.8, categoryId: 1, status: 'fp' },
        { bbox: box, score: 0.7, categoryId: 1, status: 'ignored', gtId: 3 },
      ],
      groundTruth: [
        { id: 1, bbox: box, categoryId: 1, iscrowd: false, status: 'matched' },
        { id: 2, bbox: box, categoryId: 1, iscrowd: false, status: 'missed' },
        { id: 3, bbox: box, categoryId: 1, iscrowd: true, status: 'crowd' },
        { id: 4, bbox: box, categoryId: 5, iscrowd: false, status: 'excluded' },
      ],
    });
    expect(c).toEqual({ tp: 1, fp: 1, ignored: 1, fn: 1 });
    expect(imagePrecisionRecall(c)).toEqual({ precision: 0.5, recall: 0.5 });
    expect(imagePrecisionRecall({ tp: 0, fp: 0, fn: 0, ignored: 2 })).toEqual({ precision: null, recall: null });
  });
});
