/**
 * Bulk random numbers for the per-pixel noise kernels (millions of draws per image).
 *
 * Why not Rng directly: Rng keeps its xoshiro128** state in object fields holding
 * values above 2^31, which V8 stores as boxed heap numbers, so each draw allocates;
 * measured on this machine: ~26 ns per nextUint32 and ~70 ns per normal(), i.e. about
 * 200 ms of normals alone for one 1280x720 RGB image. BulkRandom runs the same
 * algorithm (xoshiro128**, Blackman & Vigna 2018) with its state in an Int32Array, and
 * draws normals with a ziggurat instead of Box-Muller.
 *
 * Determinism: a BulkRandom is seeded by four nextUint32() draws from the kernel's Rng,
 * so its stream is a pure function of the corruption seed (but it is not the same
 * stream as calling rng.nextUint32() repeatedly).
 *
 * Normals: ziggurat with 128 layers in Doornik's ZIGNOR form (J. A. Doornik, "An
 * Improved Ziggurat Method to Generate Normal Random Samples", 2005), which takes the
 * layer index and the abscissa from separate draws and so avoids the correlation flaw of
 * Marsaglia & Tsang's original (2000). Constants R = 3.442619855899,
 * V = 9.91256303526217e-3 are the published ones for 128 layers. Layer and abscissa
 * come from disjoint bits of one 32-bit draw; the abscissa's 25 bits (a step of ~2e-7
 * standard deviations) are far finer than the 8-bit images it perturbs.
 */
import type { Rng } from '../../../shared/prng';

const ZIG_LAYERS = 128;
const ZIG_R = 3.442619855899;
const ZIG_V = 9.91256303526217e-3;

const ZIG_X = new Float64Array(ZIG_LAYERS + 1);
const ZIG_RATIO = new Float64Array(ZIG_LAYERS);

/** The ziggurat's layer edges (129 values) and ratios x[i + 1] / x[i] (128), for the WebAssembly twin (wasm/rng.ts). */
export const ZIGGURAT_X: Readonly<Float64Array> = ZIG_X;
export const ZIGGURAT_RATIO: Readonly<Float64Array> = ZIG_RATIO;
(function initZiggurat(): void {
  let f = Math.exp(-0.5 * ZIG_R * ZIG_R);
  ZIG_X[0] = ZIG_V / f; // bottom layer: rectangle plus tail, as wide as V / f(R)
  ZIG_X[1] = ZIG_R;
  ZIG_X[ZIG_LAYERS] = 0;
  for (let i = 2; i < ZIG_LAYERS; i++) {
    ZIG_X[i] = Math.sqrt(-2 * Math.log(ZIG_V / ZIG_X[i - 1] + f));
    f = Math.exp(-0.5 * ZIG_X[i] * ZIG_X[i]);
  }
  for (let i = 0; i < ZIG_LAYERS; i++) ZIG_RATIO[i] = ZIG_X[i + 1] / ZIG_X[i];
})();

const TWO_POW_M24 = 1 / 16777216;
const TWO_POW_M32 = 1 / 4294967296;
const TWO_POW_M53 = 1 / 9007199254740992;

export class BulkRandom {
  private readonly s = new Int32Array(4);

  constructor(rng: Rng) {
    const s = this.s;
    for (let i = 0; i < 4; i++) s[i] = rng.nextUint32() | 0;
    if ((s[0] | s[1] | s[2] | s[3]) === 0) s[0] = 1; // the all-zero state is a fixed point
  }

  /** The four int32 state words: a WebAssembly kernel continues the stream from them (wasm/rng.ts). */
  state(): [number, number, number, number] {
    const s = this.s;
    return [s[0], s[1], s[2], s[3]];
  }

  /** Continues from the state a WebAssembly kernel left (the inverse of state()). */
  setState(words: readonly [number, number, number, number]): void {
    for (let i = 0; i < 4; i++) this.s[i] = words[i] | 0;
  }

  /** Next 32 random bits as a signed int32 (xoshiro128**). */
  nextInt32(): number {
    const s = this.s;
    const s0 = s[0];
    const s1 = s[1];
    let s2 = s[2];
    let s3 = s[3];
    const m = Math.imul(s1, 5);
    const result = Math.imul((m << 7) | (m >>> 25), 9);
    const t = s1 << 9;
    s2 ^= s0;
    s3 ^= s1;
    s[1] = s1 ^ s2;
    s[0] = s0 ^ s3;
    s[2] = s2 ^ t;
    s[3] = (s3 << 11) | (s3 >>> 21);
    return result;
  }

