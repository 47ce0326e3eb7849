/**
 * Spatter (held-out corruption): water drops (severities 1-3) or mud (4-5).
 *
 * Definition (imagecorruptions `spatter`, head c959e65):
 *   x = float32(image) / 255
 *   liquid = gaussian(N(mean, std) of size H x W, sigma)      # skimage: mode 'nearest', float64
 *   liquid[liquid < threshold] = 0
 *   water (severities 1-3):
 *     l8 = uint8(liquid * 255)
 *     dist = distanceTransform(255 - Canny(l8, 50, 150), DIST_L2, 5), truncated at 20
 *     dist = equalizeHist(uint8(blur3x3(dist)))
 *     dist = float32(blur3x3(filter2D(dist, CV_8U, [[-2,-1,0],[-1,1,1],[0,1,2]])))   # emboss
 *     m = l8 * dist; m = m / max(m) * intensity                # float32
 *     y = uint8(clip(x + m * (175, 238, 238) / 255, 0, 1) * 255)  # pale turquoise, float32
 *   mud (severities 4-5):
 *     m = gaussian(float32(liquid > threshold), intensity)    # float32
 *     m[m < 0.8] = 0
 *     y = uint8(clip(x * (1 - m) + m * (63, 42, 20) / 255, 0, 1) * 255)   # brown
 * OpenCV calls use their defaults (BORDER_REFLECT_101; Canny: aperture 3, L1 gradient,
 * replicated Sobel border; box blurs round to nearest on uint8).
 *
 * | severity        | 1    | 2    | 3    | 4    | 5    |
 * | mean            | 0.65 | 0.65 | 0.65 | 0.65 | 0.67 |
 * | std             | 0.3  | 0.3  | 0.3  | 0.3  | 0.4  |
 * | sigma           | 4    | 3    | 2    | 1    | 1    |
 * | threshold       | 0.69 | 0.68 | 0.68 | 0.65 | 0.65 |
 * | intensity       | 0.6  | 0.6  | 0.5  | 1.5  | 1.5  |
 * | kind            | water| water| water| mud  | mud  |
 *
 * Edge case: when no pixel of the liquid layer survives the threshold (possible at
 * severity 1 on small images), the reference divides 0 by 0 and its output is undefined;
 * here the image is returned unchanged apart from the float32 round trip.
 *
 * Randomness: the normal field, from a BulkRandom seeded by the kernel's Rng, drawn row
 * by row as the streaming gaussian needs it.
 */
import type { Severity } from '../../../shared/corruptions';
import { type RgbImage } from '../../images/rgb-image';
import { clipToByte } from '../common/clip';
import { boxBlur3Float, boxBlur3U8, canny, distanceTransformL2Mask5, equalizeHist, filter3x3U8 } from '../common/opencv';
import { GaussianRowStream } from '../common/gaussian';
import { UNIT_F32 } from '../common/unit';
import { BulkRandom } from '../common/bulk-random';
import type { Rng } from '../../../shared/prng';
import { growF32, growU8 } from '../common/scratch';
import { outputPixels, type CorruptionKernel, type KernelOptions } from '../kernel';
import { gaussianKernel1d, gaussianRadius } from '../common/gaussian';
import { wasmKernels, type WasmKernels } from '../wasm-backend';

interface SpatterParams {
  mean: number;
  std: number;
  sigma: number;
  threshold: number;
  intensity: number;
  mud: boolean;
}

const PARAMS: Record<Severity, SpatterParams> = {
  1: { mean: 0.65, std: 0.3, sigma: 4, threshold: 0.69, intensity: 0.6, mud: false },
  2: { mean: 0.65, std: 0.3, sigma: 3, threshold: 0.68, intensity: 0.6, mud: false },
  3: { mean: 0.65, std: 0.3, sigma: 2, threshold: 0.68, intensity: 0.5, mud: false },
  4: { mean: 0.65, std: 0.3, sigma: 1, threshold: 0.65, intensity: 1.5, mud: true },
  5: { mean: 0.67, std: 0.4, sigma: 1, threshold: 0.65, intensity: 1.5, mud: true },
};

const EMBOSS = [-2, -1, 0, -1, 1, 1, 0, 1, 2];

