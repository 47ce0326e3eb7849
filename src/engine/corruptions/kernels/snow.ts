/**
 * Snow.
 *
 * Definition (imagecorruptions `snow`, head c959e65; no Wand since 1.0):
 *   x = float32(image) / 255
 *   layer = N(mean, std) of size H x W                                  # float64
 *   layer = clipped_zoom(layer, zoom)      # centre crop ceil(H/z) x ceil(W/z), scipy zoom order 1
 *   layer[layer < threshold] = 0; layer = clip(layer, 0, 1)
 *   layer = _motion_blur(layer, radius, sigma, angle ~ U(-135, -45))   # on the zoomed size
 *   layer = round(layer * 255) / 255, cropped to the top-left H x W
 *   x = blend * x + (1 - blend) * max(x, gray(x) * 1.5 + 0.5)         # float32, gray = cv2 RGB2GRAY
 *   y = uint8(clip(x + layer + rot180(layer), 0, 1) * 255)
 * The flakes are generated at image size (the zoom enlarges a centre crop back to about
 * H x W), so flake size in pixels does not depend on the image size.
 *
 * | severity        | 1    | 2    | 3    | 4    | 5    |
 * | mean            | 0.1  | 0.2  | 0.55 | 0.55 | 0.55 |
 * | std             | 0.3  | 0.3  | 0.3  | 0.3  | 0.3  |
 * | zoom            | 3    | 2    | 4    | 4.5  | 2.5  |
 * | threshold       | 0.5  | 0.5  | 0.9  | 0.85 | 0.85 |
 * | blur radius     | 10   | 12   | 12   | 12   | 12   |
 * | blur sigma      | 4    | 4    | 8    | 8    | 12   |
 * | blend           | 0.8  | 0.7  | 0.7  | 0.65 | 0.55 |
 *
 * Randomness: the angle from the kernel's Rng, then the normal field (only the centre
 * crop the zoom reads is drawn) from a BulkRandom seeded by it.
 */
import type { Severity } from '../../../shared/corruptions';
import type { RgbImage } from '../../images/rgb-image';
import { UNIT_F32, UNIT_F64 } from '../common/unit';
import { motionBlurRow, motionBlurTaps } from '../common/motion';
import { roundHalfEven } from '../common/numpy';
import { zoomAxis, zoomOrder1Into, zoomedLength } from '../common/zoom';
import { BulkRandom } from '../common/bulk-random';
import type { Rng } from '../../../shared/prng';
import { growF64, growU8 } from '../common/scratch';
import { outputPixels, type CorruptionKernel, type KernelOptions } from '../kernel';
import { wasmKernels, type WasmKernels } from '../wasm-backend';
import type { ZoomAxis } from '../common/zoom';

interface SnowParams {
  mean: number;
  std: number;
  zoom: number;
  threshold: number;
  radius: number;
  sigma: number;
  blend: number;
}

const PARAMS: Record<Severity, SnowParams> = {
  1: { mean: 0.1, std: 0.3, zoom: 3, threshold: 0.5, radius: 10, sigma: 4, blend: 0.8 },
  2: { mean: 0.2, std: 0.3, zoom: 2, threshold: 0.5, radius: 12, sigma: 4, blend: 0.7 },
  3: { mean: 0.55, std: 0.3, zoom: 4, threshold: 0.9, radius: 12, sigma: 8, blend: 0.7 },
  4: { mean: 0.55, std: 0.3, zoom: 4.5, threshold: 0.85, radius: 12, sigma: 8, blend: 0.65 },
  5: { mean: 0.55, std: 0.3, zoom: 2.5, threshold: 0.85, radius: 12, sigma: 12, blend: 0.55 },
};

// cv2.cvtColor(RGB2GRAY) weights for float images
const GRAY_R = Math.fround(0.299);
const GRAY_G = Math.fround(0.587);
const GRAY_B = Math.fround(0.114);

