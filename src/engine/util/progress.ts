/**
 * Progress reporting for long engine work: a loop calls the reporter with its count of
 * done units; the reporter emits contract `Progress` events (stage, done, total, ETA in
 * seconds or null). Engine-wide utility (lowest layer): any area may import it.
 */
import type { Progress } from '../../shared/schemas';

/**
 * Turns "one more done" into throttled progress events with an ETA from the mean rate
 * so far. The first and last events are always sent; in between at most ~10 per second
 * so a fast loop does not flood the transport.
 */
export function progressReporter(
  stage: string,
  total: number,
  emit: (p: Progress) => void,
  now: () => number = () => performance.now(),
): (done: number, message?: string) => void {
  const start = now();
  let lastSent = -Infinity;
  return (done, message) => {
    const t = now();
    if (done !== 0 && done < total && t - lastSent < 100) return;
    lastSent = t;
    const elapsed = (t - start) / 1000;
    const etaSeconds = done > 0 && done < total ? (elapsed / done) * (total - done) : done >= total ? 0 : null;
    emit({ stage, done, total, etaSeconds, message });
  };
}
