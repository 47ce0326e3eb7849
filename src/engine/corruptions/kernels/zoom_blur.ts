/**
 * Zoom blur.
 *
 * Definition (imagecorruptions `zoom_blur` / `clipped_zoom`, head c959e65):
 *   x = float32(x / 255); out = 0 (float32)
 *   for z in zooms:
 *     ch = ceil(H / z), cw = ceil(W / z); top = (H - ch) // 2, left = (W - cw) // 2
 *     layer = scipy.ndimage.zoom(x[top:top+ch, left:left+cw], (z, z, 1), order=1)
 *     out += layer[:H, :W]                       # float32
 *   y = uint8(clip((x + out) / (len(zooms) + 1), 0, 1) * 255)   # float32
 * scipy's zoom (mode 'constant', grid_mode False) maps output index k to input
 * k * (in - 1) / (out - 1) with out = round(in * z), so each layer is the centre crop
 * stretched corner to corner, and only its top-left H x W part is kept.
 *
 * | severity | zooms (numpy arange, stop exclusive) | count |
 * | 1        | arange(1, 1.11, 0.01)                | 12    |
 * | 2        | arange(1, 1.16, 0.01)                | 16    |
 * | 3        | arange(1, 1.21, 0.02)                | 11    |
 * | 4        | arange(1, 1.26, 0.02)                | 13    |
 * | 5        | arange(1, 1.31, 0.03)                | 11    |
 *
 * Fidelity: the zoom factors are computed the way numpy's arange computes them, each layer
 * value is scipy's double sum rounded to float32, and the sums and the final division
 * are float32 like the reference, so outputs agree bit for bit except for rare ties.
 * Speed: only the kept H x W part of each layer is computed, separably (x, then y), row
 * by row for all layers at once (no image-sized float buffers besides the input); the
 * zoom-1 layer is the image itself.
 *
 * Deterministic: the rng is not used.
 */
import type { Severity } from '../../../shared/corruptions';
import { clipToByte, type RgbImage } from '../common/image';
import { UNIT_F32, zoomAxis, zoomedLength, type ZoomAxis } from '../common/filters';
import type { CorruptionKernel } from '../kernel';

/** numpy.arange(start, stop, step) for floats: length ceil((stop-start)/step), values start + i*((start+step)-start). */
export function numpyArange(start: number, stop: number, step: number): number[] {
  const length = Math.max(0, Math.ceil((stop - start) / step));
  const values: number[] = [];
  if (length > 0) values.push(start);
  if (length > 1) values.push(start + step);
  const delta = start + step - start;
  for (let i = 2; i < length; i++) values.push(start + i * delta);
  return values;
}

const ZOOMS: Record<Severity, number[]> = {
  1: numpyArange(1, 1.11, 0.01),
  2: numpyArange(1, 1.16, 0.01),
  3: numpyArange(1, 1.21, 0.02),
  4: numpyArange(1, 1.26, 0.02),
  5: numpyArange(1, 1.31, 0.03),
};

export function zoomFactors(severity: Severity): readonly number[] {
  return ZOOMS[severity];
}

/** One zoom layer, streamed: the two source rows the current output row blends, interpolated along x. */
class ZoomLayer {
  private readonly rows: ZoomAxis;
  private readonly lineA: Float64Array;
  private readonly lineB: Float64Array;
  private rowA = -1;
  private rowB = -1;
  /** per output column: offsets (x3) of the two source pixels and their weights */
  private readonly c0: Int32Array;
  private readonly c1: Int32Array;
  private readonly u0: Float64Array;
  private readonly u1: Float64Array;
  /** output rows/columns with data: scipy's zeroed samples (cval) can only be a suffix */
  private readonly validRows: number;
  private readonly validLen: number;
  readonly identity: boolean;
  private readonly top: number;

