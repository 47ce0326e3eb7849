/**
 * Fidelity of the noise, digital, frost and fog corruption kernels against the
 * imagecorruptions reference fixtures in ../shared/fixtures/corruptions.
 *
 * - Deterministic corruptions (brightness, contrast, saturate, pixelate, JPEG) are
 *   compared pixel by pixel with the reference PNGs.
 * - Random corruptions are compared statistically: PSNR vs the clean image and the mean
 *   signed difference, averaged over seeds, against the reference's 8-seed means.
 * - Fog additionally replays numpy's random stream of the reference seeds through
 *   Odra's plasma fractal and must reproduce the reference bytes exactly.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { CorruptionName, Severity } from '../../../src/shared/corruptions';
import type { CorruptionKernel } from '../../../src/engine/corruptions/kernel';
import type { RgbImage } from '../../../src/engine/images/rgb-image';
import { Rng } from '../../../src/shared/prng';
import { corruptionSeed } from '../../../src/engine/corruptions/seed';
import { BulkRandom } from '../../../src/engine/corruptions/common/bulk-random';
import { PoissonTable } from '../../../src/engine/corruptions/common/poisson';
import { hsvToRgb, rgbToHsv } from '../../../src/engine/corruptions/common/color';
import { gaussianNoise } from '../../../src/engine/corruptions/kernels/gaussian_noise';
import { shotNoise } from '../../../src/engine/corruptions/kernels/shot_noise';
import { impulseNoise } from '../../../src/engine/corruptions/kernels/impulse_noise';
import { speckleNoise } from '../../../src/engine/corruptions/kernels/speckle_noise';
import { brightness } from '../../../src/engine/corruptions/kernels/brightness';
import { contrast } from '../../../src/engine/corruptions/kernels/contrast';
import { saturate } from '../../../src/engine/corruptions/kernels/saturate';
import { pixelate } from '../../../src/engine/corruptions/kernels/pixelate';
import { jpegCompression, type AsyncCorruptionKernel } from '../../../src/engine/corruptions/kernels/jpeg_compression';
import { applyFrostVariant, frost, frostTexture } from '../../../src/engine/corruptions/kernels/frost';
import { FOG_PARAMS, applyFogMap, fog, nextPowerOfTwo, plasmaFractal } from '../../../src/engine/corruptions/kernels/fog';
import { FROST_VARIANTS } from '../../../src/engine/corruptions/assets/frost-texture';
import {
  NumpyLegacyRandom,
  corruptionStats,
  diffStats,
  fixtureImages,
  fixtureSeeds,
  loadFixtureImage,
  loadReference,
  meanDiffStats,
  pixelDiff,
  psnr,
  rgbSha256,
  type DiffStats,
} from './fidelity-helpers';

const SEVERITIES: readonly Severity[] = [1, 2, 3, 4, 5];

const clean = new Map<string, RgbImage>();
beforeAll(async () => {
  for (const name of fixtureImages()) clean.set(name, await loadFixtureImage(name));
});

function cleanImage(name: string): RgbImage {
  const img = clean.get(name);
  if (!img) throw new Error(`fixture ${name} not loaded`);
  return img;
}

/** Runs a kernel, through applyAsync when it has one (JPEG). */
function isAsync(kernel: CorruptionKernel): kernel is AsyncCorruptionKernel {
  return 'applyAsync' in kernel;
}

async function run(kernel: CorruptionKernel, image: RgbImage, severity: Severity, rng: Rng): Promise<RgbImage> {
  return isAsync(kernel) ? kernel.applyAsync(image, severity, rng) : kernel.apply(image, severity, rng);
}

function sampleStd(values: readonly number[]): number {
  if (values.length < 2) return 0;
  const m = values.reduce((a, b) => a + b, 0) / values.length;
  return Math.sqrt(values.reduce((a, b) => a + (b - m) * (b - m), 0) / (values.length - 1));
}

interface SeedSummary {
  mean: DiffStats;
  psnrStd: number;
  diffMeanStd: number;
  n: number;
}

async function overSeeds(kernel: CorruptionKernel, imageName: string, severity: Severity, seeds: number): Promise<SeedSummary> {
  const img = cleanImage(imageName);
  const runs: DiffStats[] = [];
  for (let s = 0; s < seeds; s++) {
    const rng = new Rng(corruptionSeed(s, imageName, kernel.name, severity));
    runs.push(diffStats(img, await run(kernel, img, severity, rng)));
  }
  return {
    mean: meanDiffStats(runs),
    psnrStd: sampleStd(runs.map((r) => r.psnr)),
    diffMeanStd: sampleStd(runs.map((r) => r.diff_mean)),
    n: runs.length,
  };
}

