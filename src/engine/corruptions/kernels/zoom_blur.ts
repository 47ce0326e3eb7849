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
import type { RgbImage } from '../../images/rgb-image';
import { unitImage } from '../common/unit';
import { zoomAxis, zoomedLength, type ZoomAxis } from '../common/zoom';
import { growF32, growF64 } from '../common/scratch';
import { outputPixels, type CorruptionKernel, type KernelOptions } from '../kernel';
import { wasmKernels, type WasmKernels } from '../wasm-backend';

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

/** One zoom layer's sampling plan, restricted to the part the reference keeps. */
interface LayerPlan {
  rows: ZoomAxis;
  /** first row of the centre crop in the image */
  top: number;
  /** output rows / values per row with data: scipy's zeroed samples (cval) can only be a suffix */
  validRows: number;
  validLen: number;
  /** per output column: offsets (x3) of the two source pixels in a row, and their weights */
  c0: Int32Array;
  c1: Int32Array;
  u0: Float64Array;
  u1: Float64Array;
}

function layerPlan(width: number, height: number, z: number): LayerPlan | null {
  const ch = Math.ceil(height / z);
  const cw = Math.ceil(width / z);
  const top = Math.floor((height - ch) / 2);
  const left = Math.floor((width - cw) / 2);
  const oh = zoomedLength(ch, z);
  const ow = zoomedLength(cw, z);
  // zoom 1: scipy's corner-aligned map is the identity (weights exactly 1 and 0).
  if (ch === height && cw === width && oh === height && ow === width) return null;
  const rows = zoomAxis(ch, oh);
  const cols = zoomAxis(cw, ow);
  // A layer smaller than the image (never for z >= 1) adds to its top-left part only,
  // as the reference's ValueError fallback does.
  let validRows = Math.min(oh, height);
  while (validRows > 0 && rows.zero[validRows - 1]) validRows--;
  let validCols = Math.min(ow, width);
  while (validCols > 0 && cols.zero[validCols - 1]) validCols--;
  const plan: LayerPlan = {
    rows,
    top,
    validRows,
    validLen: validCols * 3,
    c0: new Int32Array(validCols),
    c1: new Int32Array(validCols),
    u0: new Float64Array(validCols),
    u1: new Float64Array(validCols),
  };
  for (let x = 0; x < validCols; x++) {
    plan.c0[x] = (left + cols.i0[x]) * 3;
    plan.c1[x] = (left + cols.i1[x]) * 3;
    plan.u0[x] = cols.w0[x];
    plan.u1[x] = cols.w1[x];
  }
  return plan;
}

/** Plans per (severity, image size): an audit sees few sizes. */
const planCache = new Map<string, (LayerPlan | null)[]>();

function layerPlans(width: number, height: number, severity: Severity): (LayerPlan | null)[] {
  const key = `${severity}:${width}x${height}`;
  let plans = planCache.get(key);
  if (!plans) {
    plans = ZOOMS[severity].map((z) => layerPlan(width, height, z));
    if (planCache.size >= 20) planCache.clear();
    planCache.set(key, plans);
  }
  return plans;
}

/** Source row s (offset into src, the image as float32(v / 255)) at the layer's output columns. */
function interpolateRow(src: Float32Array, s: number, line: Float64Array, c0: Int32Array, c1: Int32Array, u0: Float64Array, u1: Float64Array): void {
  const n = c0.length;
  let x = 0;
  let o = 0;
  // Two pixels per iteration (see blendRow).
  for (; x + 1 < n; x += 2, o += 6) {
    const a = s + c0[x];
    const b = s + c1[x];
    const w0 = u0[x];
    const w1 = u1[x];
    const a2 = s + c0[x + 1];
    const b2 = s + c1[x + 1];
    const v0 = u0[x + 1];
    const v1 = u1[x + 1];
    line[o] = src[a] * w0 + src[b] * w1;
    line[o + 1] = src[a + 1] * w0 + src[b + 1] * w1;
    line[o + 2] = src[a + 2] * w0 + src[b + 2] * w1;
    line[o + 3] = src[a2] * v0 + src[b2] * v1;
    line[o + 4] = src[a2 + 1] * v0 + src[b2 + 1] * v1;
    line[o + 5] = src[a2 + 2] * v0 + src[b2 + 2] * v1;
  }
  for (; x < n; x++, o += 3) {
    const a = s + c0[x];
    const b = s + c1[x];
    const w0 = u0[x];
    const w1 = u1[x];
    line[o] = src[a] * w0 + src[b] * w1;
    line[o + 1] = src[a + 1] * w0 + src[b + 1] * w1;
    line[o + 2] = src[a + 2] * w0 + src[b + 2] * w1;
  }
}

