/**
 * Shot (Poisson) noise (ImageNet-C / COCO-C benchmark corruption).
 *
 * Definition (imagecorruptions `shot_noise`): photon-count noise; with x = input / 255
 * (float64), independently for every value,
 *   y = uint8(clip(Poisson(x * c) / c, 0, 1) * 255)
 * where c is the number of photons at full scale (lower c = fewer photons = more noise,
 * so Poisson means are at most c <= 60); uint8() truncates.
 *
 * | severity | 1 | 2 | 3 | 4 | 5 |
 * |---|---|---|---|---|---|
 * | photons at full scale c | 60 | 25 | 12 | 5 | 3 |
 *
 * Source: bethgelab/imagecorruptions c959e65 `imagecorruptions/corruptions.py`
 * (Michaelis et al. 2019; Hendrycks & Dietterich 2019), the published parameters.
 *
 * Sampling: the mean depends only on the 8-bit level, so one exact inversion table per
 * level (common/poisson.ts) and a byte lookup per outcome k replace per-value math.
 */
import { outputPixels, type CorruptionKernel } from '../kernel';
import type { RgbImage } from '../../images/rgb-image';
import { BulkRandom } from '../common/bulk-random';
import { PoissonTable } from '../common/poisson';
import { wasmKernels } from '../wasm-backend';

export const SHOT_NOISE_PHOTONS: readonly number[] = [60, 25, 12, 5, 3];

/**
 * The 256 per-level inversion tables packed into flat arrays, so the per-value loop
 * runs PoissonTable.sample's search without an object per level. Level L's cdf is
 * cdf[offset[L] ...] (ending with exactly 1), and outByIndex[offset[L] + k] is the output
 * byte for the outcome k, uint8(clip(k / c, 0, 1) * 255).
 *
 * Guide: a finer one than PoissonTable's, guideSize[L] = a power of two >= 4 x the table
 * size, at guide[guideOffset[L] + j] = the absolute index of the first k with
 * cdf[k] > j / guideSize[L]. The search from there returns the same k = min{k : u < F(k)}
 * (inversion does not depend on where the search starts, as long as it starts at or
 * below the answer, which j = floor(u * size) <= u * size guarantees; with a power of two
 * u * size is exact), but it almost never needs a step: the unpredictable
 * step count was the kernel's main cost.
 */
interface PackedTables {
  cdf: Float64Array;
  outByIndex: Uint8Array;
  offset: Int32Array;
  guide: Int32Array;
  guideOffset: Int32Array;
  guideSize: Int32Array;
}

const cache = new Map<number, PackedTables>();

function packedTables(c: number): PackedTables {
  const hit = cache.get(c);
  if (hit) return hit;
  const tables: PoissonTable[] = [];
  for (let level = 0; level < 256; level++) tables.push(new PoissonTable((level / 255) * c));
  const guideSizes = tables.map((t) => {
    let m = 1;
    while (m < 4 * t.size) m *= 2;
    return m;
  });
  const total = tables.reduce((n, t) => n + t.size, 0);
  const packed: PackedTables = {
    cdf: new Float64Array(total),
    outByIndex: new Uint8Array(total),
    offset: new Int32Array(256),
    guide: new Int32Array(guideSizes.reduce((a, b) => a + b, 0)),
    guideOffset: new Int32Array(256),
    guideSize: Int32Array.from(guideSizes),
  };
  let at = 0;
  let gAt = 0;
  tables.forEach((t, level) => {
    packed.offset[level] = at;
    packed.cdf.set(t.cdf, at);
    for (let k = 0; k < t.size; k++) {
      const v = k / c;
      packed.outByIndex[at + k] = v >= 1 ? 255 : Math.trunc(v * 255);
    }
    const m = guideSizes[level];
    packed.guideOffset[level] = gAt;
    let k = 0;
    for (let j = 0; j < m; j++) {
      while (t.cdf[k] <= j / m) k++;
      packed.guide[gAt + j] = at + k;
    }
    at += t.size;
    gAt += m;
  });
  cache.set(c, packed);
  return packed;
}

/** Uniforms are drawn a chunk at a time into this buffer (see common/scratch.ts for why it is module-level). */
const CHUNK = 4096;
const uniforms = new Float64Array(CHUNK);

export const shotNoise: CorruptionKernel = {
  name: 'shot_noise',
  apply(image, severity, rng, options): RgbImage {
    const c = SHOT_NOISE_PHOTONS[severity - 1];
    if (c === undefined) throw new RangeError(`shot_noise: severity must be 1..5, got ${severity}`);
    const { cdf, outByIndex, guide, guideOffset, guideSize } = packedTables(c);
    const src = image.data;
    const random = new BulkRandom(rng);
    const wasm = wasmKernels(options?.backend);
    if (wasm) {
      return wasm.run(image, options, (from, to) => {
        // The tables (~100 kB) are copied per call: a few microseconds.
        const tables = [wasm.f64In(cdf), wasm.bytesIn(outByIndex), wasm.i32In(guide), wasm.i32In(guideOffset), wasm.i32In(guideSize)] as const;
        wasm.seed(random.state());
        wasm.k.shotNoise(from, to, src.length, ...tables);
      });
    }
    const out = outputPixels(image, options);
    for (let start = 0; start < src.length; start += CHUNK) {
      const len = Math.min(CHUNK, src.length - start);
      random.fillUniform53(uniforms, 0, len);
      // u * guideSize is exact (a power of two) and below guideSize, so |0 is the
      // floor. Two values per iteration (see gaussian_noise).
      let j = 0;
      for (; j + 1 < len; j += 2) {
        const la = src[start + j];
        const lb = src[start + j + 1];
        const ua = uniforms[j];
        const ub = uniforms[j + 1];
        let ka = guide[guideOffset[la] + ((ua * guideSize[la]) | 0)];
        let kb = guide[guideOffset[lb] + ((ub * guideSize[lb]) | 0)];
        while (ua >= cdf[ka]) ka++;
        while (ub >= cdf[kb]) kb++;
        out[start + j] = outByIndex[ka];
        out[start + j + 1] = outByIndex[kb];
      }
      if (j < len) {
        const level = src[start + j];
        const u = uniforms[j];
        let k = guide[guideOffset[level] + ((u * guideSize[level]) | 0)];
        while (u >= cdf[k]) k++;
        out[start + j] = outByIndex[k];
      }
    }
    return { width: image.width, height: image.height, data: out };
  },
};