/**
 * Tolerance for comparing our seed-average with the reference's 8-seed average.
 *
 * Both are sample means of random quantities, so their difference has standard error
 * sqrt(sRef^2 / nRef + sOurs^2 / nOurs); four standard errors make a false alarm very
 * unlikely (< 1e-4 under normality) while still failing any systematic error larger
 * than that. `floor` covers the part no seed average removes: 0.5 dB for PSNR (the
 * issue's requirement) and 0.1 levels for the mean difference (truncation and float
 * rounding in the deterministic part of a kernel). For the noise kernels the floor
 * decides; for fog and frost, whose reference spread between seeds is 1-2 dB (one of
 * five photos / one random plasma map per seed), the standard-error term does: eight
 * reference seeds cannot pin their mean down to 0.5 dB.
 */
function tolerance(refStd: number, refN: number, oursStd: number, oursN: number, floor: number): number {
  return Math.max(floor, 4 * Math.sqrt((refStd * refStd) / refN + (oursStd * oursStd) / oursN));
}

// ---------------------------------------------------------------------------------

describe('deterministic corruptions match the reference PNGs', () => {
  const exact: CorruptionKernel[] = [brightness, contrast, saturate, pixelate];
  for (const kernel of exact) {
    it(`${kernel.name}: >= 40 dB and at most 1 level off, both images, all severities`, async () => {
      for (const name of fixtureImages()) {
        for (const severity of SEVERITIES) {
          const ours = kernel.apply(cleanImage(name), severity, new Rng(0));
          const ref = await loadReference(name, kernel.name, severity);
          const d = pixelDiff(ours, ref);
          expect(psnr(ours, ref), `${name} s${severity}`).toBeGreaterThanOrEqual(40);
          expect(d.maxAbs, `${name} s${severity}`).toBeLessThanOrEqual(1);
        }
      }
    });
  }

  it('jpeg_compression: >= 35 dB, both images, all severities', async () => {
    for (const name of fixtureImages()) {
      for (const severity of SEVERITIES) {
        const ours = await jpegCompression.applyAsync(cleanImage(name), severity, new Rng(0));
        const ref = await loadReference(name, 'jpeg_compression', severity);
        expect(psnr(ours, ref), `${name} s${severity}`).toBeGreaterThanOrEqual(35);
      }
    }
  });

  it('jpeg_compression: the synchronous apply refuses and points to applyAsync', () => {
    const img = cleanImage(fixtureImages()[0]);
    expect(() => jpegCompression.apply(img, 1, new Rng(0))).toThrow(/applyAsync/);
  });
});

// ---------------------------------------------------------------------------------

interface StatCase {
  kernel: CorruptionKernel;
  /** how many of our seeds to average (more where the spread between seeds is large) */
  seeds: number;
}

const STAT_CASES: StatCase[] = [
  { kernel: gaussianNoise, seeds: 8 },
  { kernel: shotNoise, seeds: 8 },
  { kernel: impulseNoise, seeds: 8 },
  { kernel: speckleNoise, seeds: 8 },
  { kernel: brightness, seeds: 1 },
  { kernel: contrast, seeds: 1 },
  { kernel: saturate, seeds: 1 },
  { kernel: pixelate, seeds: 1 },
  { kernel: jpegCompression, seeds: 1 },
  { kernel: fog, seeds: 24 },
  { kernel: frost, seeds: 40 },
];

describe('PSNR and mean difference vs the clean image match the reference statistics', () => {
  for (const { kernel, seeds } of STAT_CASES) {
    it(`${kernel.name}: both images, all severities`, async () => {
      const refN = fixtureSeeds().length;
      for (const name of fixtureImages()) {
        for (const severity of SEVERITIES) {
          const ref = corruptionStats(name, kernel.name as CorruptionName, severity);
          const ours = await overSeeds(kernel, name, severity, seeds);
          const where = `${name} s${severity}`;
          const tolPsnr = tolerance(ref.psnr.std, refN, ours.psnrStd, ours.n, 0.5);
          const tolDiff = tolerance(ref.diff_mean.std, refN, ours.diffMeanStd, ours.n, 0.1);
          expect(Math.abs(ours.mean.psnr - ref.psnr.mean), `${where} psnr ${ours.mean.psnr} vs ${ref.psnr.mean}`).toBeLessThanOrEqual(tolPsnr);
          expect(
            Math.abs(ours.mean.diff_mean - ref.diff_mean.mean),
            `${where} diff_mean ${ours.mean.diff_mean} vs ${ref.diff_mean.mean}`,
          ).toBeLessThanOrEqual(tolDiff);
        }
      }
    }, 120_000);
  }
});

