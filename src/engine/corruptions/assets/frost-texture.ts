/**
 * Procedural frost textures for the frost corruption.
 *
 * The reference (imagecorruptions) blends one of five photographs of frost on a window
 * pane. Odra does not ship those photographs; it generates five texture variants here,
 * deterministically (fixed seeds, only +, *, /, sqrt, floor and Math.exp/log from the
 * seeded generator's ziggurat, so every platform gets the same bytes), the first time a
 * variant is used in a process.
 *
 * Look: ice on glass is (a) a milky haze whose thickness varies smoothly, (b) dendritic
 * "feather" crystals, long thin strokes that branch at about 60 degrees, denser where the
 * haze is thick, and (c) fine grain. The pattern below layers exactly these: a
 * value-noise fBm haze, recursively branching anti-aliased strokes whose density follows
 * the haze, and a one-pixel grain, then a light 3x3 blur (the photos are not
 * pixel-sharp). The result is normalised to zero mean and unit variance; the frost
 * kernel maps it to intensity with per-variant level and contrast calibrated against
 * the reference statistics (see kernels/frost.ts).
 */
import { Rng } from '../../../shared/prng';
import { BulkRandom } from '../common/bulk-random';

/** Size of the generated base textures (the reference photos are of similar size). */
export const FROST_TEXTURE_WIDTH = 1024;
export const FROST_TEXTURE_HEIGHT = 768;
export const FROST_VARIANTS = 5;

/** Fixed seeds of the five variants: part of Odra's definition of frost. */
const VARIANT_SEEDS = [0x6f647261, 0x66726f31, 0x66726f32, 0x66726f33, 0x66726f34];

/** Per-variant shape of the pattern: how much haze vs. crystals, and crystal density. */
interface PatternStyle {
  haze: number;
  crystals: number;
  grain: number;
  /** number of crystal seeds per megapixel */
  density: number;
  /** base length of primary strokes, px */
  strokeLength: number;
}

const STYLES: readonly PatternStyle[] = [
  { haze: 0.55, crystals: 1.0, grain: 0.12, density: 900, strokeLength: 55 },
  { haze: 0.75, crystals: 0.8, grain: 0.1, density: 700, strokeLength: 70 },
  { haze: 0.45, crystals: 1.0, grain: 0.15, density: 1100, strokeLength: 45 },
  { haze: 0.65, crystals: 0.9, grain: 0.12, density: 800, strokeLength: 60 },
  { haze: 0.5, crystals: 1.1, grain: 0.14, density: 1000, strokeLength: 50 },
];

/** Smoothly interpolated lattice noise (one octave) added into `out` with weight w. */
function addValueNoise(out: Float32Array, width: number, height: number, cell: number, w: number, random: BulkRandom): void {
  const gw = Math.ceil(width / cell) + 2;
  const gh = Math.ceil(height / cell) + 2;
  const grid = new Float32Array(gw * gh);
  for (let i = 0; i < grid.length; i++) grid[i] = random.uniform32() * 2 - 1;
  for (let y = 0; y < height; y++) {
    const fy = y / cell;
    const gy = Math.floor(fy);
    const ty = fy - gy;
    const sy = ty * ty * (3 - 2 * ty);
    const row0 = gy * gw;
    const row1 = row0 + gw;
    for (let x = 0; x < width; x++) {
      const fx = x / cell;
      const gx = Math.floor(fx);
      const tx = fx - gx;
      const sx = tx * tx * (3 - 2 * tx);
      const a = grid[row0 + gx] + (grid[row0 + gx + 1] - grid[row0 + gx]) * sx;
      const b = grid[row1 + gx] + (grid[row1 + gx + 1] - grid[row1 + gx]) * sx;
      out[y * width + x] += w * (a + (b - a) * sy);
    }
  }
}

/** Adds an anti-aliased line (splatted every half pixel with bilinear weights). */
function drawStroke(
  out: Float32Array,
  width: number,
  height: number,
  x0: number,
  y0: number,
  x1: number,
  y1: number,
  intensity: number,
): void {
  const len = Math.sqrt((x1 - x0) * (x1 - x0) + (y1 - y0) * (y1 - y0));
  const steps = Math.max(1, Math.ceil(len * 2));
  for (let s = 0; s <= steps; s++) {
    const t = s / steps;
    const x = x0 + (x1 - x0) * t;
    const y = y0 + (y1 - y0) * t;
    const ix = Math.floor(x);
    const iy = Math.floor(y);
    if (ix < 0 || iy < 0 || ix + 1 >= width || iy + 1 >= height) continue;
    const fx = x - ix;
    const fy = y - iy;
    // Fades toward the tip, like a growing crystal.
    const v = intensity * (1 - 0.6 * t) * 0.5;
    const p = iy * width + ix;
    out[p] += v * (1 - fx) * (1 - fy);
    out[p + 1] += v * fx * (1 - fy);
    out[p + width] += v * (1 - fx) * fy;
    out[p + width + 1] += v * fx * fy;
  }
}