type RowSource = (y: number, row: Float64Array) => void;

/**
 * Per-pixel planes of one call, reused across calls (see common/scratch.ts): the liquid
 * layer, and the water path's intermediate images.
 */
const scratch = {
  l8: new Uint8Array(0),
  wet: new Uint8Array(0),
  edges: new Uint8Array(0),
  d8: new Uint8Array(0),
  equalized: new Uint8Array(0),
  embossed: new Uint8Array(0),
  smoothed: new Uint8Array(0),
  dist: new Float32Array(0),
  blurred: new Float32Array(0),
};

/**
 * The liquid layer, streamed: gaussian(N(mean, std), sigma) thresholded at `threshold`,
 * into scratch.l8 as the reference's uint8(liquid * 255) (water) and scratch.wet as
 * liquid > threshold (mud); `normalRows` fills rows of standard normals.
 */
function liquidLayer(width: number, height: number, p: SpatterParams, normalRows: RowSource): void {
  const source: RowSource = (y, row) => {
    normalRows(y, row);
    for (let i = 0; i < row.length; i++) row[i] = p.mean + p.std * row[i];
  };
  const stream = new GaussianRowStream(width, height, 1, p.sigma, p.sigma, { mode: 'nearest', truncate: 4 }, source);
  const n = width * height;
  scratch.l8 = growU8(scratch.l8, n);
  scratch.wet = growU8(scratch.wet, n);
  const { l8, wet } = scratch;
  for (let y = 0; y < height; y++) {
    const row = stream.next();
    for (let x = 0; x < width; x++) {
      const v = row[x] < p.threshold ? 0 : row[x];
      const t = Math.trunc(v * 255);
      l8[y * width + x] = t < 0 ? 0 : t > 255 ? 255 : t;
      wet[y * width + x] = v > p.threshold ? 1 : 0;
    }
  }
}

/**
 * Water: the emboss image e (uint8) of the liquid layer l8; the reference's strength is
 * m = float32(l8 * e) / max(l8 * e) * intensity (see spatterStream). Returns e and the
 * maximum of the products.
 */
function waterEmboss(l8: Uint8Array, width: number, height: number): { embossed: Uint8Array; max: number } {
  const n = width * height;
  scratch.edges = growU8(scratch.edges, n);
  scratch.d8 = growU8(scratch.d8, n);
  scratch.equalized = growU8(scratch.equalized, n);
  scratch.embossed = growU8(scratch.embossed, n);
  scratch.smoothed = growU8(scratch.smoothed, n);
  scratch.dist = growF32(scratch.dist, n);
  scratch.blurred = growF32(scratch.blurred, n);
  const edges = canny(l8, width, height, 50, 150, scratch.edges);
  for (let i = 0; i < n; i++) edges[i] = 255 - edges[i];
  const dist = distanceTransformL2Mask5(edges, width, height, scratch.dist);
  for (let i = 0; i < n; i++) if (dist[i] > 20) dist[i] = 20;
  const blurred = boxBlur3Float(dist, width, height, scratch.blurred);
  const d8 = scratch.d8;
  // blurred is in [0, 20]: |0 truncates like Math.trunc.
  for (let i = 0; i < n; i++) d8[i] = blurred[i] | 0;
  const equalized = equalizeHist(d8, n, scratch.equalized);
  const embossed = boxBlur3U8(filter3x3U8(equalized, width, height, EMBOSS, scratch.embossed), width, height, scratch.smoothed);
  let max = 0;
  for (let i = 0; i < n; i++) {
    // l8 * e <= 65025 is exact in float32.
    const m = l8[i] * embossed[i];
    if (m > max) max = m;
  }
  return { embossed, max };
}

const WATER = [175, 238, 238].map((v) => Math.fround(v / 255));
const MUD = [63 / 255, 42 / 255, 20 / 255];

