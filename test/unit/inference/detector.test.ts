import { afterAll, describe, expect, it } from 'vitest';
import type { RgbImage } from '../../../src/engine/images/rgb-image';
import { Detector, extraInputTensor } from '../../../src/engine/inference/detector';
import { detectAdapter } from '../../../src/engine/models/detect-adapter';
import { inspectModelIO } from '../../../src/engine/models/inspect-io';
import { plantedOutputs, writeConstantModel, type ConstantModelSpec } from '../../helpers/onnx-builder';
import { CLASSES, EXPECTED, IMAGE, INPUT_H, INPUT_W, PLANTED } from '../models/planted-scene';

const detectors: Detector[] = [];
afterAll(async () => {
  await Promise.all(detectors.map((d) => d.dispose()));
});

async function load(spec: Partial<ConstantModelSpec>, ...rest: Parameters<typeof Detector.load> extends [string, ...infer R] ? R : never) {
  const file = await writeConstantModel({
    inputName: 'images',
    inputShape: [1, 3, INPUT_H, INPUT_W],
    outputs: plantedOutputs('yolov8', INPUT_W, INPUT_H, CLASSES, PLANTED),
    metadata: { author: 'Ultralytics', task: 'detect' },
    ...spec,
  });
  const det = await Detector.load(file, ...rest);
  detectors.push(det);
  return { det, file };
}

const rounded = (dets: { bbox: number[]; classIndex: number }[]) => dets.map((d) => [d.classIndex, ...d.bbox.map((v) => Number(v.toFixed(3)))]);