/** A branching crystal: a stroke plus side branches at about +-60 degrees, recursively. */
function drawCrystal(
  out: Float32Array,
  width: number,
  height: number,
  x: number,
  y: number,
  angle: number,
  length: number,
  intensity: number,
  depth: number,
  random: BulkRandom,
): void {
  const x1 = x + Math.cos(angle) * length;
  const y1 = y + Math.sin(angle) * length;
  drawStroke(out, width, height, x, y, x1, y1, intensity);
  if (depth === 0 || length < 4) return;
  const branches = 2 + Math.floor(random.uniform32() * 4);
  for (let b = 0; b < branches; b++) {
    const t = 0.15 + 0.8 * random.uniform32();
    const bx = x + (x1 - x) * t;
    const by = y + (y1 - y) * t;
    const side = random.uniform32() < 0.5 ? -1 : 1;
    const a = angle + side * (Math.PI / 3 + (random.uniform32() - 0.5) * 0.3);
    drawCrystal(out, width, height, bx, by, a, length * (0.25 + 0.3 * random.uniform32()) * (1 - t * 0.5), intensity * 0.8, depth - 1, random);
  }
}

function boxBlur3(src: Float32Array, width: number, height: number): Float32Array {
  const tmp = new Float32Array(src.length);
  const out = new Float32Array(src.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const l = x > 0 ? x - 1 : x;
      const r = x < width - 1 ? x + 1 : x;
      const row = y * width;
      tmp[row + x] = (src[row + l] + src[row + x] + src[row + r]) / 3;
    }
  }
  for (let y = 0; y < height; y++) {
    const u = y > 0 ? y - 1 : y;
    const d = y < height - 1 ? y + 1 : y;
    for (let x = 0; x < width; x++) {
      out[y * width + x] = (tmp[u * width + x] + tmp[y * width + x] + tmp[d * width + x]) / 3;
    }
  }
  return out;
}

/**
 * The zero-mean, unit-variance frost pattern of one variant (row-major,
 * FROST_TEXTURE_WIDTH x FROST_TEXTURE_HEIGHT). Deterministic; costs ~0.1-0.3 s.
 */
export function generateFrostPattern(variant: number): Float32Array {
  const style = STYLES[variant];
  if (style === undefined) throw new RangeError(`frost texture variant must be 0..${FROST_VARIANTS - 1}, got ${variant}`);
  const width = FROST_TEXTURE_WIDTH;
  const height = FROST_TEXTURE_HEIGHT;
  const random = new BulkRandom(new Rng(VARIANT_SEEDS[variant]));

  // (a) haze: fBm in [-1, 1]-ish, mapped to a thickness in [0, 1].
  const haze = new Float32Array(width * height);
  let w = 1;
  for (let cell = 64; cell >= 4; cell /= 2, w *= 0.6) addValueNoise(haze, width, height, cell, w, random);
  let hmin = Infinity;
  let hmax = -Infinity;
  for (let i = 0; i < haze.length; i++) {
    if (haze[i] < hmin) hmin = haze[i];
    if (haze[i] > hmax) hmax = haze[i];
  }
  for (let i = 0; i < haze.length; i++) haze[i] = (haze[i] - hmin) / (hmax - hmin || 1);

  // (b) crystals, seeded where the haze is thick.
  const crystals = new Float32Array(width * height);
  const seeds = Math.round((style.density * width * height) / 1e6);
  for (let placed = 0, tries = 0; placed < seeds && tries < seeds * 20; tries++) {
    const x = random.uniform32() * width;
    const y = random.uniform32() * height;
    const thickness = haze[Math.floor(y) * width + Math.floor(x)];
    if (random.uniform32() > 0.35 + 0.65 * thickness) continue;
    placed++;
    const angle = random.uniform32() * 2 * Math.PI;
    const length = style.strokeLength * (0.4 + random.uniform32());
    drawCrystal(crystals, width, height, x, y, angle, length, 0.3 + 0.4 * random.uniform32(), 3, random);
  }

  // (c) grain, then combine and soften.
  const pattern = new Float32Array(width * height);
  for (let i = 0; i < pattern.length; i++) {
    const c = crystals[i];
    pattern[i] = style.haze * haze[i] + style.crystals * (c / (1 + c)) + style.grain * (random.uniform32() - 0.5);
  }
  const soft = boxBlur3(pattern, width, height);

  let mean = 0;
  for (let i = 0; i < soft.length; i++) mean += soft[i];
  mean /= soft.length;
  let variance = 0;
  for (let i = 0; i < soft.length; i++) variance += (soft[i] - mean) * (soft[i] - mean);
  const std = Math.sqrt(variance / soft.length) || 1;
  for (let i = 0; i < soft.length; i++) soft[i] = (soft[i] - mean) / std;
  return soft;
}
