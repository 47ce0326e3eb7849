/**
 * Glass blur.
 *
 * Definition (imagecorruptions `glass_blur`, head c959e65 with the numba shuffle):
 *   x = uint8(gaussian(x / 255, sigma) * 255)
 *   repeat `iterations` times:
 *     for h = H - d down to d + 1, for w = W - d down to d + 1:
 *       (dx, dy) = randint(-d, d, size=2)          # in [-d, d - 1]
 *       x[h, w] = x[h + dy, w + dx]                 # all three channels
 *   y = uint8(clip(gaussian(x / 255, sigma), 0, 1) * 255)
 * gaussian = skimage.filters.gaussian (scipy gaussian_filter, truncate 4, mode 'nearest',
 * not across channels). The reference's tuple "swap"
 * `x[h, w], x[h', w'] = x[h', w'], x[h, w]` assigns through array views, so it is a copy,
 * not a swap (numba and pure numpy agree byte for byte, see the fixtures' README); the
 * sweep runs bottom-right to top-left and may read pixels it already moved. Both are
 * reproduced here because they shape the texture.
 *
 * | severity          | 1   | 2   | 3 | 4   | 5   |
 * | sigma             | 0.7 | 0.9 | 1 | 1.1 | 1.5 |
 * | max_delta d       | 1   | 2   | 2 | 3   | 4   |
 * | iterations        | 2   | 1   | 3 | 2   | 2   |
 *
 * Randomness: the offsets come from a BulkRandom seeded by the kernel's Rng, several per
 * 32-bit draw, exactly uniform (see uniformOffsets).
 */
import type { Severity } from '../../../shared/corruptions';
import type { RgbImage } from '../../images/rgb-image';
import { gaussianBlurBytes } from './gaussian_blur';
import { BulkRandom } from '../common/bulk-random';
import type { Rng } from '../../../shared/prng';
import { growU8 } from '../common/scratch';
import { outputPixels, type CorruptionKernel, type KernelOptions } from '../kernel';
import { gaussianKernel1d, gaussianRadius } from '../common/gaussian';
import { wasmKernels, type WasmKernels } from '../wasm-backend';

const PARAMS: Record<Severity, { sigma: number; delta: number; iterations: number }> = {
  1: { sigma: 0.7, delta: 1, iterations: 2 },
  2: { sigma: 0.9, delta: 2, iterations: 1 },
  3: { sigma: 1, delta: 2, iterations: 3 },
  4: { sigma: 1.1, delta: 3, iterations: 2 },
  5: { sigma: 1.5, delta: 4, iterations: 2 },
};

/** Fills `out` with offset indices in [0, span), two per pixel (dx, dy), for one row of the sweep. */
export type OffsetSource = (out: Uint8Array) => void;

/**
 * The reference's local pixel "shuffle" (copy semantics, reverse raster order), in place.
 * For each swept row, `offsets` supplies 2 values in [0, 2 delta) per pixel: dx, then dy.
 */
export function shufflePixels(x: Uint8Array, width: number, height: number, delta: number, iterations: number, offsets: OffsetSource): void {
  const count = width - 2 * delta;
  if (count <= 0) return;
  const buf = new Uint8Array(2 * count);
  // Source minus destination offset for every (dx, dy) pair of offset indices.
  const span = 2 * delta;
  const move = new Int32Array(span * span);
  for (let i = 0; i < span; i++) for (let j = 0; j < span; j++) move[i * span + j] = ((j - delta) * width + (i - delta)) * 3;
  for (let it = 0; it < iterations; it++) {
    for (let h = height - delta; h > delta; h--) {
      offsets(buf);
      let dst = (h * width + width - delta) * 3;
      let k = 0;
      // Two pixels per iteration, strictly in sweep order (a pixel may read one just
      // written); V8 re-validates the typed arrays once per iteration (common/scratch.ts).
      for (; k + 3 < 2 * count; k += 4, dst -= 6) {
        const src = dst + move[buf[k] * span + buf[k + 1]];
        x[dst] = x[src];
        x[dst + 1] = x[src + 1];
        x[dst + 2] = x[src + 2];
        const src2 = dst - 3 + move[buf[k + 2] * span + buf[k + 3]];
        x[dst - 3] = x[src2];
        x[dst - 2] = x[src2 + 1];
        x[dst - 1] = x[src2 + 2];
      }
      for (; k < 2 * count; k += 2, dst -= 3) {
        const src = dst + move[buf[k] * span + buf[k + 1]];
        x[dst] = x[src];
        x[dst + 1] = x[src + 1];
        x[dst + 2] = x[src + 2];
      }
    }
  }
}

