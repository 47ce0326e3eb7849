/**
 * Golden values that pin Odra's PRNG (src/shared/prng.ts): every stochastic corruption,
 * and so every stored number, depends on this exact stream.
 *
 * The vectors were NOT produced by the TypeScript under test. They come from
 * test/fixtures/prng/xoshiro128starstar-reference.c: Blackman & Vigna's reference
 * xoshiro128** `next()` copied unchanged, plus Odra's SplitMix32 seeding, uniform(),
 * Box-Muller normal() and FNV-1a written in C from their definitions. Regenerate with
 *
 *   cc -O2 -std=c11 -o /tmp/xoshiro test/fixtures/prng/xoshiro128starstar-reference.c -lm && /tmp/xoshiro
 *
 * and only ever on purpose: a change here changes every corrupted pixel Odra has scored.
 * The raw-state vector (state 1, 2, 3, 4) is also the one the rand_xoshiro crate's
 * tests take from the reference implementation; the FNV-1a values of "", "a" and
 * "foobar" are the published FNV test vectors.
 */
import { describe, expect, it } from 'vitest';
import { fnv1a32, Rng } from '../../../src/shared/prng';

/** seed -> the first 8 nextUint32() values */
const STREAMS: [number, number[]][] = [
  [0, [3809008728, 1133695204, 53579671, 2891528803, 139681546, 2203266335, 104831812, 1587294886]],
  [1, [2442144158, 3238099751, 3819917871, 2104621829, 2021136066, 4223536128, 1515984730, 2298887649]],
  [42, [2837322924, 544945897, 479756282, 3500138142, 339756180, 113173290, 65323186, 1112262688]],
  [0xffffffff, [835879718, 1921286648, 2356205009, 1885780724, 980451116, 1053911718, 3677392737, 2464361898]],
];

function draws(rng: Rng, n: number): number[] {
  return Array.from({ length: n }, () => rng.nextUint32());
}

describe('Rng (xoshiro128** seeded by SplitMix32)', () => {
  it('reproduces the reference stream for each seed', () => {
    for (const [seed, expected] of STREAMS) expect(draws(new Rng(seed), 8), `seed ${seed}`).toEqual(expected);
  });

  it('steps the state exactly as the reference next() from state (1, 2, 3, 4)', () => {
    const rng = new Rng(0);
    const state = rng as unknown as Record<'s0' | 's1' | 's2' | 's3', number>;
    for (const k of ['s0', 's1', 's2', 's3'] as const) expect(typeof state[k], `Rng keeps its state in ${k}`).toBe('number');
    Object.assign(state, { s0: 1, s1: 2, s2: 3, s3: 4 });
    expect(draws(rng, 8)).toEqual([11520, 0, 5927040, 70819200, 2031721883, 1637235492, 1287239034, 3734860849]);
  });

  it('is still on the reference stream after 10,000 draws', () => {
    const rng = new Rng(123);
    draws(rng, 10_000);
    expect(rng.nextUint32()).toBe(259956200);
  });

  it('reads a seed as its low 32 bits', () => {
    expect(draws(new Rng(2 ** 32 + 42), 8)).toEqual(draws(new Rng(42), 8));
    expect(draws(new Rng(-1), 8)).toEqual(draws(new Rng(0xffffffff), 8));
  });

  it('builds uniform doubles from 53 bits of two draws', () => {
    const rng = new Rng(7);
    expect(Array.from({ length: 4 }, () => rng.uniform())).toEqual([0.2338277214186818, 0.44891458133395923, 0.5656696667785289, 0.5132114466788618]);
  });

  it('draws Box-Muller normals, the cosine value first and the sine value next', () => {
    const rng = new Rng(7);
    const got = Array.from({ length: 4 }, () => rng.normal());
    const expected = [-1.6177301980272665, 0.5378571766297454, -1.0637932992656989, -0.0885088354268399];
    // libm and V8 may differ in the last bit of log/sin/cos; the integer stream above is exact
    got.forEach((v, i) => expect(Math.abs(v - expected[i]), `normal ${i}`).toBeLessThan(1e-12));
  });
});

describe('fnv1a32', () => {
  it('matches the published FNV-1a 32-bit test vectors', () => {
    expect(fnv1a32('')).toBe(2166136261);
    expect(fnv1a32('a')).toBe(3826002220);
    expect(fnv1a32('foobar')).toBe(3214735720);
  });

  it('hashes the UTF-8 bytes of the text', () => {
    expect(fnv1a32('0|389b4ef6e9193c6b7b57a69001f05d479df87dea61920f40265ce82de9b8089f:1|gaussian_noise|3')).toBe(
      1147453300,
    );
    // 'é' is two UTF-8 bytes (0xc3 0xa9), not one UTF-16 unit
    const bytes = (s: number[]): number => s.reduce((h, b) => Math.imul(h ^ b, 0x01000193) >>> 0, 0x811c9dc5);
    expect(fnv1a32('é')).toBe(bytes([0xc3, 0xa9]));
  });
});
