/**
 * Fog (ImageNet-C / COCO-C benchmark corruption).
 *
 * Definition (imagecorruptions `fog`): with x = input / 255 (float64), M = max(x) over
 * the whole image, and P a plasma-fractal height map in [0, 1] (diamond-square, the
 * reference's modification of FLHerne/mapgen) of side mapsize = next power of two
 * >= max(H, W, 3), cropped to its top-left H x W and added to all three channels:
 *   y = uint8(clip((x + a * P) * M / (M + a), 0, 1) * 255)
 * (truncating). The map's roughness is set by `decay`: the random perturbation at
 * each halving of the step is wibble * U(-wibble, wibble) with wibble = 100 / decay^level,
 * so a smaller decay gives a patchier fog. The reference's max() also runs over the
 * channel axis of the shape, hence the 3 in max(H, W, 3).
 *
 * | severity | 1 | 2 | 3 | 4 | 5 |
 * |---|---|---|---|---|---|
 * | fog strength a | 1.5 | 2.0 | 2.5 | 2.5 | 3.0 |
 * | wibble decay | 2.0 | 2.0 | 1.7 | 1.5 | 1.4 |
 *
 * Source: bethgelab/imagecorruptions c959e65 `imagecorruptions/corruptions.py`
 * (Michaelis et al. 2019; Hendrycks & Dietterich 2019), the published parameters.
 *
 * Randomness: the reference draws its map from numpy; here the same algorithm draws from
 * the kernel's Rng (through BulkRandom, 32-bit uniforms), so outputs differ pixel by
 * pixel but follow the same distribution. Fed numpy's own stream instead, this code
 * reproduces the reference output byte for byte (unit test, all fixture seeds). The map is normalised by its min and max
 * over the whole square, as in the reference, which is why the fog's overall level
 * varies a lot from seed to seed (see the fixture statistics).
 */
import { outputPixels, type CorruptionKernel, type KernelOptions } from '../kernel';
import { wasmKernels } from '../wasm-backend';
import type { RgbImage } from '../../images/rgb-image';
import { BulkRandom } from '../common/bulk-random';
import { UNIT_F64 } from '../common/unit';
import { growF32 } from '../common/scratch';

export const FOG_PARAMS: readonly (readonly [strength: number, decay: number])[] = [
  [1.5, 2],
  [2, 2],
  [2.5, 1.7],
  [2.5, 1.5],
  [3, 1.4],
];

