/**
 * Shared helpers for corruption fidelity tests: loading the imagecorruptions reference
 * fixtures from ../shared/fixtures/corruptions (never copied into the repo), and the
 * statistics the fixtures were computed with (see that folder's README.md).
 *
 * Used by fidelity-noise-digital-fog-frost and fidelity-blur-snow-elastic-spatter.
 * Keep the API stable: loadFixtureImage, loadReference, psnr, diffStats, pixelDiff,
 * fixtureStats, fixtureImages, fixtureSeeds, corruptionStats, meanDiffStats.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { z } from 'zod';
import type { CorruptionName, Severity } from '../../../src/shared/corruptions';
import { toRgb, type RgbImage } from '../../../src/engine/images/rgb-image';

/** ../shared relative to the repo root (vitest runs with cwd = repo root). */
export const SHARED_DIR = path.resolve(process.cwd(), '../shared');
export const CORRUPTION_FIXTURES_DIR = path.join(SHARED_DIR, 'fixtures', 'corruptions');

function requireFixturesDir(): string {
  const statsPath = path.join(CORRUPTION_FIXTURES_DIR, 'stats.json');
  if (!existsSync(statsPath)) {
    // A missing fixture must fail the run, never skip: silently green fidelity tests
    // would let a wrong kernel into audits.
    throw new Error(
      `corruption fixtures not found: expected ${statsPath} (the shared folder must sit next to the repo as ../shared)`,
    );
  }
  return CORRUPTION_FIXTURES_DIR;
}

// ---------------------------------------------------------------------------------
// stats.json, validated so tests get typed access and a schema change fails loudly.

const meanStd = z.object({ mean: z.number(), std: z.number() });

const severityStatsSchema = z.object({
  psnr: meanStd,
  diff_mean: meanStd,
  diff_std: meanStd,
  mad: meanStd,
  reference: z.object({ png: z.string(), png_sha256: z.string(), rgb_sha256: z.string() }).optional(),
  per_seed: z
    .object({
      psnr: z.array(z.number()),
      diff_mean: z.array(z.number()),
      diff_std: z.array(z.number()),
      mad: z.array(z.number()),
      rgb_sha256: z.array(z.string()),
    })
    .optional(),
});

const corruptionStatsSchema = z.object({
  deterministic: z.boolean(),
  severities: z.object({
    '1': severityStatsSchema,
    '2': severityStatsSchema,
    '3': severityStatsSchema,
    '4': severityStatsSchema,
    '5': severityStatsSchema,
  }),
});

const imageStatsSchema = z.object({
  input: z.string(),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  input_png_sha256: z.string(),
  input_rgb_sha256: z.string(),
  corruptions: z.record(z.string(), corruptionStatsSchema),
});

const statsSchema = z.object({
  seeds: z.array(z.number().int()),
  corruptions: z.array(z.string()),
  deterministic: z.array(z.string()),
  images: z.record(z.string(), imageStatsSchema),
});

export type MeanStd = z.infer<typeof meanStd>;
export type SeverityStats = z.infer<typeof severityStatsSchema>;
export type CorruptionStats = z.infer<typeof corruptionStatsSchema>;
export type ImageStats = z.infer<typeof imageStatsSchema>;
export type FixtureStats = z.infer<typeof statsSchema>;

let cachedStats: FixtureStats | null = null;

/** stats.json, parsed and validated (cached). Throws if ../shared is missing. */
export function fixtureStats(): FixtureStats {
  if (cachedStats) return cachedStats;
  const dir = requireFixturesDir();
  const raw: unknown = JSON.parse(readFileSync(path.join(dir, 'stats.json'), 'utf8'));
  cachedStats = statsSchema.parse(raw);
  return cachedStats;
}

/** The fixture image names (e.g. 'kitti_000010'), in stats.json order. */
export function fixtureImages(): string[] {
  const names = Object.keys(fixtureStats().images);
  if (names.length === 0) throw new Error('stats.json lists no images');
  return names;
}

/** The seeds the reference statistics were averaged over ([0..7]). */
export function fixtureSeeds(): number[] {
  return fixtureStats().seeds;
}

