/**
 * The pool's workers make the models' input tensors (pool.prepare): the same bytes as
 * preprocess.ts on the inference thread, on real images, clean and corrupted, also in
 * tensor buffers given back for reuse.
 */
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CorruptionPool } from '../../../src/engine/corruptions/pool';
import type { TensorSpec } from '../../../src/engine/corruptions/pool-protocol';
import { corruptionSeed } from '../../../src/engine/corruptions/seed';
import { decodeImage } from '../../../src/engine/images/decode';
import { preprocess } from '../../../src/engine/models/preprocess';
import { loadFixtureImage, SHARED_DIR } from './fidelity-helpers';

const bytes = (data: Float32Array): Buffer => Buffer.from(data.buffer, data.byteOffset, data.byteLength);

const SPECS: Record<string, TensorSpec> = {
  // NanoDet: centred letterbox, ImageNet mean/std on 0..255, BGR
  nanodet: {
    input: { name: 'data', width: 320, height: 320, layout: 'NCHW' },
    preprocessing: { resize: 'letterbox', align: 'center', padValue: 0, channelOrder: 'BGR', scale: 1, mean: [103.53, 116.28, 123.675], std: [57.375, 57.12, 58.395] },
  },
  // YOLOX: top-left letterbox, raw 0..255, pad 114, BGR
  yolox: {
    input: { name: 'images', width: 416, height: 416, layout: 'NCHW' },
    preprocessing: { resize: 'letterbox', align: 'top-left', padValue: 114, channelOrder: 'BGR', scale: 1, mean: [0, 0, 0], std: [1, 1, 1] },
  },
  // stretched, RGB / 255, non-square, a fractional pad value (no table entry)
  stretch: {
    input: { name: 'x', width: 352, height: 288, layout: 'NCHW' },
    preprocessing: { resize: 'stretch', align: 'top-left', padValue: 114.5, channelOrder: 'RGB', scale: 1 / 255, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] },
  },
};

describe('input tensors made in the corruption pool', () => {
  const pools: CorruptionPool[] = [];
  afterAll(async () => {
    await Promise.all(pools.map((p) => p.close()));
  });

  it('equal preprocess.ts byte for byte on real clean images, with the same transforms', async () => {
    const pool = new CorruptionPool(2);
    pools.push(pool);
    const images = [
      await loadFixtureImage('kitti_000010'),
      await decodeImage(path.join(SHARED_DIR, 'data/datasets/coco128_val2017_driving/images/000000000139.jpg')),
    ];
    const specs = Object.values(SPECS);
    for (const image of images) {
      const got = await pool.prepare(image, null, 1, 0, specs);
      expect(got.tensors).toHaveLength(specs.length);
      expect(Buffer.from(got.image.data).equals(Buffer.from(image.data))).toBe(true);
      for (const [k, spec] of specs.entries()) {
        const want = await preprocess(image, spec);
        expect(got.tensors[k].transform).toEqual(want.transform);
        expect(bytes(got.tensors[k].data).equals(bytes(want.data)), `${image.width}x${image.height} ${Object.keys(SPECS)[k]}`).toBe(true);
      }
    }
  });

  it('are made from the corrupted image: the same bytes as corrupting, then preprocessing', async () => {
    const pool = new CorruptionPool(1);
    pools.push(pool);
    const image = await loadFixtureImage('kitti_000010');
    for (const name of ['gaussian_noise', 'motion_blur', 'contrast'] as const) {
      const seed = corruptionSeed(3, 'kitti_000010', name, 4);
      const corrupted = await pool.corrupt(image, name, 4, seed);
      const got = await pool.prepare(image, name, 4, seed, [SPECS.nanodet, SPECS.yolox]);
      expect(Buffer.from(got.image.data).equals(Buffer.from(corrupted.data)), name).toBe(true);
      for (const [k, spec] of [SPECS.nanodet, SPECS.yolox].entries()) {
        const want = await preprocess(corrupted, spec);
        expect(bytes(got.tensors[k].data).equals(bytes(want.data)), `${name} spec ${k}`).toBe(true);
      }
      expect(got.preprocessMs).toBeGreaterThan(0);
    }
  });

  it('fills recycled tensor buffers again without a trace of their old values', async () => {
    const pool = new CorruptionPool(1);
    pools.push(pool);
    // a wide and a tall image: each letterbox pads where the other has pixels
    const wide = await loadFixtureImage('kitti_000010');
    const tall = { width: 120, height: 300, data: wide.data.slice(0, 120 * 300 * 3) };
    for (const spec of [SPECS.yolox, SPECS.nanodet]) {
      let previous = await pool.prepare(wide, null, 1, 0, [spec]);
      for (const image of [tall, wide, tall]) {
        const given = previous.tensors[0].data;
        pool.recycle(given.buffer);
        // the buffer moves to the worker with the next request
        const got = await pool.prepare(image, null, 1, 0, [spec]);
        expect(given.byteLength, 'the recycled buffer was handed over').toBe(0);
        const want = await preprocess(image, spec);
        expect(bytes(got.tensors[0].data).equals(bytes(want.data)), `${image.width}x${image.height}`).toBe(true);
        previous = got;
      }
    }
  });

  it('takes the caller\'s buffer without a copy when asked to, and copies it otherwise', async () => {
    const pool = new CorruptionPool(1);
    pools.push(pool);
    const image = await loadFixtureImage('kitti_000010');
    const kept = { ...image, data: image.data.slice() };
    await pool.prepare(kept, null, 1, 0, [SPECS.yolox]);
    expect(kept.data.byteLength).toBe(image.data.byteLength);
    const given = { ...image, data: image.data.slice() };
    const got = await pool.prepare(given, null, 1, 0, [SPECS.yolox], { transfer: true });
    expect(given.data.byteLength).toBe(0);
    expect(Buffer.from(got.image.data).equals(Buffer.from(image.data))).toBe(true);
  });
});