function spatterStream(image: RgbImage, severity: Severity, normalRows: RowSource, options?: KernelOptions): RgbImage {
  const { width, height, data } = image;
  const p = PARAMS[severity];
  liquidLayer(width, height, p, normalRows);
  const { l8, wet } = scratch;
  const n = width * height;
  const out = outputPixels(image, options);
  const lut = UNIT_F32;
  if (!p.mud) {
    const { embossed, max } = waterEmboss(l8, width, height);
    const k = Math.fround(p.intensity);
    const [w0, w1, w2] = WATER;
    for (let i = 0, o = 0; i < n; i++, o += 3) {
      // m = float32(float32(l8 * e / max) * intensity), as the reference's float32 arrays
      const m = max > 0 ? Math.fround(Math.fround((l8[i] * embossed[i]) / max) * k) : 0;
      out[o] = waterByte(lut[data[o]], Math.fround(m * w0));
      out[o + 1] = waterByte(lut[data[o + 1]], Math.fround(m * w1));
      out[o + 2] = waterByte(lut[data[o + 2]], Math.fround(m * w2));
    }
    return { width, height, data: out };
  }
  // skimage keeps the float32 mask float32: each pass rounds to float32.
  const blur = new GaussianRowStream(width, height, 1, p.intensity, p.intensity, { mode: 'nearest', truncate: 4, float32: true }, (y, row) => {
    for (let x = 0; x < width; x++) row[x] = wet[y * width + x];
  });
  for (let y = 0; y < height; y++) {
    const m = blur.next();
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      const mi = m[x] < 0.8 ? 0 : m[x];
      const keep = Math.fround(1 - mi);
      for (let c = 0; c < 3; c++) {
        const v = Math.fround(lut[data[i * 3 + c]] * keep) + MUD[c] * mi;
        out[i * 3 + c] = clipToByte((v < 0 ? 0 : v > 1 ? 1 : v) * 255);
      }
    }
  }
  return { width, height, data: out };
}

/** uint8(clip(float32(x + add), 0, 1) * 255) in float32; the product is in [0, 255], so |0 truncates. */
function waterByte(x: number, add: number): number {
  const v = Math.fround(x + add);
  return v <= 0 ? 0 : v >= 1 ? 255 : Math.fround(v * 255) | 0;
}

/** The deterministic part of spatter: `normals` are the H x W standard normals of the liquid layer. */
export function spatterFromNormals(image: RgbImage, severity: Severity, normals: Float64Array, options?: KernelOptions): RgbImage {
  const w = image.width;
  const wasm = wasmKernels(options?.backend);
  if (wasm) return spatterWasm(wasm, image, severity, options, null, normals);
  return spatterStream(image, severity, (y, row) => row.set(normals.subarray(y * w, (y + 1) * w)), options);
}

/** The WebAssembly twin (wasm/spatter.ts): normals drawn there from `random`, or the given ones. */
function spatterWasm(wasm: WasmKernels, image: RgbImage, severity: Severity, options: KernelOptions | undefined, random: BulkRandom | null, normals: Float64Array | null): RgbImage {
  const { width, height } = image;
  const p = PARAMS[severity];
  return wasm.run(image, options, (src, dst) => {
    const field = normals ? wasm.f64In(normals) : wasm.alloc(width * height * 8);
    const weights = gaussianKernel1d(p.sigma, gaussianRadius(p.sigma, 4));
    const mudWeights = gaussianKernel1d(p.intensity, gaussianRadius(p.intensity, 4));
    const tint = p.mud ? MUD : [175 / 255, 238 / 255, 238 / 255];
    if (random) wasm.seed(random.state());
    wasm.k.spatter(
      src,
      dst,
      width,
      height,
      field,
      random !== null,
      p.mean,
      p.std,
      wasm.f64In(weights),
      (weights.length - 1) >> 1,
      p.threshold,
      p.mud,
      p.intensity,
      wasm.f64In(mudWeights),
      (mudWeights.length - 1) >> 1,
      tint[0],
      tint[1],
      tint[2],
    );
  });
}

export const spatter: CorruptionKernel = {
  name: 'spatter',
  apply(image: RgbImage, severity: Severity, rng: Rng, options?: KernelOptions): RgbImage {
    const random = new BulkRandom(rng);
    const wasm = wasmKernels(options?.backend);
    if (wasm) return spatterWasm(wasm, image, severity, options, random, null);
    return spatterStream(image, severity, (_y, row) => random.fillNormals(row), options);
  },
};