describe('fog', () => {
  it("reproduces the reference bytes when fed numpy's random stream of the reference seeds", async () => {
    for (const name of fixtureImages()) {
      const img = cleanImage(name);
      const mapsize = nextPowerOfTwo(Math.max(img.width, img.height, 3));
      for (const severity of SEVERITIES) {
        const [strength, decay] = FOG_PARAMS[severity - 1];
        const expected = corruptionStats(name, 'fog', severity).per_seed?.rgb_sha256;
        if (!expected) throw new Error('stats.json lacks fog per-seed hashes');
        for (const seed of fixtureSeeds()) {
          const numpy = new NumpyLegacyRandom(seed);
          const map = plasmaFractal(mapsize, decay, () => numpy.randomSample());
          const out = applyFogMap(img, map, mapsize, strength);
          expect(rgbSha256(out), `${name} s${severity} seed ${seed}`).toBe(expected[seed]);
        }
      }
    }
  }, 60_000);

  it('sizes the plasma map to the next power of two covering the image', () => {
    expect(nextPowerOfTwo(1)).toBe(1);
    expect(nextPowerOfTwo(3)).toBe(4);
    expect(nextPowerOfTwo(640)).toBe(1024);
    expect(nextPowerOfTwo(1024)).toBe(1024);
    expect(nextPowerOfTwo(1280)).toBe(2048);
    const map = plasmaFractal(64, 2, () => 0.25);
    let min = Infinity;
    let max = -Infinity;
    for (const v of map) {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    expect(min).toBe(0);
    expect(max).toBe(1);
    expect(() => plasmaFractal(48, 2, () => 0.5)).toThrow(RangeError);
  });
});

/** Levels: twice the largest calibration residual (1.4) reported in kernels/frost.ts. */
const FROST_DIFF_MEAN_TOLERANCE = 3;

describe('frost', () => {
  // The reference's first draw after np.random.seed(s) is randint(5), the photo index.
  const photoOfSeed = fixtureSeeds().map((s) => new NumpyLegacyRandom(s).randint(5));

  it('knows which photo each reference seed used', () => {
    expect(photoOfSeed).toEqual([4, 3, 0, 2, 2, 3, 2, 4]);
  });

  it('with the matching texture variant per seed, reproduces the reference 8-seed means within 0.5 dB', () => {
    // Each reference seed is replayed with its photo's variant and 4 random crops: the
    // reference crop positions are numpy's and not reproducible here, and averaging the
    // crops measures the calibration instead of one crop's luck.
    const cropsPerSeed = 4;
    for (const name of fixtureImages()) {
      const img = cleanImage(name);
      for (const severity of SEVERITIES) {
        const ref = corruptionStats(name, 'frost', severity);
        const runs: DiffStats[] = [];
        photoOfSeed.forEach((variant, s) => {
          for (let c = 0; c < cropsPerSeed; c++) {
            const rng = new Rng(corruptionSeed(s * cropsPerSeed + c, name, 'frost', severity));
            runs.push(diffStats(img, applyFrostVariant(img, severity, variant, rng)));
          }
        });
        const ours = meanDiffStats(runs);
        expect(Math.abs(ours.psnr - ref.psnr.mean), `${name} s${severity} psnr ${ours.psnr} vs ${ref.psnr.mean}`).toBeLessThanOrEqual(0.5);
        // For scale: the reference's own spread of the mean difference between seeds is
        // 10-28 levels.
        expect(
          Math.abs(ours.diff_mean - ref.diff_mean.mean),
          `${name} s${severity} diff_mean ${ours.diff_mean} vs ${ref.diff_mean.mean}`,
        ).toBeLessThanOrEqual(FROST_DIFF_MEAN_TOLERANCE);
      }
    }
  }, 60_000);

  it('textures are pinned: a generator or calibration change must be deliberate', () => {
    // Frost outputs (and so audit results) depend on these bytes; update the hashes only
    // together with a recalibration (kernels/frost.ts) and a note in the changelog.
    const expected = [
      'c084f505a97b3fcb12f1580a444aeab4cd0195b48fbf064710a9b4bae7b5e483',
      'ed99b9253660650e3bd160b3d195a072d3c243d9dcdcfcc72428db4236fe1921',
      '05293161ff860fa86e0950009588c69bca9effb9cf755a40cfa2d25ff8af8beb',
      '68ac763908cb73e1ce2b137317efe1d6d84d2d020db98668c1730d61a85de8b3',
      '14faed3858ea12b5f39ac4ca1c29acc012c9a34f5b43c0825e7d718ba3be0b48',
    ];
    for (let v = 0; v < FROST_VARIANTS; v++) expect(rgbSha256(frostTexture(v)), `variant ${v}`).toBe(expected[v]);
  });

  it('draws the variant, then the crop, from the kernel rng, and uses all five variants', () => {
    const img = cleanImage(fixtureImages()[0]);
    const used = new Set<number>();
    for (let s = 0; s < 30; s++) {
      const rng = new Rng(s);
      const variant = rng.int(0, FROST_VARIANTS);
      used.add(variant);
      const expected = applyFrostVariant(img, 2, variant, rng);
      expect(rgbSha256(frost.apply(img, 2, new Rng(s)))).toBe(rgbSha256(expected));
    }
    expect([...used].sort()).toEqual([0, 1, 2, 3, 4]);
    expect(() => applyFrostVariant(img, 1, FROST_VARIANTS, new Rng(0))).toThrow(RangeError);
  });
});

// ---------------------------------------------------------------------------------

const ALL_KERNELS: CorruptionKernel[] = [
  gaussianNoise,
  shotNoise,
  impulseNoise,
  speckleNoise,
  brightness,
  contrast,
  saturate,
  pixelate,
  jpegCompression,
  frost,
  fog,
];
const STOCHASTIC = new Set<string>(['gaussian_noise', 'shot_noise', 'impulse_noise', 'speckle_noise', 'frost', 'fog']);

function syntheticImage(width: number, height: number, seed: number): RgbImage {
  const rng = new Rng(seed);
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < data.length; i++) data[i] = rng.int(0, 256);
  return { width, height, data };
}

