import { describe, expect, it } from 'vitest';
import type { Progress } from '../../../src/shared/schemas';
import { progressReporter } from '../../../src/engine/util/progress';
import { formatEta, renderBar } from '../../../src/cli/progress-bar';

describe('progress reporting', () => {
  it('throttles intermediate events but always sends the first and the last, with an ETA from the rate', () => {
    let t = 0;
    const events: Progress[] = [];
    const report = progressReporter('detecting', 10, (p) => events.push(p), () => t);
    report(0);
    for (let i = 1; i <= 10; i++) {
      t += 20; // 20 ms per item: only every 5th passes the 100 ms throttle
      report(i);
    }
    expect(events[0]).toMatchObject({ done: 0, etaSeconds: null });
    expect(events.at(-1)).toMatchObject({ done: 10, total: 10, etaSeconds: 0 });
    expect(events.length).toBeLessThan(6);
    const mid = events.find((e) => e.done > 0 && e.done < 10);
    expect(mid).toBeDefined();
    // mean rate 20 ms per item -> (10 - done) * 0.02 s left
    expect(mid!.etaSeconds).toBeCloseTo((10 - mid!.done) * 0.02, 6);
  });

  it('draws a bar with counts, stage and ETA', () => {
    expect(renderBar({ stage: 'detecting', done: 5, total: 10, etaSeconds: 75 }, 10)).toBe('[#####.....] 5/10 detecting ETA 1m15s');
    expect(formatEta(null)).toBe('ETA --');
    expect(formatEta(9.6)).toBe('ETA 10s');
  });
});