/** Smallest power of two >= n (1 for n <= 1), as the reference's next_power_of_2. */
export function nextPowerOfTwo(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

/**
 * Diamond-square plasma fractal on a torus (the reference wraps at the edges with
 * np.roll), normalised to [0, 1]; row-major, mapsize x mapsize; mapsize a power of two
 * >= 2. `uniform` supplies U[0, 1) draws, consumed in the reference's order (per level:
 * square centres, then top-edge diamonds, then left-edge diamonds, each row-major).
 *
 * Arithmetic follows the reference's dtypes (a float32 map at c959e65): neighbour sums
 * and the final normalisation in float32, the perturbation in float64, stores rounded
 * to float32. Fed numpy's stream for a seed, this reproduces the reference map
 * (test/unit/corruptions/fidelity-noise-digital-fog-frost.test.ts replays numpy's MT19937).
 */
export function plasmaFractal(mapsize: number, decay: number, uniform: () => number): Float32Array {
  const map = new Float32Array(mapsize * mapsize);
  const { min, max } = plasmaInto(map, mapsize, decay, (out, count) => {
    for (let i = 0; i < count; i++) out[i] = uniform();
  });
  // A flat map (impossible in practice: the perturbations are continuous) would be 0/0.
  if (max > 0) for (let i = 0; i < map.length; i++) map[i] = Math.fround(map[i] - min) / max;
  else map.fill(0);
  return map;
}

/** Fills out[0..count) with the next `count` U[0, 1) draws. */
type UniformFill = (out: Float64Array, count: number) => void;

/** One row of draws at a time (at most mapsize / 2); see common/scratch.ts for why it is module-level. */
let drawRow = new Float64Array(0);

/**
 * The plasma map before normalisation, into `map` (mapsize^2 values; its contents on
 * entry do not matter), with the reference's draw order and float32 stores (see
 * plasmaFractal). Returns the minimum of the stored values and max(f32(v - min)) (the
 * same as f32(maximum - min), rounding being monotonic), which is everything the
 * normalisation f32(f32(v - min) / max) needs: tracking them while storing saves
 * two passes over the whole map, of which the image uses only its top-left corner.
 */
function plasmaInto(map: Float32Array, mapsize: number, decay: number, fill: UniformFill): { min: number; max: number } {
  if (!(mapsize >= 2 && (mapsize & (mapsize - 1)) === 0)) {
    throw new RangeError(`plasmaFractal: mapsize must be a power of two >= 2, got ${mapsize}`);
  }
  const f32 = Math.fround;
  const n = mapsize;
  const mask = n - 1;
  if (drawRow.length < n) drawRow = new Float64Array(n);
  const draws = drawRow;
  // Every point but (0, 0) is written exactly once before it is read; (0, 0) stays 0.
  map[0] = 0;
  let min = 0;
  let max = 0;
  let step = n;
  let wibble = 100;
  while (step >= 2) {
    const half = step >> 1;
    const perRow = n / step;
    // numpy's uniform(-w, w) is low + (high - low) * u.
    const lo = -wibble;
    const span = wibble - lo;
    // Squares: centre = mean of the four corners (wrapping at the far edges) + perturbation.
    for (let r = 0; r < n; r += step) {
      const row = r * n;
      const below = ((r + step) & mask) * n;
      const mid = (r + half) * n;
      fill(draws, perRow);
      let c = 0;
      let k = 0;
      // Two points per iteration when the row has an even count (every level but the
      // first): V8 re-validates the typed arrays once per loop iteration (common/scratch.ts).
      if ((perRow & 1) === 0) {
        for (; c < n; c += 2 * step, k += 2) {
          const c2 = c + step;
          const right2 = (c2 + step) & mask;
          const va = f32(f32(f32(map[row + c] + map[below + c]) + f32(map[row + c2] + map[below + c2])) / 4 + wibble * (lo + span * draws[k]));
          const vb = f32(f32(f32(map[row + c2] + map[below + c2]) + f32(map[row + right2] + map[below + right2])) / 4 + wibble * (lo + span * draws[k + 1]));
          map[mid + c + half] = va;
          map[mid + c2 + half] = vb;
          if (va < min) min = va;
          if (va > max) max = va;
          if (vb < min) min = vb;
          if (vb > max) max = vb;
        }
      }
      for (; c < n; c += step, k++) {
        const right = (c + step) & mask;
        const sum = f32(f32(map[row + c] + map[below + c]) + f32(map[row + right] + map[below + right]));
        const v = f32(sum / 4 + wibble * (lo + span * draws[k]));
        map[mid + c + half] = v;
        if (v < min) min = v;
        if (v > max) max = v;
      }
    }
    // Diamonds on the top edges: square centres above and below, corners left and right.
    for (let r = 0; r < n; r += step) {
      const row = r * n;
      const centreBelow = (r + half) * n;
      const centreAbove = ((r - half) & mask) * n;
      fill(draws, perRow);
      let c = 0;
      let k = 0;
      if ((perRow & 1) === 0) {
        for (; c < n; c += 2 * step, k += 2) {
          const c2 = c + step;
          const right2 = (c2 + step) & mask;
          const va = f32(
            f32(f32(map[centreBelow + c + half] + map[centreAbove + c + half]) + f32(map[row + c] + map[row + c2])) / 4 + wibble * (lo + span * draws[k]),
          );
          const vb = f32(
            f32(f32(map[centreBelow + c2 + half] + map[centreAbove + c2 + half]) + f32(map[row + c2] + map[row + right2])) / 4 +
              wibble * (lo + span * draws[k + 1]),
          );
          map[row + c + half] = va;
          map[row + c2 + half] = vb;
          if (va < min) min = va;
          if (va > max) max = va;
          if (vb < min) min = vb;
          if (vb > max) max = vb;
        }
      }
      for (; c < n; c += step, k++) {
        const right = (c + step) & mask;
        const sum = f32(f32(map[centreBelow + c + half] + map[centreAbove + c + half]) + f32(map[row + c] + map[row + right]));
        const v = f32(sum / 4 + wibble * (lo + span * draws[k]));
        map[row + c + half] = v;
        if (v < min) min = v;
        if (v > max) max = v;
      }
    }
    // Diamonds on the left edges: square centres left and right, corners above and below.
    for (let r = 0; r < n; r += step) {
      const row = r * n;
      const mid = (r + half) * n;
      const below = ((r + step) & mask) * n;
      fill(draws, perRow);
      let c = 0;
      let k = 0;
      if ((perRow & 1) === 0) {
        for (; c < n; c += 2 * step, k += 2) {
          const c2 = c + step;
          const left = (c - half) & mask;
          // the left neighbour of c2 is c2 - half = c + half
          const va = f32(f32(f32(map[mid + c + half] + map[mid + left]) + f32(map[row + c] + map[below + c])) / 4 + wibble * (lo + span * draws[k]));
          const vb = f32(
            f32(f32(map[mid + c2 + half] + map[mid + c + half]) + f32(map[row + c2] + map[below + c2])) / 4 + wibble * (lo + span * draws[k + 1]),
          );
          map[mid + c] = va;
          map[mid + c2] = vb;
          if (va < min) min = va;
          if (va > max) max = va;
          if (vb < min) min = vb;
          if (vb > max) max = vb;
        }
      }
      for (; c < n; c += step, k++) {
        const left = (c - half) & mask;
        const sum = f32(f32(map[mid + c + half] + map[mid + left]) + f32(map[row + c] + map[below + c]));
        const v = f32(sum / 4 + wibble * (lo + span * draws[k]));
        map[mid + c] = v;
        if (v < min) min = v;
        if (v > max) max = v;
      }
    }
    step = half;
    wibble /= decay;
  }
  return { min, max: f32(max - min) };
}

/** The fog formula on a given map (row stride mapsize >= width, rows >= height). */
export function applyFogMap(image: RgbImage, map: Float32Array, mapsize: number, strength: number, options?: KernelOptions): RgbImage {
  const wasm = wasmKernels(options?.backend);
  if (wasm) {
    return wasm.run(image, options, (src, dst) => {
      wasm.k.fog(src, dst, image.width, image.height, wasm.f32In(map), mapsize, 1, strength, true, 0);
    });
  }
  return fogWithMap(image, map, mapsize, strength, 0, 1, options);
}

/**
 * The fog formula on the map value m = f32(f32(raw - min) / max) (for a normalised map,
 * min 0 and max 1 leave it unchanged: f32 values are exact in f32 arithmetic).
 */
function fogWithMap(image: RgbImage, map: Float32Array, mapsize: number, strength: number, min: number, max: number, options?: KernelOptions): RgbImage {
  const { width, height } = image;
  const src = image.data;
  const out = outputPixels(image, options);
  let maxByte = 0;
  for (let i = 0; i < src.length && maxByte < 255; i++) if (src[i] > maxByte) maxByte = src[i];
  const maxVal = maxByte / 255;
  const denom = maxVal + strength;
  const inverse = 1 / denom;
  const flat = !(max > 0);
  const unit = UNIT_F64;
  for (let y = 0; y < height; y++) {
    const mrow = y * mapsize;
    let p = y * width * 3;
    for (let x = 0; x < width; x++, p += 3) {
      const m = flat ? 0 : Math.fround(Math.fround(map[mrow + x] - min) / max);
      // numpy evaluates python-float * float32-array in float32.
      const f = Math.fround(strength * m);
      out[p] = fogByte((unit[src[p]] + f) * maxVal, denom, inverse);
      out[p + 1] = fogByte((unit[src[p + 1]] + f) * maxVal, denom, inverse);
      out[p + 2] = fogByte((unit[src[p + 2]] + f) * maxVal, denom, inverse);
    }
  }
  return { width, height, data: out };
}

/**
 * uint8(clip(x / denom, 0, 1) * 255), truncating. x * (1 / denom) is within 2^-51
 * (relative) of the quotient, so when 255 times it is more than 1e-7 away from every
 * integer (and inside (0, 255)) both truncate to the same byte; only values that close
 * to a step (about 2 in 10^7) pay for the exact division.
 */
function fogByte(x: number, denom: number, inverse: number): number {
  const t = x * inverse * 255;
  const k = t | 0;
  const frac = t - k;
  if (t > 1e-7 && t < 255 - 1e-7 && frac > 1e-7 && frac < 1 - 1e-7) return k;
  const v = x / denom;
  return v <= 0 ? 0 : v >= 1 ? 255 : (v * 255) | 0;
}

/** The unnormalised map of the last call, reused (see common/scratch.ts; 16 MB for a 2048 map). */
let mapScratch = new Float32Array(0);

export const fog: CorruptionKernel = {
  name: 'fog',
  apply(image, severity, rng, options): RgbImage {
    const c = FOG_PARAMS[severity - 1];
    if (c === undefined) throw new RangeError(`fog: severity must be 1..5, got ${severity}`);
    const [strength, decay] = c;
    const { width, height } = image;
    if (width === 0 || height === 0) return { width, height, data: outputPixels(image, options) };
    const mapsize = nextPowerOfTwo(Math.max(width, height, 3));
    const random = new BulkRandom(rng);
    const wasm = wasmKernels(options?.backend);
    if (wasm) {
      return wasm.run(image, options, (src, dst) => {
        const map = wasm.alloc(mapsize * mapsize * 4);
        const draws = wasm.alloc((mapsize / 2) * 8);
        wasm.seed(random.state());
        wasm.k.fog(src, dst, width, height, map, mapsize, decay, strength, false, draws);
      });
    }
    mapScratch = growF32(mapScratch, mapsize * mapsize);
    const { min, max } = plasmaInto(mapScratch, mapsize, decay, (out, count) => random.fillUniform32(out, 0, count));
    return fogWithMap(image, mapScratch, mapsize, strength, min, max, options);
  },
};
