/**
 * Pixelate (ImageNet-C / COCO-C benchmark corruption; deterministic).
 *
 * Definition (imagecorruptions `pixelate`): Pillow resize to (int(W * c), int(H * c))
 * with the BOX filter (area average), then back to (W, H) with NEAREST.
 *
 * | severity | 1 | 2 | 3 | 4 | 5 |
 * |---|---|---|---|---|---|
 * | scale c | 0.6 | 0.5 | 0.4 | 0.3 | 0.25 |
 *
 * Source: bethgelab/imagecorruptions c959e65 `imagecorruptions/corruptions.py`
 * (Michaelis et al. 2019; Hendrycks & Dietterich 2019), the published parameters.
 * common/resize.ts reproduces Pillow's fixed-point arithmetic, so outputs match the
 * reference PNGs exactly.
 *
 * Edge case: Pillow refuses a zero-sized target, which int(W * c) gives for images
 * narrower than 1 / c pixels (the reference requires >= 32 px); here the reduced size
 * is at least 1, so a tiny image becomes its mean colour instead of an error.
 */
import { outputPixels, type CorruptionKernel } from '../kernel';
import { wasmKernels } from '../wasm-backend';
import type { RgbImage } from '../../images/rgb-image';
import { BOX_FILTER, PRECISION_BITS, clip8, nearestIndices, resampleCoefficients, type Coefficients } from '../common/resize';
import { growU8 } from '../common/scratch';

export const PIXELATE_SCALE: readonly number[] = [0.6, 0.5, 0.4, 0.3, 0.25];

/**
 * The same arithmetic as common/resize.ts's resample(BOX) then resizeNearest (Pillow's),
 * without their per-call images: the reduced image lives in reused buffers (see
 * common/scratch.ts), and the upscale builds each distinct output row once and copies
 * it to the rows that repeat it (NEAREST maps about 1 / c output rows to each row).
 */
const scratch = { across: new Uint8Array(0), small: new Uint8Array(0) };

const coefficientCache = new Map<string, Coefficients>();
const indexCache = new Map<string, Int32Array>();

function boxCoefficients(inSize: number, outSize: number): Coefficients {
  const key = `${inSize}>${outSize}`;
  let c = coefficientCache.get(key);
  if (!c) {
    if (coefficientCache.size >= 64) coefficientCache.clear();
    c = resampleCoefficients(inSize, outSize, BOX_FILTER);
    coefficientCache.set(key, c);
  }
  return c;
}

function nearest(inSize: number, outSize: number): Int32Array {
  const key = `${inSize}>${outSize}`;
  let idx = indexCache.get(key);
  if (!idx) {
    if (indexCache.size >= 64) indexCache.clear();
    idx = nearestIndices(inSize, outSize);
    indexCache.set(key, idx);
  }
  return idx;
}

/** Pillow's horizontal pass (ImagingResampleHorizontal_8bpc) on RGB rows. */
function resampleRows(src: Uint8Array, width: number, height: number, outW: number, c: Coefficients, dst: Uint8Array): void {
  const { ksize, start, count, weights } = c;
  const bias = 1 << (PRECISION_BITS - 1);
  for (let y = 0; y < height; y++) {
    const row = y * width * 3;
    let o = y * outW * 3;
    for (let xx = 0; xx < outW; xx++, o += 3) {
      let a0 = bias;
      let a1 = bias;
      let a2 = bias;
      const k0 = xx * ksize;
      const n = count[xx];
      let p = row + start[xx] * 3;
      // Two taps per iteration (V8 re-validates typed arrays once per loop iteration;
      // integer sums, so the grouping does not matter).
      let x = 0;
      for (; x + 1 < n; x += 2, p += 6) {
        const w = weights[k0 + x];
        const v = weights[k0 + x + 1];
        a0 += src[p] * w + src[p + 3] * v;
        a1 += src[p + 1] * w + src[p + 4] * v;
        a2 += src[p + 2] * w + src[p + 5] * v;
      }
      if (x < n) {
        const w = weights[k0 + x];
        a0 += src[p] * w;
        a1 += src[p + 1] * w;
        a2 += src[p + 2] * w;
      }
      dst[o] = clip8(a0);
      dst[o + 1] = clip8(a1);
      dst[o + 2] = clip8(a2);
    }
  }
}