/** Size and position of the centre crop that clipped_zoom enlarges. */
export function snowCrop(width: number, height: number, severity: Severity): { top: number; left: number; height: number; width: number } {
  const zoom = PARAMS[severity].zoom;
  const ch = Math.ceil(height / zoom);
  const cw = Math.ceil(width / zoom);
  return { top: Math.floor((height - ch) / 2), left: Math.floor((width - cw) / 2), height: ch, width: cw };
}

/**
 * Buffers reused across calls (see common/scratch.ts): the crop, the zoomed layer
 * (about H x W float64 values), one blurred row, and the layer as bytes.
 */
const scratch = { crop: new Float64Array(0), zoomed: new Float64Array(0), row: new Float64Array(0), layer: new Uint8Array(0) };

/**
 * The snow layer as bytes k (the reference's values are k / 255), H x W, from standard
 * normals over the crop; into scratch.layer (valid until the next call).
 */
function snowLayer(width: number, height: number, p: SnowParams, cropNormals: Float64Array, ch: number, cw: number, angleDeg: number): Uint8Array {
  scratch.crop = growF64(scratch.crop, ch * cw);
  const crop = scratch.crop;
  for (let i = 0; i < ch * cw; i++) crop[i] = p.mean + p.std * cropNormals[i];
  const oh = zoomedLength(ch, p.zoom);
  const ow = zoomedLength(cw, p.zoom);
  const n = oh * ow;
  scratch.zoomed = growF64(scratch.zoomed, n);
  // motionBlurRow reads the array as an ow x oh image, so it gets an exact-length view.
  const zoomed = scratch.zoomed.subarray(0, n);
  zoomOrder1Into(crop, cw, 1, { top: 0, left: 0, inHeight: ch, inWidth: cw }, zoomAxis(ch, oh), zoomAxis(cw, ow), oh, ow, zoomed, ow);
  const threshold = p.threshold;
  for (let i = 0; i < n; i++) {
    const v = zoomed[i];
    zoomed[i] = v < threshold ? 0 : v > 1 ? 1 : v;
  }
  const rows = Math.min(height, oh);
  const cols = Math.min(width, ow);
  const taps = motionBlurTaps(p.radius, p.sigma, angleDeg, ow, oh);
  scratch.row = growF64(scratch.row, cols);
  const row = scratch.row.subarray(0, cols);
  // np.round(layer * 255).astype(uint8): kept as the byte, read back as byte / 255.
  scratch.layer = growU8(scratch.layer, width * height);
  const layer = scratch.layer;
  // The reference's layer is zero outside the zoomed size (never, for zooms >= 1).
  if (rows < height || cols < width) layer.fill(0, 0, width * height);
  for (let y = 0; y < rows; y++) {
    motionBlurRow(zoomed, ow, oh, 1, taps, y, row);
    const o = y * width;
    for (let x = 0; x < cols; x++) {
      const v = roundHalfEven(row[x] * 255);
      layer[o + x] = v < 0 ? 0 : v > 255 ? 255 : v;
    }
  }
  return layer;
}

/**
 * The deterministic part of snow: `cropNormals` are standard normals for the centre crop
 * (snowCrop) of the reference's H x W normal field, row-major; `angleDeg` the blur angle.
 */
export function snowFromNormals(image: RgbImage, severity: Severity, cropNormals: Float64Array, angleDeg: number, options?: KernelOptions): RgbImage {
  const wasm = wasmKernels(options?.backend);
  if (wasm) return snowWasm(wasm, image, severity, angleDeg, options, () => wasm.f64In(cropNormals));
  const { width, height, data } = image;
  const p = PARAMS[severity];
  const crop = snowCrop(width, height, severity);
  const layer = snowLayer(width, height, p, cropNormals, crop.height, crop.width, angleDeg);
  const out = outputPixels(image, options);
  // numpy multiplies a float32 array by a Python float in float32.
  const blend = Math.fround(p.blend);
  const rest = Math.fround(1 - p.blend);
  const n = width * height;
  const unit = UNIT_F32;
  for (let i = 0, o = 0; i < n; i++, o += 3) {
    const r = unit[data[o]];
    const g = unit[data[o + 1]];
    const b = unit[data[o + 2]];
    const gray = Math.fround(Math.fround(Math.fround(r * GRAY_R) + Math.fround(g * GRAY_G)) + Math.fround(b * GRAY_B));
    const lift = Math.fround(Math.fround(gray * 1.5) + 0.5);
    const flake = UNIT_F64[layer[i]];
    const rotated = UNIT_F64[layer[n - 1 - i]];
    out[o] = snowByte(r, lift, blend, rest, flake, rotated);
    out[o + 1] = snowByte(g, lift, blend, rest, flake, rotated);
    out[o + 2] = snowByte(b, lift, blend, rest, flake, rotated);
  }
  return { width, height, data: out };
}

