import { describe, expect, it } from 'vitest';
import { nextRestartDelay, type RestartPolicy } from '../../../src/main/restart-policy';

const policy: RestartPolicy = { maxRestarts: 3, windowMs: 60_000, baseDelayMs: 100, maxDelayMs: 300 };

describe('nextRestartDelay', () => {
  it('backs off exponentially up to the cap', () => {
    expect(nextRestartDelay([], 1_000, policy)).toBe(100);
    expect(nextRestartDelay([1_000], 2_000, policy)).toBe(200);
    expect(nextRestartDelay([1_000, 2_000], 3_000, policy)).toBe(300); // 400 capped
  });

  it('gives up when the budget of the window is spent', () => {
    expect(nextRestartDelay([1_000, 2_000, 3_000], 4_000, policy)).toBeNull();
  });

  it('forgets restarts older than the window', () => {
    expect(nextRestartDelay([1_000, 2_000, 3_000], 61_500, policy)).toBe(300);
    expect(nextRestartDelay([1_000, 2_000, 3_000], 62_500, policy)).toBe(200);
    expect(nextRestartDelay([1_000, 2_000, 3_000], 63_500, policy)).toBe(100);
  });
});
