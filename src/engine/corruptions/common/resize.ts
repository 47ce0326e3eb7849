/**
 * Image resizing that reproduces Pillow (9.x) bit for bit on 8-bit RGB, because the
 * reference pixelate is defined by Pillow's `Image.resize` (BOX down, NEAREST up).
 *
 * resample(): Pillow's ImagingResample (libImaging/Resample.c): separable convolution,
 * horizontal pass first into an 8-bit intermediate, then vertical; per output sample
 * the filter is evaluated at (x + xmin - center + 0.5) / filterscale over
 * [round(center - support), round(center + support)), normalised, converted to 22-bit
 * fixed point (PRECISION_BITS = 32 - 8 - 2), accumulated from a 0.5 rounding bias and
 * clipped to 0..255. A pass is skipped when that dimension keeps its size.
 *
 * resizeNearest(): Pillow's NEAREST path (ImagingScaleAffine in libImaging/Geometry.c):
 * source coordinate = truncation of an accumulated position that starts at
 * scale / 2 and advances by scale = in / out per output pixel (the accumulation, not
 * a per-pixel product, is what Pillow does, and it decides the rounding at exact
 * halves).
 */
import { createRgb, type RgbImage } from '../../images/rgb-image';

export interface ResampleFilter {
  /** half-width of the filter at scale 1, in input pixels */
  support: number;
  weight(x: number): number;
}

/** Pillow's BOX filter (an area average when downscaling). */
export const BOX_FILTER: ResampleFilter = {
  support: 0.5,
  weight: (x) => (x > -0.5 && x <= 0.5 ? 1 : 0),
};

/** Pillow's BICUBIC filter (Keys cubic with a = -0.5). */
export const BICUBIC_FILTER: ResampleFilter = {
  support: 2,
  weight: (x) => {
    const a = -0.5;
    const t = x < 0 ? -x : x;
    if (t < 1) return ((a + 2) * t - (a + 3)) * t * t + 1;
    if (t < 2) return (((t - 5) * t + 8) * t - 4) * a;
    return 0;
  },
};

export const PRECISION_BITS = 32 - 8 - 2;

/** Pillow's per-output-sample filter taps along one axis (see resampleCoefficients). */
export interface Coefficients {
  /** taps per output sample */
  ksize: number;
  /** first input index per output sample */
  start: Int32Array;
  /** number of taps used per output sample */
  count: Int32Array;
  /** fixed-point weights, ksize per output sample */
  weights: Int32Array;
}

/** Pillow's precompute_coeffs: taps and 22-bit fixed-point weights for resizing inSize to outSize. */
export function resampleCoefficients(inSize: number, outSize: number, filter: ResampleFilter): Coefficients {
  const scale = inSize / outSize;
  const filterscale = scale < 1 ? 1 : scale;
  const support = filter.support * filterscale;
  const ksize = Math.ceil(support) * 2 + 1;
  const start = new Int32Array(outSize);
  const count = new Int32Array(outSize);
  const weights = new Int32Array(outSize * ksize);
  const k = new Float64Array(ksize);
  const ss = 1 / filterscale;
  for (let xx = 0; xx < outSize; xx++) {
    const center = (xx + 0.5) * scale;
    // C's (int) cast truncates toward zero.
    let xmin = Math.trunc(center - support + 0.5);
    if (xmin < 0) xmin = 0;
    let xmax = Math.trunc(center + support + 0.5);
    if (xmax > inSize) xmax = inSize;
    xmax -= xmin;
    let ww = 0;
    for (let x = 0; x < xmax; x++) {
      const w = filter.weight((x + xmin - center + 0.5) * ss);
      k[x] = w;
      ww += w;
    }
    for (let x = 0; x < xmax; x++) {
      const v = ww !== 0 ? k[x] / ww : k[x];
      weights[xx * ksize + x] = v < 0 ? Math.trunc(-0.5 + v * (1 << PRECISION_BITS)) : Math.trunc(0.5 + v * (1 << PRECISION_BITS));
    }
    start[xx] = xmin;
    count[xx] = xmax;
  }
  return { ksize, start, count, weights };
}

/** Pillow's clip8: the 8-bit value of a fixed-point accumulator (bias included). */
export function clip8(acc: number): number {
  if (acc >= 1 << (PRECISION_BITS + 8)) return 255;
  if (acc <= 0) return 0;
  return acc >> PRECISION_BITS;
}

