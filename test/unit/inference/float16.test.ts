import { describe, expect, it } from 'vitest';
import { floatToHalfArray, fromHalfBits, halfToFloatArray, toHalfBits } from '../../../src/engine/inference/float16';

describe('float16', () => {
  it('encodes known bit patterns', () => {
    const cases: [number, number][] = [
      [0, 0x0000], [-0, 0x8000], [1, 0x3c00], [-2, 0xc000], [0.5, 0x3800], [65504, 0x7bff],
      [65520, 0x7c00], // rounds up to infinity
      [Infinity, 0x7c00], [-Infinity, 0xfc00], [2 ** -24, 0x0001], [2 ** -14, 0x0400], [2 ** -26, 0x0000],
      [1 + 2 ** -11, 0x3c00], // tie -> even
      [1 + 3 * 2 ** -11, 0x3c02], // tie -> even (up)
      [114, 0x5720], [0.1, 0x2e66],
    ];
    for (const [v, bits] of cases) expect(toHalfBits(v), String(v)).toBe(bits);
    expect(Number.isNaN(fromHalfBits(toHalfBits(NaN)))).toBe(true);
  });

  it('round-trips every finite half exactly and keeps float32 values within half precision', () => {
    for (let h = 0; h < 0x10000; h++) {
      if ((h & 0x7c00) === 0x7c00) continue;
      expect(toHalfBits(fromHalfBits(h))).toBe(h);
    }
    const values = Float32Array.from({ length: 1000 }, (_, i) => (i - 500) * 0.731);
    const back = halfToFloatArray(floatToHalfArray(values));
    values.forEach((v, i) => expect(Math.abs(back[i] - v)).toBeLessThanOrEqual(Math.abs(v) * 2 ** -11 + 1e-7));
  });
});
