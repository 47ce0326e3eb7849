import { describe, expect, it } from 'vitest';
import { returnTarget, type Focusable } from '../../../../src/renderer/src/ui/focus-return';

const element = (isConnected: boolean): Focusable => ({ isConnected, focus: () => undefined });

describe('returnTarget', () => {
  it('gives focus back to the opener while it is still in the page', () => {
    const opener = element(true);
    expect(returnTarget(opener, () => element(true))).toBe(opener);
  });

  it('falls back when the opener has left the page (a virtual grid dropped it)', () => {
    const other = element(true);
    expect(returnTarget(element(false), () => other)).toBe(other);
    expect(returnTarget(null, () => other)).toBe(other);
  });

  it('gives none when neither the opener nor the fallback is in the page', () => {
    expect(returnTarget(element(false), () => element(false))).toBeNull();
    expect(returnTarget(null, () => null)).toBeNull();
  });
});