  /** Next 32 random bits as an unsigned integer. */
  nextUint32(): number {
    return this.nextInt32() >>> 0;
  }

  /** Uniform double in [0, 1) with 53 random bits. */
  uniform53(): number {
    const hi = this.nextInt32() >>> 5;
    const lo = this.nextInt32() >>> 6;
    return (hi * 67108864 + lo) * TWO_POW_M53;
  }

  /** Uniform double in [0, 1) with 32 random bits (one draw): for thresholds and textures. */
  uniform32(): number {
    return (this.nextInt32() >>> 0) * TWO_POW_M32;
  }

  /** Uniform double in (0, 1) (never 0): for logarithms. */
  private uniformOpen(): number {
    return ((this.nextInt32() >>> 0) + 0.5) * TWO_POW_M32;
  }

  /** Standard normal deviate (ziggurat, see the header). */
  normal(): number {
    for (;;) {
      // One draw, disjoint bits: the low 7 pick the layer, the high 25 (signed) give
      // the abscissa, so layer and abscissa are independent (Doornik's point).
      const bits = this.nextInt32();
      const i = bits & (ZIG_LAYERS - 1);
      const u = (bits >> 7) * TWO_POW_M24; // uniform in [-1, 1), 25-bit resolution
      if (Math.abs(u) < ZIG_RATIO[i]) return u * ZIG_X[i];
      if (i === 0) return this.normalTail(u < 0);
      const x = u * ZIG_X[i];
      const f0 = Math.exp(-0.5 * (ZIG_X[i] * ZIG_X[i] - x * x));
      const f1 = Math.exp(-0.5 * (ZIG_X[i + 1] * ZIG_X[i + 1] - x * x));
      if (f1 + this.uniform32() * (f0 - f1) < 1.0) return x;
    }
  }

  /**
   * out[start..end) = the next end - start values of nextInt32(), in order. The state
   * lives in locals for the loop (no Int32Array load/store per draw): ~3x faster than
   * calling nextInt32() per value, and the same stream.
   */
  fillInt32(out: Int32Array, start = 0, end = out.length): void {
    const s = this.s;
    let s0 = s[0];
    let s1 = s[1];
    let s2 = s[2];
    let s3 = s[3];
    for (let i = start; i < end; i++) {
      const m = Math.imul(s1, 5);
      out[i] = Math.imul((m << 7) | (m >>> 25), 9);
      const t = s1 << 9;
      s2 ^= s0;
      s3 ^= s1;
      s1 ^= s2;
      s0 ^= s3;
      s2 ^= t;
      s3 = (s3 << 11) | (s3 >>> 21);
    }
    s[0] = s0;
    s[1] = s1;
    s[2] = s2;
    s[3] = s3;
  }

  /** out[start..end) = the next values of uniform53(), in order (the same stream, faster). */
  fillUniform53(out: Float64Array, start = 0, end = out.length): void {
    const s = this.s;
    let s0 = s[0];
    let s1 = s[1];
    let s2 = s[2];
    let s3 = s[3];
    for (let i = start; i < end; i++) {
      let m = Math.imul(s1, 5);
      const hi = Math.imul((m << 7) | (m >>> 25), 9) >>> 5;
      let t = s1 << 9;
      s2 ^= s0;
      s3 ^= s1;
      s1 ^= s2;
      s0 ^= s3;
      s2 ^= t;
      s3 = (s3 << 11) | (s3 >>> 21);
      m = Math.imul(s1, 5);
      const lo = Math.imul((m << 7) | (m >>> 25), 9) >>> 6;
      t = s1 << 9;
      s2 ^= s0;
      s3 ^= s1;
      s1 ^= s2;
      s0 ^= s3;
      s2 ^= t;
      s3 = (s3 << 11) | (s3 >>> 21);
      out[i] = (hi * 67108864 + lo) * TWO_POW_M53;
    }
    s[0] = s0;
    s[1] = s1;
    s[2] = s2;
    s[3] = s3;
  }

  /** out[start..end) = the next values of uniform32(), in order (the same stream, faster). */
  fillUniform32(out: Float64Array, start = 0, end = out.length): void {
    const s = this.s;
    let s0 = s[0];
    let s1 = s[1];
    let s2 = s[2];
    let s3 = s[3];
    for (let i = start; i < end; i++) {
      const m = Math.imul(s1, 5);
      out[i] = (Math.imul((m << 7) | (m >>> 25), 9) >>> 0) * TWO_POW_M32;
      const t = s1 << 9;
      s2 ^= s0;
      s3 ^= s1;
      s1 ^= s2;
      s0 ^= s3;
      s2 ^= t;
      s3 = (s3 << 11) | (s3 >>> 21);
    }
    s[0] = s0;
    s[1] = s1;
    s[2] = s2;
    s[3] = s3;
  }

