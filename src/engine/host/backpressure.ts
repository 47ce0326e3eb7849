/**
 * Backpressure of one WebSocket connection of `odra serve`: what to do with a message
 * for a client, given the bytes already queued for it (ws.bufferedAmount: the ws
 * library's queue plus the socket's unsent bytes; what the kernel holds is not counted).
 *
 *   queued > hardLimit                              -> disconnect (the client does not read)
 *   queued > highWater and the message is progress  -> drop (request progress, or a job's
 *                                                      progress event: the next one
 *                                                      supersedes it)
 *   otherwise                                       -> send; when the queue is then over
 *                                                      highWater, the connection's requests
 *                                                      stop being read until it falls to
 *                                                      lowWater or below
 *
 * So a client that stops reading holds at most hardLimit plus one message of the
 * engine's memory. Responses and non-progress events are never dropped: a client that
 * reads again gets every answer. Limits must satisfy 0 < lowWater < highWater < hardLimit.
 */
import type { EngineMessage } from '../../shared/contract';
import { badInput } from '../../shared/errors';

export interface BackpressureLimits {
  /** queued bytes above which requests stop being read and progress is dropped */
  highWater: number;
  /** queued bytes at or below which requests are read again */
  lowWater: number;
  /** queued bytes above which the client is disconnected */
  hardLimit: number;
}

const MiB = 1024 * 1024;
/** Roomy for the app (a preview answer of 95 full-resolution PNG cells is tens of MiB). */
export const DEFAULT_BACKPRESSURE: Readonly<BackpressureLimits> = { highWater: 16 * MiB, lowWater: 4 * MiB, hardLimit: 256 * MiB };

export type SendDecision = 'send' | 'drop' | 'disconnect';

/** Progress that a later progress message supersedes. */
export function isSupersedable(m: EngineMessage): boolean {
  return m.type === 'progress' || (m.type === 'event' && m.event.type === 'progress');
}

export function sendDecision(queued: number, message: EngineMessage, limits: BackpressureLimits): SendDecision {
  if (queued > limits.hardLimit) return 'disconnect';
  if (queued > limits.highWater && isSupersedable(message)) return 'drop';
  return 'send';
}

/**
 * The defaults with `given` over them, checked: each a whole number of bytes above 0 and
 * lowWater < highWater < hardLimit. `names` are what the user set them by (flags), for the message.
 */
export function backpressureLimits(
  given: Partial<BackpressureLimits> = {},
  names: Record<keyof BackpressureLimits, string> = { highWater: 'highWater', lowWater: 'lowWater', hardLimit: 'hardLimit' },
): BackpressureLimits {
  const limits = { ...DEFAULT_BACKPRESSURE, ...given };
  for (const key of ['highWater', 'lowWater', 'hardLimit'] as const) {
    const v = limits[key];
    if (!Number.isSafeInteger(v) || v <= 0) throw badInput(`${names[key]} must be a whole number of bytes above 0 (got ${v})`);
  }
  if (!(limits.lowWater < limits.highWater && limits.highWater < limits.hardLimit)) {
    throw badInput(
      `backpressure limits must satisfy ${names.lowWater} < ${names.highWater} < ${names.hardLimit} ` +
        `(got ${limits.lowWater} < ${limits.highWater} < ${limits.hardLimit}; defaults ${DEFAULT_BACKPRESSURE.lowWater}, ${DEFAULT_BACKPRESSURE.highWater}, ${DEFAULT_BACKPRESSURE.hardLimit})`,
    );
  }
  return limits;
}

/** What the server did about backpressure since it started (all connections). */
export interface BackpressureStats {
  /** the most bytes ever queued for one connection right after a send */
  peakQueued: number;
  /** times a connection's reading was paused at highWater */
  pauses: number;
  /** progress messages dropped over highWater */
  dropped: number;
  /** connections closed over hardLimit */
  disconnected: number;
}