/** One channel: uint8(clip(mix + flake + rotated flake, 0, 1) * 255), the mix in float32. */
function snowByte(v: number, lift: number, blend: number, rest: number, flake: number, rotated: number): number {
  const mixed = Math.fround(Math.fround(blend * v) + Math.fround(rest * (v > lift ? v : lift)));
  const t = mixed + flake + rotated;
  // t * 255 < 255 in the last branch, so |0 truncates like Math.trunc.
  return t <= 0 ? 0 : t >= 1 ? 255 : (t * 255) | 0;
}

/** The crop's normals, reused across calls (see common/scratch.ts). */
let normalScratch = new Float64Array(0);

export const snow: CorruptionKernel = {
  name: 'snow',
  apply(image: RgbImage, severity: Severity, rng: Rng, options?: KernelOptions): RgbImage {
    const angle = rng.uniformRange(-135, -45);
    const random = new BulkRandom(rng);
    const crop = snowCrop(image.width, image.height, severity);
    // Only the crop that the zoom reads is drawn: the rest of the reference's field is unused.
    const n = crop.height * crop.width;
    const wasm = wasmKernels(options?.backend);
    if (wasm) {
      return snowWasm(wasm, image, severity, angle, options, () => {
        const normals = wasm.alloc(n * 8);
        wasm.seed(random.state());
        wasm.k.fillNormals(normals, n);
        return normals;
      });
    }
    normalScratch = growF64(normalScratch, n);
    random.fillNormals(normalScratch, 0, n);
    return snowFromNormals(image, severity, normalScratch, angle, options);
  },
};

/** The WebAssembly twin (wasm/snow.ts); `normals` puts the crop's normals in its memory. */
function snowWasm(wasm: WasmKernels, image: RgbImage, severity: Severity, angleDeg: number, options: KernelOptions | undefined, normals: () => number): RgbImage {
  const { width, height } = image;
  const p = PARAMS[severity];
  const crop = snowCrop(width, height, severity);
  const ch = crop.height;
  const cw = crop.width;
  const oh = zoomedLength(ch, p.zoom);
  const ow = zoomedLength(cw, p.zoom);
  const taps = motionBlurTaps(p.radius, p.sigma, angleDeg, ow, oh);
  return wasm.run(image, options, (src, dst) => {
    const nrm = normals();
    const axis = (a: ZoomAxis): number[] => [wasm.i32In(a.i0), wasm.i32In(a.i1), wasm.f64In(a.w0), wasm.f64In(a.w1), wasm.bytesIn(a.zero)];
    const plans = wasm.i32In([...axis(zoomAxis(ch, oh)), ...axis(zoomAxis(cw, ow))]);
    wasm.k.snow(
      src,
      dst,
      width,
      height,
      nrm,
      ch,
      cw,
      p.mean,
      p.std,
      oh,
      ow,
      plans,
      p.threshold,
      wasm.f64In(taps.flatMap((t) => [t.dx, t.dy, t.weight])),
      taps.length,
      Math.fround(p.blend),
      Math.fround(1 - p.blend),
      wasm.alloc(ch * cw * 8),
      wasm.alloc(oh * ow * 8),
      wasm.alloc(cw * 8),
      wasm.alloc(cw * 8),
      wasm.alloc(Math.min(width, ow) * 8),
      wasm.alloc(width * height),
    );
  });
}