function resampleHorizontal(src: RgbImage, outW: number, c: Coefficients): RgbImage {
  const out = createRgb(outW, src.height);
  const s = src.data;
  const o = out.data;
  const { ksize, start, count, weights } = c;
  for (let y = 0; y < src.height; y++) {
    const row = y * src.width * 3;
    const orow = y * outW * 3;
    for (let xx = 0; xx < outW; xx++) {
      let a0 = 1 << (PRECISION_BITS - 1);
      let a1 = a0;
      let a2 = a0;
      const kOff = xx * ksize;
      let p = row + start[xx] * 3;
      for (let x = 0; x < count[xx]; x++, p += 3) {
        const w = weights[kOff + x];
        a0 += s[p] * w;
        a1 += s[p + 1] * w;
        a2 += s[p + 2] * w;
      }
      o[orow + xx * 3] = clip8(a0);
      o[orow + xx * 3 + 1] = clip8(a1);
      o[orow + xx * 3 + 2] = clip8(a2);
    }
  }
  return out;
}

function resampleVertical(src: RgbImage, outH: number, c: Coefficients): RgbImage {
  const out = createRgb(src.width, outH);
  const s = src.data;
  const o = out.data;
  const stride = src.width * 3;
  const { ksize, start, count, weights } = c;
  for (let yy = 0; yy < outH; yy++) {
    const kOff = yy * ksize;
    const orow = yy * stride;
    for (let i = 0; i < stride; i++) {
      let acc = 1 << (PRECISION_BITS - 1);
      let p = start[yy] * stride + i;
      for (let y = 0; y < count[yy]; y++, p += stride) acc += s[p] * weights[kOff + y];
      o[orow + i] = clip8(acc);
    }
  }
  return out;
}

/** Pillow `Image.resize(size, filter)` for 8-bit RGB with a convolution filter (BOX, BICUBIC). */
export function resample(src: RgbImage, outW: number, outH: number, filter: ResampleFilter): RgbImage {
  if (!(outW >= 1 && outH >= 1 && Number.isInteger(outW) && Number.isInteger(outH))) {
    throw new RangeError(`resample: target size must be positive integers, got ${outW}x${outH}`);
  }
  if (src.width < 1 || src.height < 1) throw new RangeError('resample: empty source image');
  // Pillow's integer accumulators hold sum(byte * weight) + bias; with weights summing
  // to 2^22 this stays below 2^31 for non-negative filters. JS numbers are exact here.
  let img = src;
  if (outW !== img.width) img = resampleHorizontal(img, outW, resampleCoefficients(img.width, outW, filter));
  if (outH !== img.height) img = resampleVertical(img, outH, resampleCoefficients(img.height, outH, filter));
  return img === src ? { width: src.width, height: src.height, data: new Uint8Array(src.data) } : img;
}

/** Pillow `Image.resize(size, Image.NEAREST)` for 8-bit RGB. */
export function resizeNearest(src: RgbImage, outW: number, outH: number): RgbImage {
  if (!(outW >= 1 && outH >= 1 && Number.isInteger(outW) && Number.isInteger(outH))) {
    throw new RangeError(`resizeNearest: target size must be positive integers, got ${outW}x${outH}`);
  }
  if (src.width < 1 || src.height < 1) throw new RangeError('resizeNearest: empty source image');
  if (outW === src.width && outH === src.height) {
    return { width: src.width, height: src.height, data: new Uint8Array(src.data) };
  }
  const xIndex = nearestIndices(src.width, outW);
  const yIndex = nearestIndices(src.height, outH);
  const out = createRgb(outW, outH);
  const s = src.data;
  const o = out.data;
  for (let y = 0; y < outH; y++) {
    const row = yIndex[y] * src.width * 3;
    let q = y * outW * 3;
    for (let x = 0; x < outW; x++, q += 3) {
      const p = row + xIndex[x] * 3;
      o[q] = s[p];
      o[q + 1] = s[p + 1];
      o[q + 2] = s[p + 2];
    }
  }
  return out;
}

/** Pillow NEAREST's source index per output index along one axis (see the header). */
export function nearestIndices(inSize: number, outSize: number): Int32Array {
  const scale = inSize / outSize;
  const idx = new Int32Array(outSize);
  let pos = scale * 0.5;
  for (let i = 0; i < outSize; i++) {
    // Pillow skips positions outside the source (leaving them black); with a scale
    // of in / out they never fall outside, but clamp rather than read out of range.
    const v = pos < 0 ? 0 : Math.trunc(pos);
    idx[i] = v >= inSize ? inSize - 1 : v;
    pos += scale;
  }
  return idx;
}
