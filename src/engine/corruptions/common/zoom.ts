/**
 * scipy.ndimage.zoom(order=1, mode='constant', grid_mode=False), reproduced in float64:
 * output index k of an axis reads input coordinate k * (in - 1) / (out - 1) (corner-
 * aligned), out = round(in * zoom) (Python's round), linear interpolation between the two
 * neighbouring samples, and cval 0 where rounding pushes a coordinate past the last
 * sample. Each value is ((v * wy) * wx) summed over the four samples in scipy's order;
 * a Float32Array output rounds it to float32 as scipy's float32 output does.
 *
 * Inputs: interleaved images (row-major, `channels` values per pixel) of float64, float32
 * or 8-bit values; zoom_blur and snow use it.
 *
 * Sources: scipy 1.10 scipy/ndimage/_interpolation.py (zoom), scipy/ndimage/src/
 * ni_interpolation.c (NI_ZoomShift: zoom factors, the edge mirroring of the second
 * sample, the constant-mode test).
 */
import { borderIndex } from './border';
import { roundHalfEven, type NumericArray } from './numpy';

/** One axis of scipy's zoom(order=1, mode='constant'): source indices and weights per output index. */
export interface ZoomAxis {
  outLen: number;
  /** first source index (after scipy's edge mirroring) */
  i0: Int32Array;
  /** second source index */
  i1: Int32Array;
  w0: Float64Array;
  w1: Float64Array;
  /** 1 where scipy's constant mode gives cval (coordinate past the last sample by rounding) */
  zero: Uint8Array;
}


/** Output length of scipy.ndimage.zoom along an axis of inLen samples. */
export function zoomedLength(inLen: number, zoom: number): number {
  return roundHalfEven(inLen * zoom);
}

/**
 * The sampling plan of scipy.ndimage.zoom(order=1, mode='constant', grid_mode=False):
 * output index k reads input coordinate k * (inLen - 1) / (outLen - 1) (corner-aligned).
 * A coordinate that rounding puts past inLen - 1 yields cval (0), exactly as scipy does.
 */
export function zoomAxis(inLen: number, outLen: number): ZoomAxis {
  const zoom = outLen - 1 !== 0 ? (inLen - 1) / (outLen - 1) : 1;
  const plan: ZoomAxis = {
    outLen,
    i0: new Int32Array(outLen),
    i1: new Int32Array(outLen),
    w0: new Float64Array(outLen),
    w1: new Float64Array(outLen),
    zero: new Uint8Array(outLen),
  };
  for (let k = 0; k < outLen; k++) {
    const cc = k * zoom;
    if (cc > inLen - 1) {
      plan.zero[k] = 1;
      continue;
    }
    const start = Math.floor(cc);
    const w0 = 1 - (cc - start);
    plan.i0[k] = start;
    plan.i1[k] = start + 1 < inLen ? start + 1 : borderIndex(start + 1, inLen, 'mirror');
    plan.w0[k] = w0;
    plan.w1[k] = 1 - w0;
  }
  return plan;
}

export interface ZoomRegion {
  /** first input row and column of the zoomed region in src */
  top: number;
  left: number;
  /** size of the zoomed region */
  inHeight: number;
  inWidth: number;
}

/**
 * scipy.ndimage.zoom(src[top:top+inHeight, left:left+inWidth], (zoom, zoom, 1), order=1)
 * restricted to its first `rows` x `cols` output samples (the reference crops the rest).
 * Each value is ((v*wy)*wx) summed over the four samples in scipy's order; a Float32Array
 * `out` rounds it to float32 as scipy's float32 output does.
 */
export function zoomOrder1Into(
  src: NumericArray,
  srcWidth: number,
  channels: number,
  region: ZoomRegion,
  rowsPlan: ZoomAxis,
  colsPlan: ZoomAxis,
  rows: number,
  cols: number,
  out: Float64Array | Float32Array,
  outWidth: number,
): void {
  const { top, left, inWidth } = region;
  const rowLen = inWidth * channels;
  const a = new Float64Array(rowLen);
  const b = new Float64Array(rowLen);
  const srcRowLen = srcWidth * channels;
  for (let y = 0; y < rows; y++) {
    const o = y * outWidth * channels;
    if (rowsPlan.zero[y]) {
      out.fill(0, o, o + cols * channels);
      continue;
    }
    const s0 = (top + rowsPlan.i0[y]) * srcRowLen + left * channels;
    const s1 = (top + rowsPlan.i1[y]) * srcRowLen + left * channels;
    const wy0 = rowsPlan.w0[y];
    const wy1 = rowsPlan.w1[y];
    // (v * wy) once per source value of the two rows, then * wx per output.
    for (let i = 0; i < rowLen; i++) {
      a[i] = src[s0 + i] * wy0;
      b[i] = src[s1 + i] * wy1;
    }
    for (let x = 0; x < cols; x++) {
      const q = o + x * channels;
      if (colsPlan.zero[x]) {
        for (let c = 0; c < channels; c++) out[q + c] = 0;
        continue;
      }
      const p0 = colsPlan.i0[x] * channels;
      const p1 = colsPlan.i1[x] * channels;
      const u0 = colsPlan.w0[x];
      const u1 = colsPlan.w1[x];
      for (let c = 0; c < channels; c++) {
        out[q + c] = a[p0 + c] * u0 + a[p1 + c] * u1 + b[p0 + c] * u0 + b[p1 + c] * u1;
      }
    }
  }
}
