import { describe, expect, it } from 'vitest';
import type { RgbImage } from '../../../src/engine/images/rgb-image';
import type { AdapterConfig } from '../../../src/engine/models/adapter-config';
import { planResize, preprocess, preprocessBatch } from '../../../src/engine/models/preprocess';

type Pre = AdapterConfig['preprocessing'];

function cfg(width: number, height: number, p: Partial<Pre> = {}): Pick<AdapterConfig, 'input' | 'preprocessing'> {
  return {
    input: { name: 'x', width, height, layout: 'NCHW' },
    preprocessing: {
      resize: 'letterbox',
      align: 'center',
      padValue: 114,
      channelOrder: 'RGB',
      scale: 1,
      mean: [0, 0, 0],
      std: [1, 1, 1],
      ...p,
    },
  };
}

function image(width: number, height: number, px: (x: number, y: number) => [number, number, number]): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data.set(px(x, y), (y * width + x) * 3);
  return { width, height, data };
}

/** value of channel c at canvas (x, y) of batch item b */
function at(t: { data: Float32Array; dims: number[] }, b: number, c: number, x: number, y: number): number {
  const [, C, H, W] = t.dims;
  return t.data[((b * C + c) * H + y) * W + x];
}

describe('planResize', () => {
  it('letterboxes a wide image at the top-left or centred, and stretches', () => {
    const tl = planResize(300, 100, 96, 64, { resize: 'letterbox', align: 'top-left' });
    expect(tl).toEqual({ transform: { scaleX: 0.32, scaleY: 0.32, padLeft: 0, padTop: 0, width: 300, height: 100 }, resizedWidth: 96, resizedHeight: 32 });
    const c = planResize(300, 100, 96, 64, { resize: 'letterbox', align: 'center' });
    expect(c.transform).toMatchObject({ padLeft: 0, padTop: 16 });
    const s = planResize(300, 100, 96, 64, { resize: 'stretch', align: 'center' });
    expect(s).toEqual({ transform: { scaleX: 0.32, scaleY: 0.64, padLeft: 0, padTop: 0, width: 300, height: 100 }, resizedWidth: 96, resizedHeight: 64 });
  });

  it('rounds the new size and floors the centring offset (KITTI frame into 416 and 320)', () => {
    const k = planResize(1242, 375, 416, 416, { resize: 'letterbox', align: 'center' });
    expect([k.resizedWidth, k.resizedHeight, k.transform.padLeft, k.transform.padTop]).toEqual([416, 126, 0, 145]);
    const tall = planResize(375, 1242, 320, 320, { resize: 'letterbox', align: 'center' });
    // r = 320/1242: 375 r = 96.62 -> 97; (320 - 97) / 2 = 111.5 -> 111
    expect([tall.resizedWidth, tall.resizedHeight, tall.transform.padLeft, tall.transform.padTop]).toEqual([97, 320, 111, 0]);
  });

  it('fits any size and aspect ratio inside the canvas, touching it on one side', () => {
    const sizes = [[1, 1], [1, 1000], [1000, 1], [416, 416], [415, 417], [1242, 375], [640, 480], [7, 3], [4000, 3000], [333, 999]];
    for (const [w, h] of sizes) {
      for (const [W, H] of [[416, 416], [320, 320], [640, 384], [96, 64]]) {
        for (const align of ['top-left', 'center'] as const) {
          const p = planResize(w, h, W, H, { resize: 'letterbox', align });
          const label = `${w}x${h} -> ${W}x${H} ${align}`;
          expect(p.resizedWidth, label).toBeGreaterThanOrEqual(1);
          expect(p.resizedHeight, label).toBeGreaterThanOrEqual(1);
          expect(p.resizedWidth + p.transform.padLeft, label).toBeLessThanOrEqual(W);
          expect(p.resizedHeight + p.transform.padTop, label).toBeLessThanOrEqual(H);
          expect(p.resizedWidth === W || p.resizedHeight === H, label).toBe(true);
          expect(p.transform.scaleX).toBe(Math.min(W / w, H / h));
          if (align === 'center') {
            expect(p.transform.padLeft, label).toBe(Math.floor((W - p.resizedWidth) / 2));
            expect(p.transform.padTop, label).toBe(Math.floor((H - p.resizedHeight) / 2));
          }
        }
      }
    }
  });

  it('rejects an empty image', () => {
    expect(() => planResize(0, 10, 32, 32, { resize: 'letterbox', align: 'center' })).toThrow(/no pixels/);
  });
});