/** One row of sums for resampleColumns (see common/scratch.ts). */
let columnScratch = new Float64Array(0);

/** Pillow's vertical pass (ImagingResampleVertical_8bpc) on RGB rows of `stride` bytes. */
function resampleColumns(src: Uint8Array, stride: number, outH: number, c: Coefficients, dst: Uint8Array): void {
  const { ksize, start, count, weights } = c;
  const bias = 1 << (PRECISION_BITS - 1);
  const acc = columnScratch.length >= stride ? columnScratch : (columnScratch = new Float64Array(stride));
  // Row by row over the taps (long loops over the row): the sums are integers below
  // 2^31, exact in any order.
  for (let yy = 0; yy < outH; yy++) {
    const k0 = yy * ksize;
    const n = count[yy];
    const first = start[yy] * stride;
    const o = yy * stride;
    acc.fill(bias, 0, stride);
    for (let y = 0; y < n; y++) {
      const w = weights[k0 + y];
      const p = first + y * stride;
      for (let i = 0; i < stride; i++) acc[i] += src[p + i] * w;
    }
    for (let i = 0; i < stride; i++) dst[o + i] = clip8(acc[i]);
  }
}

/** Pillow NEAREST upscale of a w x h RGB image to width x height, into out. */
function upscaleNearest(small: Uint8Array, w: number, h: number, width: number, height: number, out: Uint8Array): void {
  const xIndex = nearest(w, width);
  const yIndex = nearest(h, height);
  const rowLen = width * 3;
  for (let y = 0; y < height; y++) {
    const o = y * rowLen;
    if (y > 0 && yIndex[y] === yIndex[y - 1]) {
      out.copyWithin(o, o - rowLen, o);
      continue;
    }
    const row = yIndex[y] * w * 3;
    for (let x = 0, q = o; x < width; x++, q += 3) {
      const p = row + xIndex[x] * 3;
      out[q] = small[p];
      out[q + 1] = small[p + 1];
      out[q + 2] = small[p + 2];
    }
  }
}

export const pixelate: CorruptionKernel = {
  name: 'pixelate',
  apply(image, severity, _rng, options): RgbImage {
    const c = PIXELATE_SCALE[severity - 1];
    if (c === undefined) throw new RangeError(`pixelate: severity must be 1..5, got ${severity}`);
    const { width, height, data } = image;
    if (width < 1 || height < 1) {
      return { width, height, data: outputPixels(image, options) };
    }
    const w = Math.max(1, Math.trunc(width * c));
    const h = Math.max(1, Math.trunc(height * c));
    const wasm = wasmKernels(options?.backend);
    if (wasm) {
      return wasm.run(image, options, (src, dst) => {
        const across = w !== width ? boxCoefficients(width, w) : null;
        const down = h !== height ? boxCoefficients(height, h) : null;
        const upload = (k: Coefficients | null): [number, number, number, number] =>
          k ? [wasm.i32In(k.start), wasm.i32In(k.count), wasm.i32In(k.weights), k.ksize] : [0, 0, 0, 0];
        wasm.k.pixelate(
          src,
          dst,
          width,
          height,
          w,
          h,
          ...upload(across),
          ...upload(down),
          wasm.i32In(nearest(w, width)),
          wasm.i32In(nearest(h, height)),
          // +4: the horizontal pass writes each pixel as 4 bytes (see wasm/pixelate.ts)
          wasm.alloc(w * height * 3 + 4),
          wasm.alloc(w * h * 3 + 4),
        );
      });
    }
    const out = outputPixels(image, options);
    // resample(): a pass is skipped when its dimension keeps its size.
    let across = data;
    if (w !== width) {
      scratch.across = growU8(scratch.across, w * height * 3);
      across = scratch.across;
      resampleRows(data, width, height, w, boxCoefficients(width, w), across);
    }
    let small = across;
    if (h !== height) {
      scratch.small = growU8(scratch.small, w * h * 3);
      small = scratch.small;
      resampleColumns(across, w * 3, h, boxCoefficients(height, h), small);
    }
    // resizeNearest(): the same size is a copy.
    if (w === width && h === height) out.set(data.subarray(0, out.length));
    else upscaleNearest(small, w, h, width, height, out);
    return { width, height, data: out };
  },
};
