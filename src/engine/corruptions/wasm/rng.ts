/**
 * The kernels' bulk random numbers, bit for bit the streams of ../common/bulk-random.ts
 * (xoshiro128**, Blackman & Vigna 2018; normals by a 128-layer ziggurat in Doornik's
 * ZIGNOR form), so that a WebAssembly kernel draws exactly what its JavaScript twin draws.
 *
 * State: four int32 words, set by randomSeed() from the JavaScript BulkRandom (which
 * takes them from the kernel's Rng) and readable by randomState(). The hot fill loops
 * keep the state in locals and store it back at the end; the xoshiro step is written
 * out in each of them (AssemblyScript has no macros, and globals in a loop cost a load
 * and a store per use).
 *
 * Ziggurat tables: computed once in JavaScript (V8's Math.exp / log / sqrt) and uploaded
 * by setZiggurat(); the rare slow path calls V8's Math.exp and Math.log through imports (rng.exp, rng.log),
 * so every value is the same double as in JavaScript (AssemblyScript's own libm can
 * differ in the last bit).
 */

// Imported as rng.exp and rng.log (AssemblyScript names an import after its file).
declare function exp(x: f64): f64;
declare function log(x: f64): f64;

const LAYERS: i32 = 128;
const ZIG_R: f64 = 3.442619855899;
const TWO_POW_M24: f64 = 1.0 / 16777216.0;
const TWO_POW_M32: f64 = 1.0 / 4294967296.0;
const TWO_POW_M53: f64 = 1.0 / 9007199254740992.0;

let s0: i32 = 1;
let s1: i32 = 0;
let s2: i32 = 0;
let s3: i32 = 0;

/** ZIG_X (LAYERS + 1 float64) and ZIG_RATIO (LAYERS float64) of bulk-random.ts */
let zigX: usize = 0;
let zigRatio: usize = 0;

export function setZiggurat(x: usize, ratio: usize): void {
  zigX = x;
  zigRatio = ratio;
}

export function randomSeed(a: i32, b: i32, c: i32, d: i32): void {
  s0 = a;
  s1 = b;
  s2 = c;
  s3 = d;
}

/** Word i (0..3) of the state, for the JavaScript side to continue the stream. */
export function randomState(i: i32): i32 {
  return i == 0 ? s0 : i == 1 ? s1 : i == 2 ? s2 : s3;
}

/** Next 32 random bits as int32 (BulkRandom.nextInt32). */
export function nextInt32(): i32 {
  const result = rotl<i32>(s1 * 5, 7) * 9;
  const t = s1 << 9;
  s2 ^= s0;
  s3 ^= s1;
  s1 ^= s2;
  s0 ^= s3;
  s2 ^= t;
  s3 = rotl<i32>(s3, 11);
  return result;
}

/** BulkRandom.uniform32: [0, 1) with 32 bits. */
export function uniform32(): f64 {
  return <f64>(<u32>nextInt32()) * TWO_POW_M32;
}

/** BulkRandom.uniform53: [0, 1) with 53 bits (two draws). */
export function uniform53(): f64 {
  const hi = <u32>nextInt32() >>> 5;
  const lo = <u32>nextInt32() >>> 6;
  return (<f64>hi * 67108864.0 + <f64>lo) * TWO_POW_M53;
}

function uniformOpen(): f64 {
  return (<f64>(<u32>nextInt32()) + 0.5) * TWO_POW_M32;
}

/** Marsaglia's tail beyond R (BulkRandom.normalTail). */
function normalTail(negative: bool): f64 {
  for (;;) {
    const x = log(uniformOpen()) / ZIG_R;
    const y = log(uniformOpen());
    if (-2.0 * y >= x * x) return negative ? x - ZIG_R : ZIG_R - x;
  }
  return unreachable();
}

/** The wedge test of layer i at abscissa u (BulkRandom.normal / normalSlow after the fast path failed); NaN = rejected. */
function wedge(i: i32, u: f64): f64 {
  if (i == 0) return normalTail(u < 0);
  const xi = load<f64>(zigX + (<usize>i << 3));
  const xj = load<f64>(zigX + (<usize>(i + 1) << 3));
  const x = u * xi;
  const f0 = exp(-0.5 * (xi * xi - x * x));
  const f1 = exp(-0.5 * (xj * xj - x * x));
  if (f1 + uniform32() * (f0 - f1) < 1.0) return x;
  return NaN;
}