  /**
   * out[start..end) = the next values of normal(), in order (the same stream, faster).
   * The ziggurat's fast path (~99 % of draws) runs in fillNormalsFast on local state;
   * a draw that misses it is finished here by normalSlow.
   */
  fillNormals(out: Float64Array, start = 0, end = out.length): void {
    let i = start;
    for (;;) {
      i = this.fillNormalsFast(out, i, end);
      if (i >= end) return;
      const bits = this.missed;
      out[i++] = this.normalSlow(bits & (ZIG_LAYERS - 1), (bits >> 7) * TWO_POW_M24);
    }
  }

  /** The draw that stopped the last fillNormalsFast. */
  private missed = 0;

  /**
   * Fast-path normals into out[i..end) until a draw misses the fast path: returns the
   * index it belongs to (its bits in `missed`, the state already past it), or end.
   * One exit for both cases keeps the optimised code free of rarely-run state stores.
   */
  private fillNormalsFast(out: Float64Array, i: number, end: number): number {
    const s = this.s;
    let s0 = s[0];
    let s1 = s[1];
    let s2 = s[2];
    let s3 = s[3];
    let bits = 0;
    let missed = false;
    // Two draws per iteration: V8 re-validates the typed arrays a loop touches once per
    // iteration (see common/scratch.ts). A miss leaves i at its element.
    while (i + 1 < end) {
      let m = Math.imul(s1, 5);
      bits = Math.imul((m << 7) | (m >>> 25), 9);
      let t = s1 << 9;
      s2 ^= s0;
      s3 ^= s1;
      s1 ^= s2;
      s0 ^= s3;
      s2 ^= t;
      s3 = (s3 << 11) | (s3 >>> 21);
      let layer = bits & (ZIG_LAYERS - 1);
      let u = (bits >> 7) * TWO_POW_M24;
      if (Math.abs(u) >= ZIG_RATIO[layer]) {
        missed = true;
        break;
      }
      out[i] = u * ZIG_X[layer];
      m = Math.imul(s1, 5);
      bits = Math.imul((m << 7) | (m >>> 25), 9);
      t = s1 << 9;
      s2 ^= s0;
      s3 ^= s1;
      s1 ^= s2;
      s0 ^= s3;
      s2 ^= t;
      s3 = (s3 << 11) | (s3 >>> 21);
      layer = bits & (ZIG_LAYERS - 1);
      u = (bits >> 7) * TWO_POW_M24;
      if (Math.abs(u) >= ZIG_RATIO[layer]) {
        i++;
        missed = true;
        break;
      }
      out[i + 1] = u * ZIG_X[layer];
      i += 2;
    }
    if (!missed && i < end) {
      const m = Math.imul(s1, 5);
      bits = Math.imul((m << 7) | (m >>> 25), 9);
      const t = s1 << 9;
      s2 ^= s0;
      s3 ^= s1;
      s1 ^= s2;
      s0 ^= s3;
      s2 ^= t;
      s3 = (s3 << 11) | (s3 >>> 21);
      const layer = bits & (ZIG_LAYERS - 1);
      const u = (bits >> 7) * TWO_POW_M24;
      if (Math.abs(u) >= ZIG_RATIO[layer]) missed = true;
      else out[i++] = u * ZIG_X[layer];
    }
    s[0] = s0;
    s[1] = s1;
    s[2] = s2;
    s[3] = s3;
    this.missed = bits;
    return i;
  }

  /** The rest of normal() for a draw that missed the fast path (layer i, abscissa u). */
  private normalSlow(i: number, u: number): number {
    if (i === 0) return this.normalTail(u < 0);
    const x = u * ZIG_X[i];
    const f0 = Math.exp(-0.5 * (ZIG_X[i] * ZIG_X[i] - x * x));
    const f1 = Math.exp(-0.5 * (ZIG_X[i + 1] * ZIG_X[i + 1] - x * x));
    if (f1 + this.uniform32() * (f0 - f1) < 1.0) return x;
    return this.normal();
  }

  /** Marsaglia's tail method beyond R. */
  private normalTail(negative: boolean): number {
    for (;;) {
      const x = Math.log(this.uniformOpen()) / ZIG_R;
      const y = Math.log(this.uniformOpen());
      if (-2 * y >= x * x) return negative ? x - ZIG_R : ZIG_R - x;
    }
  }
}