/** Reference statistics of one (image, corruption, severity); throws if absent. */
export function corruptionStats(imageName: string, corruption: CorruptionName, severity: Severity): SeverityStats {
  const image = fixtureStats().images[imageName];
  if (!image) throw new Error(`stats.json has no image ${imageName}`);
  const c = image.corruptions[corruption];
  if (!c) throw new Error(`stats.json has no corruption ${corruption} for ${imageName}`);
  return c.severities[String(severity) as '1' | '2' | '3' | '4' | '5'];
}

// ---------------------------------------------------------------------------------
// PNG loading.

async function decodeRgb(file: string): Promise<RgbImage> {
  if (!existsSync(file)) throw new Error(`fixture image not found: ${file}`);
  // ignoreIcc: PIL (which made the fixtures) hands out the stored bytes untouched, while
  // sharp would otherwise convert through an embedded ICC profile (the COCO input has one)
  // and shift every value.
  const { data, info } = await sharp(file, { ignoreIcc: true })
    .raw({ depth: 'uchar' })
    .toBuffer({ resolveWithObject: true });
  const pixels = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return toRgb(info.width, info.height, info.channels, new Uint8Array(pixels));
}

/** The clean input of a fixture image (its `input.png`), as packed RGB. */
export async function loadFixtureImage(imageName: string): Promise<RgbImage> {
  const dir = requireFixturesDir();
  const stats = fixtureStats().images[imageName];
  if (!stats) throw new Error(`unknown fixture image ${imageName}`);
  const img = await decodeRgb(path.join(dir, stats.input));
  if (img.width !== stats.width || img.height !== stats.height) {
    throw new Error(`${imageName}: decoded ${img.width}x${img.height}, stats.json says ${stats.width}x${stats.height}`);
  }
  // Every statistic is relative to these exact bytes; a decoder change must not pass unnoticed.
  const sha = rgbSha256(img);
  if (sha !== stats.input_rgb_sha256) {
    throw new Error(`${imageName}: decoded RGB sha256 ${sha} differs from stats.json ${stats.input_rgb_sha256}`);
  }
  return img;
}

/** The reference output of a deterministic corruption (`<image>/<corruption>/<severity>.png`). */
export async function loadReference(imageName: string, corruption: CorruptionName, severity: Severity): Promise<RgbImage> {
  const dir = requireFixturesDir();
  const ref = corruptionStats(imageName, corruption, severity).reference;
  if (!ref) throw new Error(`${corruption} is not deterministic: no reference PNG for ${imageName} severity ${severity}`);
  return decodeRgb(path.join(dir, ref.png));
}

/** sha256 of the raw packed RGB bytes (the fixtures' `rgb_sha256`). */
export function rgbSha256(image: RgbImage): string {
  return createHash('sha256').update(image.data).digest('hex');
}

// ---------------------------------------------------------------------------------
// Statistics, with the fixture's definitions (d = corrupted - clean over all H*W*3 values).

function assertSameShape(a: RgbImage, b: RgbImage): void {
  if (a.width !== b.width || a.height !== b.height || a.data.length !== b.data.length) {
    throw new Error(`image shapes differ: ${a.width}x${a.height} vs ${b.width}x${b.height}`);
  }
}

/** PSNR in dB on the 0..255 scale; Infinity when the images are identical. */
export function psnr(a: RgbImage, b: RgbImage): number {
  assertSameShape(a, b);
  let sq = 0;
  const n = a.data.length;
  for (let i = 0; i < n; i++) {
    const d = a.data[i] - b.data[i];
    sq += d * d;
  }
  if (sq === 0) return Infinity;
  return 10 * Math.log10((255 * 255) / (sq / n));
}

export interface DiffStats {
  psnr: number;
  diff_mean: number;
  diff_std: number;
  mad: number;
}

/** The four statistics of stats.json for one (clean, corrupted) pair. */
export function diffStats(clean: RgbImage, corrupted: RgbImage): DiffStats {
  assertSameShape(clean, corrupted);
  const n = clean.data.length;
  // Integer sums are exact in doubles up to 2^53, far beyond any realistic image.
  let sum = 0;
  let sq = 0;
  let abs = 0;
  for (let i = 0; i < n; i++) {
    const d = corrupted.data[i] - clean.data[i];
    sum += d;
    sq += d * d;
    abs += d < 0 ? -d : d;
  }
  const mean = sum / n;
  const mse = sq / n;
  return {
    psnr: mse === 0 ? Infinity : 10 * Math.log10((255 * 255) / mse),
    diff_mean: mean,
    diff_std: Math.sqrt(Math.max(0, mse - mean * mean)),
    mad: abs / n,
  };
}

