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
import type { CorruptionKernel } from '../kernel';
import type { RgbImage } from '../common/image';
import { BulkRandom } from '../common/bulk-random';
import { PoissonTable } from '../common/poisson';

export const SHOT_NOISE_PHOTONS: readonly number[] = [60, 25, 12, 5, 3];

interface LevelTables {
  tables: PoissonTable[];
  /** output byte for a Poisson outcome k: uint8(clip(k / c, 0, 1) * 255) */
  outByCount: Uint8Array;
}

const cache = new Map<number, LevelTables>();

function levelTables(c: number): LevelTables {
  const hit = cache.get(c);
  if (hit) return hit;
  const tables: PoissonTable[] = [];
  let maxCount = 0;
  for (let level = 0; level < 256; level++) {
    const t = new PoissonTable((level / 255) * c);
    tables.push(t);
    maxCount = Math.max(maxCount, t.size);
  }
  const outByCount = new Uint8Array(maxCount + 1);
  for (let k = 0; k <= maxCount; k++) {
    const v = k / c;
    outByCount[k] = v >= 1 ? 255 : Math.trunc(v * 255);
  }
  const entry = { tables, outByCount };
  cache.set(c, entry);
  return entry;
}

export const shotNoise: CorruptionKernel = {
  name: 'shot_noise',
  apply(image, severity, rng): RgbImage {
    const c = SHOT_NOISE_PHOTONS[severity - 1];
    if (c === undefined) throw new RangeError(`shot_noise: severity must be 1..5, got ${severity}`);
    const { tables, outByCount } = levelTables(c);
    const src = image.data;
    const out = new Uint8Array(src.length);
    const random = new BulkRandom(rng);
    for (let i = 0; i < src.length; i++) {
      out[i] = outByCount[tables[src[i]].sample(random.uniform53())];
    }
    return { width: image.width, height: image.height, data: out };
  },
};
