import { describe, expect, it } from 'vitest';
import { backpressureLimits, DEFAULT_BACKPRESSURE, sendDecision } from '../../../src/engine/host/backpressure';
import type { EngineMessage } from '../../../src/shared/contract';
import { OdraError } from '../../../src/shared/errors';

const limits = { highWater: 1000, lowWater: 100, hardLimit: 5000 };
const response: EngineMessage = { type: 'response', id: '1', ok: true, output: {} };
const progress: EngineMessage = { type: 'progress', id: '1', progress: { stage: 'hashing', done: 1, total: 2, etaSeconds: null } };
const jobProgress: EngineMessage = {
  type: 'event',
  id: '2',
  event: { type: 'progress', jobId: 'j', progress: { stage: 'running', done: 3, total: 9, unitsPerSecond: 1, etaSeconds: 6 } },
};
const jobStatus: EngineMessage = { type: 'event', id: '2', event: { type: 'status', jobId: 'j', status: 'done' } };

describe('WebSocket backpressure decisions', () => {
  it('sends everything while the queue is at or under the high water mark', () => {
    for (const m of [response, progress, jobProgress, jobStatus]) expect(sendDecision(1000, m, limits)).toBe('send');
  });

  it('over the high water mark drops progress (request progress and job progress events) but still sends answers and other events', () => {
    expect(sendDecision(1001, progress, limits)).toBe('drop');
    expect(sendDecision(1001, jobProgress, limits)).toBe('drop');
    expect(sendDecision(4999, response, limits)).toBe('send');
    expect(sendDecision(5000, jobStatus, limits)).toBe('send');
  });

  it('over the hard limit disconnects, whatever the message', () => {
    for (const m of [response, progress, jobStatus]) expect(sendDecision(5001, m, limits)).toBe('disconnect');
  });
});

describe('backpressure limits', () => {
  it('defaults to 16 MiB high water, 4 MiB low water and 256 MiB hard limit, and takes any of them over the defaults', () => {
    expect(backpressureLimits()).toEqual({ highWater: 16 * 2 ** 20, lowWater: 4 * 2 ** 20, hardLimit: 256 * 2 ** 20 });
    expect(backpressureLimits({ hardLimit: 32 * 2 ** 20 })).toEqual({ ...DEFAULT_BACKPRESSURE, hardLimit: 32 * 2 ** 20 });
  });

  it('refuses limits out of order or not whole positive bytes, naming them as the user set them', () => {
    const names = { highWater: '--high-water', lowWater: '--low-water', hardLimit: '--hard-limit' };
    const refused = (given: Parameters<typeof backpressureLimits>[0]): OdraError => {
      try {
        backpressureLimits(given, names);
      } catch (err) {
        if (err instanceof OdraError) return err;
        throw err;
      }
      throw new Error(`${JSON.stringify(given)} was accepted`);
    };
    expect(refused({ highWater: 512 * 2 ** 20 }).message).toBe(
      'backpressure limits must satisfy --low-water < --high-water < --hard-limit (got 4194304 < 536870912 < 268435456; defaults 4194304, 16777216, 268435456)',
    );
    expect(refused({ lowWater: 16 * 2 ** 20 }).code).toBe('BAD_INPUT');
    expect(refused({ lowWater: 0 }).message).toBe('--low-water must be a whole number of bytes above 0 (got 0)');
    expect(refused({ hardLimit: 1.5 }).message).toBe('--hard-limit must be a whole number of bytes above 0 (got 1.5)');
  });
});