describe('Detector', () => {
  const images: RgbImage[] = [IMAGE, { width: 100, height: 300, data: new Uint8Array(100 * 300 * 3) }, { width: 50, height: 50, data: new Uint8Array(50 * 50 * 3) }];

  it('runs a dynamic-batch model in one run and a fixed-batch model once per image, with the same results', async () => {
    const { det: dynamic } = await load({ inputShape: ['batch', 3, INPUT_H, INPUT_W] });
    const { det: fixed } = await load({});
    expect(dynamic.batchSize).toBe(8);
    expect(fixed.batchSize).toBe(1);
    const a = await dynamic.detect(images);
    const b = await fixed.detect(images);
    expect(dynamic.timings.runs).toBe(1);
    expect(fixed.timings.runs).toBe(3);
    expect(dynamic.timings.images).toBe(3);
    expect(a.map(rounded)).toEqual(b.map(rounded));
    // each image is undone with its own transform: the wide one gives the hand-computed boxes
    expect(rounded(a[0])).toEqual(rounded(EXPECTED.center));
    // 100x300 into 96x64: r = 64/300, centred at x = floor((96 - 21) / 2) = 37; A's x1 = (24 - 37) / r < 0 -> clipped
    expect(a[1][0].bbox[0]).toBe(0);
    expect(await dynamic.detect([])).toEqual([]);
  });

  it('splits a dynamic batch at maxBatch', async () => {
    const { det } = await load({ inputShape: ['batch', 3, INPUT_H, INPUT_W] }, undefined, { maxBatch: 2 });
    const out = await det.detect(images);
    expect(out).toHaveLength(3);
    expect(det.timings.runs).toBe(2);
  });

  it('runs fp16 models (input and outputs converted)', async () => {
    const { det } = await load({ dtype: 'float16' });
    const [dets] = await det.detect([IMAGE]);
    expect(dets.map((d) => d.classIndex)).toEqual(EXPECTED.center.map((e) => e.classIndex));
    dets.forEach((d, k) => {
      expect(d.score).toBeCloseTo(EXPECTED.center[k].score, 2);
      d.bbox.forEach((v, j) => expect(Math.abs(v - EXPECTED.center[k].bbox[j])).toBeLessThan(0.5));
    });
  });

  it('records the execution provider it ran on, falling back to CPU with the reason', async () => {
    const { det: cpu } = await load({});
    expect([cpu.executionProvider, cpu.fallbackReason]).toEqual(['cpu', null]);
    const { det: bogus } = await load({}, undefined, { executionProvider: 'no-such-ep', threads: 1 });
    expect(bogus.executionProvider).toBe('cpu');
    expect(bogus.requestedProvider).toBe('no-such-ep');
    expect(bogus.fallbackReason).toMatch(/^no-such-ep unavailable: /);
    expect(bogus.warning).toMatch(/^execution provider 'no-such-ep' could not be used, running on CPU instead/);
    expect(cpu.warning).toBeNull();
    const { det: cuda } = await load({}, undefined, { executionProvider: 'cuda' });
    if (cuda.executionProvider === 'cpu') expect(cuda.fallbackReason).toMatch(/^cuda unavailable/);
    else expect([cuda.executionProvider, cuda.fallbackReason]).toEqual(['cuda', null]);
    expect(rounded((await bogus.detect([IMAGE]))[0])).toEqual(rounded(EXPECTED.center));
  });

  it('pipelines detectEach: results in index order, the same as detect, load errors surfaced', async () => {
    const { det } = await load({ inputShape: ['batch', 3, INPUT_H, INPUT_W] }, undefined, { maxBatch: 2, spinning: false });
    const loads: number[] = [];
    const got: [number, string][] = [];
    await det.detectEach(
      images.length,
      async (i) => {
        loads.push(i);
        return images[i];
      },
      (i, dets) => {
        got.push([i, JSON.stringify(rounded(dets))]);
      },
      { prefetch: 2 },
    );
    expect(got.map(([i]) => i)).toEqual([0, 1, 2]);
    const direct = await det.detect(images);
    expect(got.map(([, d]) => d)).toEqual(direct.map((d) => JSON.stringify(rounded(d))));
    expect([...loads].sort()).toEqual([0, 1, 2]);
    const failing = det.detectEach(3, async (i) => (i === 2 ? Promise.reject(new Error('cannot decode image 2')) : images[i]), () => undefined);
    await expect(failing).rejects.toThrow('cannot decode image 2');
  });

  it('fills a DETR pixel_mask with 1 on the letterboxed image and 0 on the padding', () => {
    const config = { input: { name: 'x', width: 6, height: 4, layout: 'NCHW' as const } } as Parameters<typeof extraInputTensor>[1];
    // a 3:1 image centred on a 6x4 canvas: 6x2 at rows 1..2
    const t = extraInputTensor({ name: 'pixel_mask', fill: 'valid-mask', type: 'int64' }, config, [{ scaleX: 0.02, scaleY: 0.02, padLeft: 0, padTop: 1, width: 300, height: 100 }]);
    expect(t.dims).toEqual([1, 4, 6]);
    expect(Array.from(t.data as BigInt64Array, Number)).toEqual([0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0]);
    const sizes = extraInputTensor({ name: 'orig_target_sizes', fill: 'canvas-size-wh', type: 'int32' }, config, [
      { scaleX: 1, scaleY: 1, padLeft: 0, padTop: 0, width: 6, height: 4 },
      { scaleX: 1, scaleY: 1, padLeft: 0, padTop: 0, width: 6, height: 4 },
    ]);
    expect([sizes.dims, Array.from(sizes.data as Int32Array)]).toEqual([[2, 2], [6, 4, 6, 4]]);
  });

  it('refuses an adapter whose input does not fit the model', async () => {
    const { file } = await load({});
    const config = detectAdapter(await inspectModelIO(file)).config;
    await expect(Detector.load(file, { ...config, input: { ...config.input, width: 128 } })).rejects.toThrow(/\[1, 3, 64, 96\] but the adapter feeds \[N, 3, 64, 128\]/);
    await expect(Detector.load(file, { ...config, input: { ...config.input, name: 'pixels' } })).rejects.toThrow(/no input 'pixels' \(inputs: images\)/);
    await expect(Detector.load(file, { ...config, postprocessing: { ...config.postprocessing, nmsIou: 2 } })).rejects.toThrow();
  });
});