/**
 * acc[i] += float32(a[i] * wy0 + b[i] * wy1) for i < n. scipy sums ((v*wy)*wx) over the
 * four samples; this separable sum differs from it by a few units in the last place of a
 * double, which changes the float32-rounded value only with probability ~2^-29 per
 * value (the fixtures come out bit-exact).
 */
function blendRow(acc: Float32Array, a: Float64Array, b: Float64Array, wy0: number, wy1: number, n: number): void {
  // Unrolled by four: see common/scratch.ts on V8's per-iteration typed-array checks.
  let i = 0;
  for (; i + 3 < n; i += 4) {
    const v0 = acc[i] + Math.fround(a[i] * wy0 + b[i] * wy1);
    const v1 = acc[i + 1] + Math.fround(a[i + 1] * wy0 + b[i + 1] * wy1);
    const v2 = acc[i + 2] + Math.fround(a[i + 2] * wy0 + b[i + 2] * wy1);
    const v3 = acc[i + 3] + Math.fround(a[i + 3] * wy0 + b[i + 3] * wy1);
    acc[i] = v0;
    acc[i + 1] = v1;
    acc[i + 2] = v2;
    acc[i + 3] = v3;
  }
  for (; i < n; i++) acc[i] += Math.fround(a[i] * wy0 + b[i] * wy1);
}

/** out[o + i] = uint8(clip((x + acc) / count, 0, 1) * 255), all in float32 (see apply for the division). */
function finishRow(unit: Float32Array, acc: Float32Array, out: Uint8Array, o: number, n: number, inverse: number): void {
  let i = 0;
  for (; i + 1 < n; i += 2) {
    out[o + i] = finishValue(unit[o + i], acc[i], inverse);
    out[o + i + 1] = finishValue(unit[o + i + 1], acc[i + 1], inverse);
  }
  for (; i < n; i++) out[o + i] = finishValue(unit[o + i], acc[i], inverse);
}

function finishValue(x: number, acc: number, inverse: number): number {
  const v = Math.fround(Math.fround(x + acc) * inverse);
  // uint8(clip(v, 0, 1) * 255) in float32; the product is in [0, 255], so |0 truncates.
  return v <= 0 ? 0 : v >= 1 ? 255 : Math.fround(v * 255) | 0;
}

/** Buffers reused across calls (see common/scratch.ts): two lines per layer, and the row sum. */
let lineScratch = new Float64Array(0);
let accScratch = new Float32Array(0);

/** The WebAssembly twin (wasm/zoom_blur.ts): the same plans, passed as a descriptor table. */
function zoomBlurWasm(wasm: WasmKernels, image: RgbImage, plans: readonly (LayerPlan | null)[], options?: KernelOptions): RgbImage {
  const { width, height } = image;
  const rowLen = width * 3;
  return wasm.run(image, options, (src, dst) => {
    const desc = new Int32Array(plans.length * 13);
    plans.forEach((p, l) => {
      if (p === null) {
        desc[l * 13] = 1;
        return;
      }
      desc.set(
        [
          0,
          p.validRows,
          p.validLen,
          p.top,
          wasm.i32In(p.rows.i0),
          wasm.i32In(p.rows.i1),
          wasm.f64In(p.rows.w0),
          wasm.f64In(p.rows.w1),
          wasm.i32In(p.c0),
          wasm.i32In(p.c1),
          wasm.f64In(p.u0),
          wasm.f64In(p.u1),
          p.c0.length,
        ],
        l * 13,
      );
    });
    const layers = wasm.i32In(desc);
    const unit = wasm.alloc(image.data.length * 4);
    const lines = wasm.alloc(2 * plans.length * rowLen * 8);
    const acc = wasm.alloc(rowLen * 4);
    const state = wasm.alloc(4 * plans.length * 4);
    wasm.k.zoomBlur(src, dst, width, height, layers, plans.length, unit, lines, acc, state);
  });
}