describe('determinism and purity', () => {
  for (const kernel of ALL_KERNELS) {
    it(`${kernel.name}: same seed, same bytes; input untouched`, async () => {
      const img = cleanImage(fixtureImages()[0]);
      const before = rgbSha256(img);
      const a = await run(kernel, img, 3, new Rng(1234));
      const b = await run(kernel, img, 3, new Rng(1234));
      expect(rgbSha256(a)).toBe(rgbSha256(b));
      expect(rgbSha256(img)).toBe(before);
      const c = await run(kernel, img, 3, new Rng(4321));
      if (STOCHASTIC.has(kernel.name)) expect(rgbSha256(c)).not.toBe(rgbSha256(a));
      else expect(rgbSha256(c)).toBe(rgbSha256(a));
    });
  }
});

describe('any image size', () => {
  const sizes: [number, number][] = [
    [1, 1],
    [2, 3],
    [3, 2],
    [7, 5],
    [33, 17],
    [1, 40],
    [1100, 9],
  ];
  for (const kernel of ALL_KERNELS) {
    it(`${kernel.name}: keeps the size at every severity`, async () => {
      for (const [w, h] of sizes) {
        const img = syntheticImage(w, h, w * 1000 + h);
        for (const severity of SEVERITIES) {
          const out = await run(kernel, img, severity, new Rng(7));
          expect(out.width, `${w}x${h}`).toBe(w);
          expect(out.height, `${w}x${h}`).toBe(h);
          expect(out.data.length, `${w}x${h}`).toBe(w * h * 3);
        }
      }
    });

    it(`${kernel.name}: rejects severities outside 1..5`, async () => {
      const img = syntheticImage(4, 4, 1);
      if (kernel.name === 'jpeg_compression') {
        await expect(jpegCompression.applyAsync(img, 0 as Severity, new Rng(0))).rejects.toThrow(RangeError);
        await expect(jpegCompression.applyAsync(img, 6 as Severity, new Rng(0))).rejects.toThrow(RangeError);
      } else {
        expect(() => kernel.apply(img, 0 as Severity, new Rng(0))).toThrow(RangeError);
        expect(() => kernel.apply(img, 6 as Severity, new Rng(0))).toThrow(RangeError);
      }
    });
  }

  it('pixelate of a 1x1 image is the image; contrast of a flat image is the image', () => {
    const one = { width: 1, height: 1, data: Uint8Array.from([10, 200, 30]) };
    expect(Array.from(pixelate.apply(one, 5, new Rng(0)).data)).toEqual([10, 200, 30]);
    const flat = { width: 3, height: 2, data: new Uint8Array(18).fill(77) };
    expect(Array.from(contrast.apply(flat, 5, new Rng(0)).data)).toEqual(new Array(18).fill(77));
  });
});

// ---------------------------------------------------------------------------------