/** One standard normal (BulkRandom.normal). */
export function normal(): f64 {
  for (;;) {
    const bits = nextInt32();
    const i = bits & (LAYERS - 1);
    const u = <f64>(bits >> 7) * TWO_POW_M24;
    if (Math.abs(u) < load<f64>(zigRatio + (<usize>i << 3))) return u * load<f64>(zigX + (<usize>i << 3));
    const w = wedge(i, u);
    if (w == w) return w;
  }
  return unreachable();
}

/** out[0..n) = the next n normals (BulkRandom.fillNormals), float64. */
export function fillNormals(out: usize, n: i32): void {
  let a = s0;
  let b = s1;
  let c = s2;
  let d = s3;
  const xs = zigX;
  const ratios = zigRatio;
  for (let k = 0; k < n; k++) {
    const bits = rotl<i32>(b * 5, 7) * 9;
    const t = b << 9;
    c ^= a;
    d ^= b;
    b ^= c;
    a ^= d;
    c ^= t;
    d = rotl<i32>(d, 11);
    const layer = <usize>(bits & (LAYERS - 1)) << 3;
    const u = <f64>(bits >> 7) * TWO_POW_M24;
    if (Math.abs(u) < load<f64>(ratios + layer)) {
      store<f64>(out + (<usize>k << 3), u * load<f64>(xs + layer));
      continue;
    }
    // Slow path (about 1 draw in 100): through the global state.
    s0 = a;
    s1 = b;
    s2 = c;
    s3 = d;
    let v = wedge(bits & (LAYERS - 1), u);
    if (v != v) v = normal();
    store<f64>(out + (<usize>k << 3), v);
    a = s0;
    b = s1;
    c = s2;
    d = s3;
  }
  s0 = a;
  s1 = b;
  s2 = c;
  s3 = d;
}

/** out[0..n) = the next n values of uniform32() (BulkRandom.fillUniform32), float64. */
export function fillUniform32(out: usize, n: i32): void {
  let a = s0;
  let b = s1;
  let c = s2;
  let d = s3;
  for (let k = 0; k < n; k++) {
    const r = rotl<i32>(b * 5, 7) * 9;
    const t = b << 9;
    c ^= a;
    d ^= b;
    b ^= c;
    a ^= d;
    c ^= t;
    d = rotl<i32>(d, 11);
    store<f64>(out + (<usize>k << 3), <f64>(<u32>r) * TWO_POW_M32);
  }
  s0 = a;
  s1 = b;
  s2 = c;
  s3 = d;
}

/** out[0..n) = the next n values of uniform53() (BulkRandom.fillUniform53), float64. */
export function fillUniform53(out: usize, n: i32): void {
  let a = s0;
  let b = s1;
  let c = s2;
  let d = s3;
  for (let k = 0; k < n; k++) {
    const r1 = rotl<i32>(b * 5, 7) * 9;
    let t = b << 9;
    c ^= a;
    d ^= b;
    b ^= c;
    a ^= d;
    c ^= t;
    d = rotl<i32>(d, 11);
    const r2 = rotl<i32>(b * 5, 7) * 9;
    t = b << 9;
    c ^= a;
    d ^= b;
    b ^= c;
    a ^= d;
    c ^= t;
    d = rotl<i32>(d, 11);
    store<f64>(out + (<usize>k << 3), (<f64>(<u32>r1 >>> 5) * 67108864.0 + <f64>(<u32>r2 >>> 6)) * TWO_POW_M53);
  }
  s0 = a;
  s1 = b;
  s2 = c;
  s3 = d;
}

/** out[0..n) = the next n values of nextInt32() (BulkRandom.fillInt32). */
export function fillInt32(out: usize, n: i32): void {
  let a = s0;
  let b = s1;
  let c = s2;
  let d = s3;
  for (let k = 0; k < n; k++) {
    const r = rotl<i32>(b * 5, 7) * 9;
    const t = b << 9;
    c ^= a;
    d ^= b;
    b ^= c;
    a ^= d;
    c ^= t;
    d = rotl<i32>(d, 11);
    store<i32>(out + (<usize>k << 2), r);
  }
  s0 = a;
  s1 = b;
  s2 = c;
  s3 = d;
}