export const zoomBlur: CorruptionKernel = {
  name: 'zoom_blur',
  apply(image: RgbImage, severity: Severity, _rng, options): RgbImage {
    const { width, height, data } = image;
    const rowLen = width * 3;
    const plans = layerPlans(width, height, severity);
    const wasm = wasmKernels(options?.backend);
    if (wasm) return zoomBlurWasm(wasm, image, plans, options);
    const count = plans.length + 1;
    lineScratch = growF64(lineScratch, 2 * plans.length * rowLen);
    accScratch = growF32(accScratch, rowLen);
    const acc = accScratch;
    // float32(v / 255) once per value instead of a table lookup per interpolation tap
    const unit = unitImage(data);
    // float32(s / count) == float32(s * (1 / count)) for a float32 s and an integer count
    // (12..17 here): the exact s / count is never closer than 1 / (2 count) float32 ulp
    // to a float32 rounding midpoint, and the product is within 2^-52 (relative) of it.
    const inverse = 1 / count;
    // Layer l's current lines: source rows rowA[l] and rowB[l] of its crop, at the
    // offsets lineA[l] and lineB[l] of the scratch (swapped rather than copied).
    const lines = lineScratch;
    const lineA = new Int32Array(plans.length);
    const lineB = new Int32Array(plans.length);
    const rowA = new Int32Array(plans.length).fill(-1);
    const rowB = new Int32Array(plans.length).fill(-1);
    for (let l = 0; l < plans.length; l++) {
      lineA[l] = 2 * l * rowLen;
      lineB[l] = (2 * l + 1) * rowLen;
    }
    const out = outputPixels(image, options);
    for (let y = 0; y < height; y++) {
      const o = y * rowLen;
      // Layers in the reference's order: the float32 sum depends on it. The sum starts at
      // 0, and 0 + x is x, so a leading zoom-1 layer just initialises it.
      if (plans[0] === null) acc.set(unit.subarray(o, o + rowLen));
      else acc.fill(0, 0, rowLen);
      for (let l = 0; l < plans.length; l++) {
        const plan = plans[l];
        if (plan === null) {
          if (l > 0) for (let i = 0; i < rowLen; i++) acc[i] += unit[o + i];
          continue;
        }
        if (y >= plan.validRows) continue;
        const r0 = plan.rows.i0[y];
        const r1 = plan.rows.i1[y];
        // Output rows read source rows in non-decreasing order: keep the last two lines.
        if (r0 !== rowA[l]) {
          if (r0 === rowB[l]) {
            const t = lineA[l];
            lineA[l] = lineB[l];
            lineB[l] = t;
            rowB[l] = -1;
          } else {
            interpolateRow(unit, (plan.top + r0) * rowLen, lines.subarray(lineA[l], lineA[l] + rowLen), plan.c0, plan.c1, plan.u0, plan.u1);
          }
          rowA[l] = r0;
        }
        if (r1 !== rowB[l]) {
          const dst = lines.subarray(lineB[l], lineB[l] + rowLen);
          if (r1 === rowA[l]) dst.set(lines.subarray(lineA[l], lineA[l] + rowLen));
          else interpolateRow(unit, (plan.top + r1) * rowLen, dst, plan.c0, plan.c1, plan.u0, plan.u1);
          rowB[l] = r1;
        }
        blendRow(
          acc,
          lines.subarray(lineA[l], lineA[l] + rowLen),
          lines.subarray(lineB[l], lineB[l] + rowLen),
          plan.rows.w0[y],
          plan.rows.w1[y],
          plan.validLen,
        );
      }
      finishRow(unit, acc, out, o, rowLen, inverse);
    }
    return { width, height, data: out };
  },
};