  constructor(width: number, height: number, z: number) {
    const ch = Math.ceil(height / z);
    const cw = Math.ceil(width / z);
    this.top = Math.floor((height - ch) / 2);
    const left = Math.floor((width - cw) / 2);
    const oh = zoomedLength(ch, z);
    const ow = zoomedLength(cw, z);
    // zoom 1: scipy's corner-aligned map is the identity (weights exactly 1 and 0).
    this.identity = ch === height && cw === width && oh === height && ow === width;
    this.rows = zoomAxis(ch, oh);
    const cols = zoomAxis(cw, ow);
    // A layer smaller than the image (never for z >= 1) adds to its top-left part only,
    // as the reference's ValueError fallback does.
    let validRows = Math.min(oh, height);
    while (validRows > 0 && this.rows.zero[validRows - 1]) validRows--;
    let validCols = Math.min(ow, width);
    while (validCols > 0 && cols.zero[validCols - 1]) validCols--;
    this.validRows = validRows;
    this.validLen = validCols * 3;
    this.lineA = new Float64Array(this.validLen);
    this.lineB = new Float64Array(this.validLen);
    this.c0 = new Int32Array(validCols);
    this.c1 = new Int32Array(validCols);
    this.u0 = new Float64Array(validCols);
    this.u1 = new Float64Array(validCols);
    for (let x = 0; x < validCols; x++) {
      this.c0[x] = (left + cols.i0[x]) * 3;
      this.c1[x] = (left + cols.i1[x]) * 3;
      this.u0[x] = cols.w0[x];
      this.u1[x] = cols.w1[x];
    }
  }

  /** Source row `row` of the crop at the output columns; pixels read as float32(v / 255). */
  private interpolate(src: Uint8Array, rowLen: number, row: number, line: Float64Array): void {
    const lut = UNIT_F32;
    const s = (this.top + row) * rowLen;
    const { c0, c1, u0, u1 } = this;
    const n = c0.length;
    for (let x = 0; x < n; x++) {
      const a = s + c0[x];
      const b = s + c1[x];
      const w0 = u0[x];
      const w1 = u1[x];
      const o = x * 3;
      line[o] = lut[src[a]] * w0 + lut[src[b]] * w1;
      line[o + 1] = lut[src[a + 1]] * w0 + lut[src[b + 1]] * w1;
      line[o + 2] = lut[src[a + 2]] * w0 + lut[src[b + 2]] * w1;
    }
  }

  /**
   * acc[i] += float32(layer[y][i]). scipy sums ((v*wy)*wx) over the four samples; this
   * separable sum differs from it by a few units in the last place of a double, which
   * changes the float32-rounded value only with probability ~2^-29 per value (the
   * fixtures come out bit-exact).
   */
  addRow(src: Uint8Array, rowLen: number, y: number, acc: Float32Array): void {
    if (y >= this.validRows) return;
    const r0 = this.rows.i0[y];
    const r1 = this.rows.i1[y];
    // Output rows read source rows in non-decreasing order: keep the last two lines.
    if (r0 !== this.rowA) {
      if (r0 === this.rowB) this.lineA.set(this.lineB);
      else this.interpolate(src, rowLen, r0, this.lineA);
      this.rowA = r0;
    }
    if (r1 !== this.rowB) {
      if (r1 === this.rowA) this.lineB.set(this.lineA);
      else this.interpolate(src, rowLen, r1, this.lineB);
      this.rowB = r1;
    }
    const wy0 = this.rows.w0[y];
    const wy1 = this.rows.w1[y];
    const { lineA, lineB, validLen } = this;
    for (let i = 0; i < validLen; i++) acc[i] += Math.fround(lineA[i] * wy0 + lineB[i] * wy1);
  }
}

export const zoomBlur: CorruptionKernel = {
  name: 'zoom_blur',
  apply(image: RgbImage, severity: Severity): RgbImage {
    const { width, height, data } = image;
    const lut = UNIT_F32;
    const rowLen = width * 3;
    const zooms = ZOOMS[severity];
    const layers = zooms.map((z) => new ZoomLayer(width, height, z));
    const count = zooms.length + 1;
    const acc = new Float32Array(rowLen);
    const out = new Uint8Array(data.length);
    for (let y = 0; y < height; y++) {
      acc.fill(0);
      const o = y * rowLen;
      // Layers in the reference's order: the float32 sum depends on it.
      for (const layer of layers) {
        if (layer.identity) {
          for (let i = 0; i < rowLen; i++) acc[i] += lut[data[o + i]];
        } else {
          layer.addRow(data, rowLen, y, acc);
        }
      }
      for (let i = 0; i < rowLen; i++) {
        const v = Math.fround(Math.fround(lut[data[o + i]] + acc[i]) / count);
        out[o + i] = clipToByte(Math.fround((v < 0 ? 0 : v > 1 ? 1 : v) * 255));
      }
    }
    return { width, height, data: out };
  },
};