/** The first blur, shuffled in place; reused across calls (see common/scratch.ts). */
let blurredScratch = new Uint8Array(0);

/** The deterministic part of glass_blur, with the offsets supplied by `offsets` (see shufflePixels). */
export function glassBlurWithOffsets(image: RgbImage, severity: Severity, offsets: OffsetSource, options?: KernelOptions): RgbImage {
  const { width, height } = image;
  const p = PARAMS[severity];
  const wasm = wasmKernels(options?.backend);
  if (wasm) {
    // Every row's offsets up front, in sweep order (the module reads them in that order).
    const count = width - 2 * p.delta;
    const rows = Math.max(0, height - 2 * p.delta);
    const all = new Uint8Array(count > 0 ? p.iterations * rows * 2 * count : 0);
    for (let at = 0; at < all.length; at += 2 * count) offsets(all.subarray(at, at + 2 * count));
    return glassBlurWasm(wasm, image, severity, options, () => wasm.bytesIn(all));
  }
  blurredScratch = growU8(blurredScratch, width * height * 3);
  const x = gaussianBlurBytes(image.data, width, height, p.sigma, blurredScratch);
  shufflePixels(x, width, height, p.delta, p.iterations, offsets);
  return { width, height, data: gaussianBlurBytes(x, width, height, p.sigma, outputPixels(image, options)) };
}

/** The WebAssembly twin (wasm/glass_blur.ts); `offsets` returns a pointer to precomputed offsets, or 0 to draw them there. */
function glassBlurWasm(wasm: WasmKernels, image: RgbImage, severity: Severity, options: KernelOptions | undefined, offsets: () => number): RgbImage {
  const { width, height } = image;
  const p = PARAMS[severity];
  return wasm.run(image, options, (src, dst) => {
    const weights = gaussianKernel1d(p.sigma, gaussianRadius(p.sigma, 4));
    const o = offsets();
    const span = 2 * p.delta;
    wasm.k.glassBlur(
      src,
      dst,
      width,
      height,
      wasm.f64In(weights),
      (weights.length - 1) >> 1,
      p.delta,
      p.iterations,
      o,
      wasm.alloc(image.data.length),
      wasm.alloc(2 * Math.max(0, width - span)),
      wasm.alloc(span * span * 4),
    );
  });
}

/**
 * Uniform integers in [0, span) for span <= 256: each 32-bit draw is cut into
 * ceil(log2 span)-bit chunks, and chunks >= span are rejected (exactly uniform, like
 * numpy's masked rejection, but ~10 values per draw instead of one).
 */
export function uniformOffsets(random: BulkRandom, span: number): OffsetSource {
  let bits = 1;
  while (1 << bits < span) bits++;
  const mask = (1 << bits) - 1;
  const perDraw = Math.floor(32 / bits);
  // A power-of-two span rejects nothing: whole words are unpacked without the checks.
  const exact = 1 << bits === span;
  return (out) => {
    const n = out.length;
    let word = 0;
    let left = 0;
    let i = 0;
    if (exact) {
      for (; i + perDraw <= n; ) {
        word = random.nextInt32();
        for (let k = 0; k < perDraw; k++) {
          out[i++] = word & mask;
          word >>>= bits;
        }
      }
    }
    while (i < n) {
      if (left === 0) {
        word = random.nextInt32();
        left = perDraw;
      }
      const v = word & mask;
      word >>>= bits;
      left--;
      if (v < span) out[i++] = v;
    }
  };
}

export const glassBlur: CorruptionKernel = {
  name: 'glass_blur',
  apply(image: RgbImage, severity: Severity, rng: Rng, options?: KernelOptions): RgbImage {
    const random = new BulkRandom(rng);
    const wasm = wasmKernels(options?.backend);
    if (wasm) {
      return glassBlurWasm(wasm, image, severity, options, () => {
        wasm.seed(random.state());
        return 0;
      });
    }
    return glassBlurWithOffsets(image, severity, uniformOffsets(random, 2 * PARAMS[severity].delta), options);
  },
};
