/**
 * Fidelity of the blur, snow, elastic and spatter corruption kernels (defocus, glass, motion, zoom and gaussian
 * blur, snow, elastic transform, spatter) against imagecorruptions (bethgelab c959e65)
 * on the shared fixtures (../shared/fixtures/corruptions, see its README.md).
 *
 * Four kinds of evidence:
 * 1. deterministic kernels: pixels against the reference PNGs;
 * 2. every kernel and severity, with Odra's own seeded Rng: PSNR and signed mean
 *    difference averaged over the fixtures' 8 seeds against stats.json;
 * 3. every stochastic kernel fed the reference's own random numbers (numpy's legacy
 *    MT19937 streams, emulated below): the output bytes against stats.json's per-seed
 *    sha256, which pins down everything but the RNG;
 * 4. determinism, odd sizes, and the helpers against brute-force definitions.
 */
import { describe, expect, it } from 'vitest';
import { SEVERITIES, type CorruptionName, type Severity } from '../../../src/shared/corruptions';
import { createRgb, type RgbImage } from '../../../src/engine/images/rgb-image';
import { Rng } from '../../../src/shared/prng';
import { corruptionSeed } from '../../../src/engine/corruptions/seed';
import { borderIndex } from '../../../src/engine/corruptions/common/border';
import { gaussianFilter } from '../../../src/engine/corruptions/common/gaussian';
import { zoomAxis } from '../../../src/engine/corruptions/common/zoom';
import type { CorruptionKernel } from '../../../src/engine/corruptions/kernel';
import { applyDefocusPlan, defocusBlur, defocusPlan, diskKernel } from '../../../src/engine/corruptions/kernels/defocus_blur';
import { glassBlur, glassBlurWithOffsets, uniformOffsets } from '../../../src/engine/corruptions/kernels/glass_blur';
import { BulkRandom } from '../../../src/engine/corruptions/common/bulk-random';
import { motionBlur, motionBlurAtAngle } from '../../../src/engine/corruptions/kernels/motion_blur';
import { numpyArange, zoomBlur, zoomFactors } from '../../../src/engine/corruptions/kernels/zoom_blur';
import { gaussianBlur } from '../../../src/engine/corruptions/kernels/gaussian_blur';
import { snow, snowCrop, snowFromNormals } from '../../../src/engine/corruptions/kernels/snow';
import { elasticFromUniforms, elasticTransform } from '../../../src/engine/corruptions/kernels/elastic_transform';
import { spatter, spatterFromNormals } from '../../../src/engine/corruptions/kernels/spatter';
import {
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

const KERNELS: readonly CorruptionKernel[] = [
  defocusBlur,
  glassBlur,
  motionBlur,
  zoomBlur,
  gaussianBlur,
  snow,
  elasticTransform,
  spatter,
];
const DETERMINISTIC: readonly CorruptionKernel[] = [defocusBlur, zoomBlur, gaussianBlur];

const imageCache = new Map<string, Promise<RgbImage>>();
function clean(name: string): Promise<RgbImage> {
  let p = imageCache.get(name);
  if (!p) {
    p = loadFixtureImage(name);
    imageCache.set(name, p);
  }
  return p;
}

function sampleSd(values: readonly number[]): number {
  const m = values.reduce((a, b) => a + b, 0) / values.length;
  return Math.sqrt(values.reduce((a, v) => a + (v - m) ** 2, 0) / (values.length - 1));
}

// ---------------------------------------------------------------------------------
// numpy's legacy RandomState (MT19937), enough of it to replay the reference's draws:
// np.random.seed(int), random_sample, uniform, standard_normal (legacy polar gauss) and
// randint (masked rejection on 32-bit draws). These algorithms are frozen in numpy for
// reproducibility; the fixtures' README says the reference seeds np.random with the seed
// (and numba's generator, whose randint gives the same sequence, for glass_blur).

class NumpyLegacyRandom {
  private readonly mt = new Uint32Array(624);
  private pos = 624;
  private spare: number | null = null;

  constructor(seed: number) {
    let s = seed >>> 0;
    for (let i = 0; i < 624; i++) {
      this.mt[i] = s;
      s = (Math.imul(1812433253, (s ^ (s >>> 30)) >>> 0) + i + 1) >>> 0;
    }
  }

  next32(): number {
    if (this.pos >= 624) {
      const mt = this.mt;
      for (let i = 0; i < 624; i++) {
        const y = (mt[i] & 0x80000000) | (mt[(i + 1) % 624] & 0x7fffffff);
        mt[i] = mt[(i + 397) % 624] ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
      }
      this.pos = 0;
    }
    let y = this.mt[this.pos++];
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  double(): number {
    const a = this.next32() >>> 5;
    const b = this.next32() >>> 6;
    return (a * 67108864 + b) / 9007199254740992;
  }

  uniform(low: number, high: number): number {
    return low + (high - low) * this.double();
  }

  standardNormal(): number {
    if (this.spare !== null) {
      const v = this.spare;
      this.spare = null;
      return v;
    }
    let x1: number;
    let x2: number;
    let r2: number;
    do {
      x1 = 2 * this.double() - 1;
      x2 = 2 * this.double() - 1;
      r2 = x1 * x1 + x2 * x2;
    } while (r2 >= 1 || r2 === 0);
    const f = Math.sqrt((-2 * Math.log(r2)) / r2);
    this.spare = f * x1;
    return f * x2;
  }

  /** randint(low, high) - low, i.e. a value in [0, high - low). */
  randintOffset(span: number): number {
    const rng = span - 1;
    let mask = rng;
    for (let s = 1; s < 32; s <<= 1) mask |= mask >>> s;
    let v: number;
    do v = this.next32() & mask;
    while (v > rng);
    return v;
  }
}

// ---------------------------------------------------------------------------------

describe('deterministic kernels against the reference PNGs', () => {
  for (const kernel of DETERMINISTIC) {
    for (const name of fixtureImages()) {
      it(`${kernel.name} on ${name}, severities 1-5`, async () => {
        const input = await clean(name);
        for (const severity of SEVERITIES) {
          const out = kernel.apply(input, severity, new Rng(0));
          const ref = await loadReference(name, kernel.name, severity);
          const diff = pixelDiff(out, ref);
          // The requirement is 40 dB; measured: zoom and gaussian blur bit-exact, defocus
          // bit-exact but for ~1 value per million at severities 1-4 and within 1 level on
          // 0.018 % of values at severity 5 (its reflected-border correction keeps only
          // entries above 3e-4 of the disk weight, for speed).
          expect(psnr(out, ref), `${kernel.name} s${severity}`).toBeGreaterThanOrEqual(40);
          expect(diff.maxAbs, `${kernel.name} s${severity}`).toBeLessThanOrEqual(1);
          expect(diff.shareDiffering, `${kernel.name} s${severity}`).toBeLessThan(5e-4);
        }
      });
    }
  }
});

describe('statistics over the fixture seeds, with Odra\'s Rng', () => {
  for (const kernel of KERNELS) {
    for (const name of fixtureImages()) {
      it(`${kernel.name} on ${name}: PSNR and mean difference per severity`, async () => {
        const input = await clean(name);
        const deterministic = DETERMINISTIC.includes(kernel);
        for (const severity of SEVERITIES) {
          const seeds = deterministic ? [0] : fixtureSeeds();
          const runs: DiffStats[] = seeds.map((seed) =>
            diffStats(input, kernel.apply(input, severity, new Rng(corruptionSeed(seed, name, kernel.name, severity)))),
          );
          const ours = meanDiffStats(runs);
          const ref = corruptionStats(name, kernel.name, severity);
          const n = fixtureSeeds().length;
          const oursSd = runs.length > 1 ? sampleSd(runs.map((r) => r.psnr)) : 0;
          // Required: |mean PSNR - reference mean| <= 0.5 dB. Both means average 8 random
          // draws, so their difference has a standard error sqrt(sd_ref^2/8 + sd_ours^2/8);
          // where three of those exceed 0.5 dB no implementation with another RNG can
          // promise 0.5 (motion_blur: the angle, sd 0.5-0.9 dB; spatter severity 1: sd
          // 3-4 dB, drops may miss the image entirely) and the bound widens to 3 standard
          // errors. The per-seed replay test below checks those two exactly.
          const psnrTol = Math.max(0.5, 3 * Math.sqrt(ref.psnr.std ** 2 / n + oursSd ** 2 / n));
          expect(Math.abs(ours.psnr - ref.psnr.mean), `PSNR s${severity}: ours ${ours.psnr} ref ${ref.psnr.mean}`).toBeLessThanOrEqual(psnrTol);
          // Mean signed difference: within 3 reference standard deviations (the spread of
          // one draw, so this also holds for a mean of 8), and never tighter than 0.5 levels,
          // the size of np.uint8's truncation bias that every kernel carries.
          const meanTol = Math.max(3 * ref.diff_mean.std, 0.5);
          expect(
            Math.abs(ours.diff_mean - ref.diff_mean.mean),
            `diff_mean s${severity}: ours ${ours.diff_mean} ref ${ref.diff_mean.mean}`,
          ).toBeLessThanOrEqual(meanTol);
        }
      });
    }
  }
});

describe('stochastic kernels replaying the reference\'s random numbers', () => {
  type Replay = (input: RgbImage, severity: Severity, np: NumpyLegacyRandom) => RgbImage;
  const replays: Record<string, { name: CorruptionName; seeds: number[]; run: Replay }> = {
    motion_blur: {
      name: 'motion_blur',
      seeds: [0, 1, 2, 3, 4, 5, 6, 7],
      run: (input, severity, np) => motionBlurAtAngle(input, severity, np.uniform(-45, 45)),
    },
    elastic_transform: {
      name: 'elastic_transform',
      seeds: [0, 1],
      run: (input, severity, np) => {
        const n = input.width * input.height;
        const maxD = input.height * 0.005;
        const ux = Float64Array.from({ length: n }, () => np.uniform(-maxD, maxD));
        const uy = Float64Array.from({ length: n }, () => np.uniform(-maxD, maxD));
        return elasticFromUniforms(input, severity, ux, uy);
      },
    },
    snow: {
      name: 'snow',
      seeds: [0, 1],
      run: (input, severity, np) => {
        const { width, height } = input;
        const field = Float64Array.from({ length: width * height }, () => np.standardNormal());
        const angle = np.uniform(-135, -45);
        const crop = snowCrop(width, height, severity);
        const normals = new Float64Array(crop.width * crop.height);
        for (let y = 0; y < crop.height; y++) {
          for (let x = 0; x < crop.width; x++) normals[y * crop.width + x] = field[(crop.top + y) * width + crop.left + x];
        }
        return snowFromNormals(input, severity, normals, angle);
      },
    },
    spatter: {
      name: 'spatter',
      seeds: [0, 1],
      run: (input, severity, np) =>
        spatterFromNormals(input, severity, Float64Array.from({ length: input.width * input.height }, () => np.standardNormal())),
    },
    glass_blur: {
      name: 'glass_blur',
      seeds: [0, 1],
      run: (input, severity, np) => {
        const delta = [1, 2, 2, 3, 4][severity - 1];
        return glassBlurWithOffsets(input, severity, (out) => {
          for (let i = 0; i < out.length; i++) out[i] = np.randintOffset(2 * delta);
        });
      },
    },
  };
  for (const [label, replay] of Object.entries(replays)) {
    for (const name of fixtureImages()) {
      it(`${label} on ${name}: per-seed output equals the reference's`, async () => {
        const input = await clean(name);
        let identical = 0;
        let total = 0;
        for (const severity of SEVERITIES) {
          const perSeed = corruptionStats(name, replay.name, severity).per_seed;
          if (!perSeed) throw new Error(`stats.json has no per-seed values for ${replay.name}`);
          for (const seed of replay.seeds) {
            const out = replay.run(input, severity, new NumpyLegacyRandom(seed));
            const stats = diffStats(input, out);
            total++;
            if (rgbSha256(out) === perSeed.rgb_sha256[seed]) identical++;
            // Where bytes differ it is by float rounding in a handful of values (numpy's and
            // V8's exp/log differ in the last bit now and then): the statistics still agree
            // to ~1e-5 of a level.
            expect(Math.abs(stats.psnr - perSeed.psnr[seed]), `s${severity} seed ${seed}`).toBeLessThan(1e-3);
            expect(Math.abs(stats.diff_mean - perSeed.diff_mean[seed]), `s${severity} seed ${seed}`).toBeLessThan(1e-3);
          }
        }
        expect(identical / total, `${identical} of ${total} byte-identical`).toBeGreaterThanOrEqual(0.5);
      });
    }
  }
});

describe('determinism and image sizes', () => {
  it('the same seed gives byte-identical output, another seed another one (stochastic kernels)', async () => {
    const input = await clean(fixtureImages()[0]);
    for (const kernel of KERNELS) {
      const a = kernel.apply(input, 3, new Rng(1234));
      const b = kernel.apply(input, 3, new Rng(1234));
      expect(rgbSha256(a), kernel.name).toBe(rgbSha256(b));
      const c = kernel.apply(input, 3, new Rng(98765));
      if (DETERMINISTIC.includes(kernel)) expect(rgbSha256(c), kernel.name).toBe(rgbSha256(a));
      else expect(rgbSha256(c), kernel.name).not.toBe(rgbSha256(a));
    }
  });

  it('handles 1x1, thin and odd-sized images at every severity', () => {
    const sizes: [number, number][] = [
      [1, 1],
      [1, 9],
      [9, 1],
      [2, 3],
      [7, 5],
      [33, 17],
    ];
    for (const [w, h] of sizes) {
      const image = createRgb(w, h);
      for (let i = 0; i < image.data.length; i++) image.data[i] = (i * 37 + 11) % 256;
      for (const kernel of KERNELS) {
        for (const severity of SEVERITIES) {
          const out = kernel.apply(image, severity, new Rng(7));
          expect([out.width, out.height, out.data.length], `${kernel.name} ${w}x${h} s${severity}`).toEqual([w, h, w * h * 3]);
          expect(rgbSha256(kernel.apply(image, severity, new Rng(7)))).toBe(rgbSha256(out));
        }
      }
    }
  });
});

describe('helpers against their definitions', () => {
  it('borderIndex follows scipy/OpenCV border conventions', () => {
    const seq = (mode: 'reflect' | 'mirror' | 'nearest'): number[] =>
      Array.from({ length: 12 }, (_, k) => borderIndex(k - 4, 4, mode));
    expect(seq('reflect')).toEqual([3, 2, 1, 0, 0, 1, 2, 3, 3, 2, 1, 0]);
    expect(seq('mirror')).toEqual([2, 3, 2, 1, 0, 1, 2, 3, 2, 1, 0, 1]);
    expect(seq('nearest')).toEqual([0, 0, 0, 0, 0, 1, 2, 3, 3, 3, 3, 3]);
    expect(borderIndex(-5, 1, 'mirror')).toBe(0);
  });

  it('uniformOffsets draws each glass-blur offset with equal probability', () => {
    for (const span of [2, 4, 6, 8]) {
      const draw = uniformOffsets(new BulkRandom(new Rng(span)), span);
      const buf = new Uint8Array(1000);
      const counts = new Array<number>(span).fill(0);
      for (let k = 0; k < 120; k++) {
        draw(buf);
        for (const v of buf) counts[v]++;
      }
      const expected = 120000 / span;
      // 120000 draws: a count's standard deviation is below 1 % of its expectation.
      for (const c of counts) expect(Math.abs(c - expected) / expected, `span ${span}: ${counts.join(',')}`).toBeLessThan(0.04);
    }
  });

  it('numpyArange reproduces numpy.arange for the zoom factors (length and values)', () => {
    expect(SEVERITIES.map((s) => zoomFactors(s).length)).toEqual([12, 16, 11, 13, 11]);
    // Values printed by numpy: the accumulated step makes them differ from 1 + k * step.
    expect(numpyArange(1, 1.16, 0.01)[13]).toBe(1.1300000000000001);
    expect(numpyArange(1, 1.31, 0.03)[10]).toBe(1.3000000000000003);
    expect(numpyArange(1, 1.21, 0.02)[9]).toBe(1.1800000000000002);
  });

  it('zoomAxis reproduces scipy zoom\'s zero at a last sample pushed past the edge by rounding', () => {
    // scipy.ndimage.zoom(np.arange(1., 9.), 26 / 8, order=1)[-1] == 0.0 (checked with scipy).
    const plan = zoomAxis(8, 26);
    expect(plan.zero[25]).toBe(1);
    expect(plan.zero.slice(0, 25).every((z) => z === 0)).toBe(true);
    const exact = zoomAxis(9, 17); // step 0.5: the last sample lands exactly on the edge
    expect(exact.zero[16]).toBe(0);
    expect([exact.i0[16], exact.w0[16], exact.w1[16]]).toEqual([8, 1, 0]);
  });

  it('gaussianFilter equals a direct sum with border extension', () => {
    const w = 13;
    const h = 9;
    const src = Float64Array.from({ length: w * h * 2 }, (_, i) => Math.sin(i * 1.7) + (i % 5));
    for (const mode of ['reflect', 'mirror', 'nearest'] as const) {
      const out = gaussianFilter(src, w, h, 2, 1.3, 2.1, { mode, truncate: 4 });
      const ky = kernel1d(1.3, 5);
      const kx = kernel1d(2.1, 8);
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) {
          for (let c = 0; c < 2; c++) {
            let t = 0;
            for (let a = -5; a <= 5; a++) {
              for (let b = -8; b <= 8; b++) {
                t += ky[a + 5] * kx[b + 8] * src[(borderIndex(y + a, h, mode) * w + borderIndex(x + b, w, mode)) * 2 + c];
              }
            }
            expect(out[(y * w + x) * 2 + c]).toBeCloseTo(t, 12);
          }
        }
      }
    }
  });

  it('the fast defocus path equals a direct 2-D correlation with the reference kernel', () => {
    for (const [w, h] of [
      [29, 23],
      [6, 4],
    ]) {
      const image = createRgb(w, h);
      for (let i = 0; i < image.data.length; i++) image.data[i] = (i * 53 + ((i * i) % 7) * 29) % 256;
      for (const [severity, radius, blur] of [
        [1, 3, 0.1],
        [2, 4, 0.5],
        [3, 6, 0.5],
        [4, 8, 0.5],
        [5, 10, 0.5],
      ] as const) {
        const fast = applyDefocusPlan(image, defocusPlan(radius, blur));
        const { half, k } = diskKernel(radius, blur);
        const size = 2 * half + 1;
        const direct = createRgb(w, h);
        for (let y = 0; y < h; y++) {
          for (let x = 0; x < w; x++) {
            for (let c = 0; c < 3; c++) {
              let t = 0;
              for (let dy = -half; dy <= half; dy++) {
                for (let dx = -half; dx <= half; dx++) {
                  const v = image.data[(borderIndex(y + dy, h, 'mirror') * w + borderIndex(x + dx, w, 'mirror')) * 3 + c];
                  t += k[(dy + half) * size + dx + half] * (v / 255);
                }
              }
              direct.data[(y * w + x) * 3 + c] = Math.trunc(Math.min(Math.max(t, 0), 1) * 255);
            }
          }
        }
        const diff = pixelDiff(fast, direct);
        expect(diff.maxAbs, `s${severity} ${w}x${h}`).toBeLessThanOrEqual(1);
        expect(diff.shareDiffering, `s${severity} ${w}x${h}`).toBeLessThan(0.01);
        expect(defocusBlur.apply(image, severity, new Rng(0)).data).toEqual(fast.data);
      }
    }
  });
});

function kernel1d(sigma: number, radius: number): number[] {
  const k = Array.from({ length: 2 * radius + 1 }, (_, i) => Math.exp(-((i - radius) ** 2) / (2 * sigma * sigma)));
  const s = k.reduce((a, b) => a + b, 0);
  return k.map((v) => v / s);
}