export interface PixelDiff {
  /** largest |a - b| over all values */
  maxAbs: number;
  /** share of values (of H*W*3) that differ at all */
  shareDiffering: number;
  /** share of values that differ by more than 1 level */
  shareOver1: number;
}

/** How two same-sized images differ value by value (for reports on deterministic kernels). */
export function pixelDiff(a: RgbImage, b: RgbImage): PixelDiff {
  assertSameShape(a, b);
  let maxAbs = 0;
  let differing = 0;
  let over1 = 0;
  const n = a.data.length;
  for (let i = 0; i < n; i++) {
    const d = Math.abs(a.data[i] - b.data[i]);
    if (d > 0) differing++;
    if (d > 1) over1++;
    if (d > maxAbs) maxAbs = d;
  }
  return { maxAbs, shareDiffering: differing / n, shareOver1: over1 / n };
}

/** Mean of each statistic over several runs (e.g. one per seed). */
export function meanDiffStats(runs: readonly DiffStats[]): DiffStats {
  if (runs.length === 0) throw new Error('meanDiffStats of no runs');
  const acc: DiffStats = { psnr: 0, diff_mean: 0, diff_std: 0, mad: 0 };
  for (const r of runs) {
    acc.psnr += r.psnr;
    acc.diff_mean += r.diff_mean;
    acc.diff_std += r.diff_std;
    acc.mad += r.mad;
  }
  return {
    psnr: acc.psnr / runs.length,
    diff_mean: acc.diff_mean / runs.length,
    diff_std: acc.diff_std / runs.length,
    mad: acc.mad / runs.length,
  };
}

// ---------------------------------------------------------------------------------
// numpy's legacy global generator, for tests that replay the reference's exact random
// stream through a kernel's injectable random source (e.g. fog's plasma fractal).

/**
 * MT19937 seeded like `np.random.seed(n)` (init_genrand with a 32-bit integer seed)
 * with numpy's `random_sample()` (53-bit doubles: (a >> 5) * 2^26 + (b >> 6), / 2^53).
 */
export class NumpyLegacyRandom {
  private readonly mt = new Uint32Array(624);
  private index = 624;

  constructor(seed: number) {
    const mt = this.mt;
    mt[0] = seed >>> 0;
    for (let i = 1; i < 624; i++) {
      const prev = mt[i - 1] ^ (mt[i - 1] >>> 30);
      // 1812433253 * prev + i mod 2^32, split to stay exact in doubles
      mt[i] = (Math.imul(1812433253, prev) + i) >>> 0;
    }
  }

  private twist(): void {
    const mt = this.mt;
    for (let i = 0; i < 624; i++) {
      const y = (mt[i] & 0x80000000) | (mt[(i + 1) % 624] & 0x7fffffff);
      let v = mt[(i + 397) % 624] ^ (y >>> 1);
      if (y & 1) v ^= 0x9908b0df;
      mt[i] = v >>> 0;
    }
    this.index = 0;
  }

  nextUint32(): number {
    if (this.index >= 624) this.twist();
    let y = this.mt[this.index++];
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /** numpy legacy `randint(high)` for 1 <= high <= 2^32: masked rejection sampling. */
  randint(high: number): number {
    if (!(high >= 1 && high <= 4294967296)) throw new RangeError(`randint: high out of range: ${high}`);
    const range = high - 1;
    if (range === 0) return 0;
    let mask = range;
    mask |= mask >>> 1;
    mask |= mask >>> 2;
    mask |= mask >>> 4;
    mask |= mask >>> 8;
    mask |= mask >>> 16;
    mask >>>= 0;
    for (;;) {
      const v = (this.nextUint32() & mask) >>> 0;
      if (v <= range) return v;
    }
  }

  /** numpy `random_sample()`: uniform in [0, 1) with 53 bits. */
  randomSample(): number {
    const a = this.nextUint32() >>> 5;
    const b = this.nextUint32() >>> 6;
    return (a * 67108864 + b) / 9007199254740992;
  }
}