describe('preprocess', () => {
  // 6x3 into a 6x6 canvas: r = 1, so pixels are copied exactly and every value can be checked.
  const img = image(6, 3, (x, y) => [10 * x + y, 100 + x, 200 + y]);

  it('pastes pixels at the centring offset, swaps to BGR and normalises pixels and padding alike', async () => {
    const r = await preprocess(img, cfg(6, 6, { channelOrder: 'BGR', scale: 0.5, mean: [1, 2, 3], std: [2, 4, 8], padValue: 114 }));
    {
      expect(r.dims).toEqual([1, 3, 6, 6]);
      expect(r.transform).toEqual({ scaleX: 1, scaleY: 1, padLeft: 0, padTop: 1, width: 6, height: 3 });
      const norm = (v: number, c: number) => (v * 0.5 - [1, 2, 3][c]) / [2, 4, 8][c];
      for (let c = 0; c < 3; c++) {
        for (const y of [0, 4, 5]) for (let x = 0; x < 6; x++) expect(at(r, 0, c, x, y)).toBeCloseTo(norm(114, c), 6);
      }
      for (let y = 0; y < 3; y++) {
        for (let x = 0; x < 6; x++) {
          const [R, G, B] = [10 * x + y, 100 + x, 200 + y];
          expect(at(r, 0, 0, x, y + 1)).toBeCloseTo(norm(B, 0), 6);
          expect(at(r, 0, 1, x, y + 1)).toBeCloseTo(norm(G, 1), 6);
          expect(at(r, 0, 2, x, y + 1)).toBeCloseTo(norm(R, 2), 6);
        }
      }
    }
  });

  it('pastes at the top-left corner with padding on the bottom only', async () => {
    const r = await preprocess(img, cfg(6, 6, { align: 'top-left', padValue: 0 }));
    expect(r.transform.padTop).toBe(0);
    expect(at(r, 0, 0, 5, 2)).toBe(52);
    expect(at(r, 0, 2, 5, 2)).toBe(202);
    expect(at(r, 0, 0, 5, 3)).toBe(0);
  });

  it('resizes with sharp so that regions keep their colour and place (letterbox and stretch)', async () => {
    const split = image(200, 100, (x) => (x < 100 ? [255, 0, 0] : [0, 0, 255]));
    const r = await preprocess(split, cfg(64, 64, { scale: 1 / 255 }));
    expect(r.transform).toMatchObject({ scaleX: 0.32, padTop: 16 });
    // left half red, right half blue, rows 0..15 and 48..63 padding (114/255)
    expect([at(r, 0, 0, 5, 30), at(r, 0, 2, 5, 30)]).toEqual([1, 0]);
    expect([at(r, 0, 0, 60, 30), at(r, 0, 2, 60, 30)]).toEqual([0, 1]);
    expect(at(r, 0, 1, 30, 10)).toBeCloseTo(114 / 255, 6);
    expect(at(r, 0, 1, 30, 50)).toBeCloseTo(114 / 255, 6);
    const s = await preprocess(split, cfg(64, 64, { resize: 'stretch', scale: 1 / 255 }));
    expect([at(s, 0, 0, 5, 2), at(s, 0, 2, 60, 61)]).toEqual([1, 1]);
    // a uniform image stays uniform through the bilinear kernel
    const grey = await preprocess(image(37, 91, () => [77, 77, 77]), cfg(32, 32, { padValue: 77 }));
    expect(new Set(grey.data)).toEqual(new Set([77]));
  });

  it('batches images of different sizes, each with its own transform', async () => {
    const a = image(200, 100, (x, y) => [x & 255, y, 9]);
    const b = image(50, 120, (x, y) => [y, x, 200]);
    const config = cfg(64, 48, { channelOrder: 'BGR', mean: [3, 2, 1], std: [5, 6, 7] });
    const batch = await preprocessBatch([a, b], config);
    expect(batch.dims).toEqual([2, 3, 48, 64]);
    const [sa, sb] = await Promise.all([preprocess(a, config), preprocess(b, config)]);
    expect(batch.transforms).toEqual([sa.transform, sb.transform]);
    const per = 3 * 48 * 64;
    expect(Array.from(batch.data.subarray(0, per))).toEqual(Array.from(sa.data));
    expect(Array.from(batch.data.subarray(per))).toEqual(Array.from(sb.data));
  });

  it('refuses a buffer that does not hold width*height*3 bytes', async () => {
    await expect(preprocess({ width: 10, height: 10, data: new Uint8Array(299) }, cfg(32, 32))).rejects.toThrow(/299 bytes/);
  });
});