describe('building blocks', () => {
  it('BulkRandom normals have the moments and tails of N(0, 1)', () => {
    const random = new BulkRandom(new Rng(99));
    const n = 400_000;
    let sum = 0;
    let sq = 0;
    let four = 0;
    let beyond3 = 0;
    for (let i = 0; i < n; i++) {
      const z = random.normal();
      sum += z;
      sq += z * z;
      four += z * z * z * z;
      if (Math.abs(z) > 3) beyond3++;
    }
    const mean = sum / n;
    const variance = sq / n - mean * mean;
    expect(Math.abs(mean)).toBeLessThan(0.01); // SE 0.0016
    expect(Math.abs(variance - 1)).toBeLessThan(0.01); // SE 0.0022
    expect(Math.abs(four / n - 3)).toBeLessThan(0.06); // SE ~0.015
    // P(|Z| > 3) = 0.0026998; SE of the share ~8e-5
    expect(Math.abs(beyond3 / n - 0.0026998)).toBeLessThan(0.0004);
  });

  it('PoissonTable samples have the Poisson pmf', () => {
    for (const lambda of [0, 0.3, 4, 12, 60]) {
      const table = new PoissonTable(lambda);
      const random = new BulkRandom(new Rng(Math.round(lambda * 100) + 1));
      const n = 200_000;
      const counts = new Map<number, number>();
      let sum = 0;
      let sq = 0;
      for (let i = 0; i < n; i++) {
        const k = table.sample(random.uniform53());
        counts.set(k, (counts.get(k) ?? 0) + 1);
        sum += k;
        sq += k * k;
      }
      const mean = sum / n;
      const variance = sq / n - mean * mean;
      const se = Math.sqrt(Math.max(lambda, 1e-9) / n);
      expect(Math.abs(mean - lambda), `lambda ${lambda}`).toBeLessThanOrEqual(5 * se + 1e-12);
      if (lambda > 0) expect(Math.abs(variance / lambda - 1), `lambda ${lambda}`).toBeLessThan(0.03);
      // pmf at the mode, within 5 standard errors
      const mode = Math.floor(lambda);
      let p = Math.exp(-lambda);
      for (let k = 1; k <= mode; k++) p = (p * lambda) / k;
      const observed = (counts.get(mode) ?? 0) / n;
      expect(Math.abs(observed - p), `lambda ${lambda}`).toBeLessThanOrEqual(5 * Math.sqrt((p * (1 - p)) / n) + 1e-12);
    }
    // Inversion boundaries: u = 0 gives 0; u just below 1 gives a far-tail value
    // (P(K > 20) = 2.6e-7 for lambda 5) that is still inside the table.
    const t = new PoissonTable(5);
    expect(t.sample(0)).toBe(0);
    const top = t.sample(1 - 2 ** -53);
    expect(top).toBeGreaterThan(20);
    expect(top).toBeLessThan(t.size);
    expect(() => new PoissonTable(-1)).toThrow(RangeError);
  });

  it('HSV conversion follows skimage: ties, hue wrap-around, greys, round trip', () => {
    const hsv = [0, 0, 0];
    rgbToHsv(1, 0, 0, hsv);
    expect(hsv).toEqual([0, 1, 1]);
    rgbToHsv(0, 0, 1, hsv);
    expect(hsv).toEqual([4 / 6, 1, 1]);
    // magenta: red and blue tie for the maximum; blue's formula gives (4 + (1 - 0) / 1) / 6
    rgbToHsv(1, 0, 1, hsv);
    expect(hsv[0]).toBeCloseTo(5 / 6, 15);
    // a hue just below 0 wraps to just below 1 (numpy's floored remainder)
    rgbToHsv(1, 0, 1e-9, hsv);
    expect(hsv[0]).toBeGreaterThan(0.999);
    expect(hsv[0]).toBeLessThan(1);
    rgbToHsv(0, 0, 0, hsv);
    expect(hsv).toEqual([0, 0, 0]);
    rgbToHsv(0.5, 0.5, 0.5, hsv);
    expect(hsv).toEqual([0, 0, 0.5]);
    const rgb = [0, 0, 0];
    for (const [r, g, b] of [
      [0.2, 0.4, 0.6],
      [0.9, 0.1, 0.3],
      [0.3, 0.8, 0.1],
    ]) {
      rgbToHsv(r, g, b, hsv);
      hsvToRgb(hsv[0], hsv[1], hsv[2], rgb);
      expect(rgb[0]).toBeCloseTo(r, 12);
      expect(rgb[1]).toBeCloseTo(g, 12);
      expect(rgb[2]).toBeCloseTo(b, 12);
    }
  });
});
