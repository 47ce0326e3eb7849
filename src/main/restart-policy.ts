/**
 * When to restart a crashed engine. A native crash on one malformed model should not
 * cost the analyst the session, but a crash loop (a corrupt store, a broken build)
 * must stop instead of spinning: at most `maxRestarts` within `windowMs`, each one
 * waiting twice as long as the last.
 */
export interface RestartPolicy {
  maxRestarts: number;
  windowMs: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RESTART_POLICY: RestartPolicy = {
  maxRestarts: 5,
  windowMs: 60_000,
  baseDelayMs: 250,
  maxDelayMs: 8_000,
};

/** Restarts still inside the window ending at `now`. */
export function recentRestarts(history: readonly number[], now: number, policy: RestartPolicy): number[] {
  return history.filter((t) => now - t < policy.windowMs);
}

/** Delay before the next restart, or null when the budget for this window is spent. */
export function nextRestartDelay(history: readonly number[], now: number, policy: RestartPolicy): number | null {
  const recent = recentRestarts(history, now, policy).length;
  if (recent >= policy.maxRestarts) return null;
  return Math.min(policy.baseDelayMs * 2 ** recent, policy.maxDelayMs);
}
