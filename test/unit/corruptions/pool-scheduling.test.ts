import { getEventListeners } from 'node:events';
import { afterAll, describe, expect, it } from 'vitest';
import { CorruptionPool, cpuBudget } from '../../../src/engine/corruptions/pool';
import type { RgbImage } from '../../../src/engine/images/rgb-image';
import { loadFixtureImage } from './fidelity-helpers';

describe('corruption pool scheduling', () => {
  const pools: CorruptionPool[] = [];
  const track = (pool: CorruptionPool): CorruptionPool => {
    pools.push(pool);
    return pool;
  };
  afterAll(async () => {
    await Promise.all(pools.map((p) => p.close()));
  });

  it('posts up to depth jobs to each worker ahead, so a worker never waits for the owning thread', async () => {
    const image = await loadFixtureImage('kitti_000010');
    const pool = track(new CorruptionPool(1, { depth: 2 }));
    const jobs = [1, 2, 3].map((s) => pool.corrupt(image, 'contrast', s as 1 | 2 | 3, 0));
    expect(pool.inFlight()).toBe(2);
    expect(pool.queued()).toEqual({ interactive: 0, bulk: 1 });
    await Promise.all(jobs);
    expect(pool.inFlight()).toBe(0);
  });

  it('hands an interactive job out before every queued bulk job', async () => {
    const image = await loadFixtureImage('kitti_000010');
    const pool = track(new CorruptionPool(1, { depth: 1 }));
    const order: string[] = [];
    const note = (label: string) => (): void => {
      order.push(label);
    };
    const bulk = [1, 2, 3, 4].map((s) => pool.corrupt(image, 'contrast', s as 1 | 2 | 3 | 4, 0).then(note(`bulk${s}`)));
    const interactive = pool.corrupt(image, 'brightness', 2, 0, undefined, 'interactive').then(note('interactive'));
    expect(pool.queued()).toEqual({ interactive: 1, bulk: 3 });
    await Promise.all([...bulk, interactive]);
    // bulk1 was already running; the preview goes next, ahead of the three queued bulk jobs
    expect(order).toEqual(['bulk1', 'interactive', 'bulk2', 'bulk3', 'bulk4']);
  });

  it('removes a cancelled job from the queue at once; a signal gets one abort listener, removed with its last job', async () => {
    const image = await loadFixtureImage('kitti_000010');
    const pool = track(new CorruptionPool(1, { depth: 1 }));
    const shared = new AbortController();
    const many = Array.from({ length: 30 }, (_, i) => pool.corrupt(image, 'contrast', ((i % 5) + 1) as 1, 0, shared.signal));
    expect(getEventListeners(shared.signal, 'abort').length).toBe(1);
    await Promise.all(many);
    expect(getEventListeners(shared.signal, 'abort').length).toBe(0);

    const first = pool.corrupt(image, 'contrast', 1, 0);
    const own = new AbortController();
    const second = pool.corrupt(image, 'contrast', 2, 0, own.signal);
    expect(pool.queued().bulk).toBe(1);
    own.abort();
    expect(pool.queued().bulk).toBe(0);
    await expect(second).rejects.toThrow(/cancelled/);
    const out: RgbImage = await first;
    expect(out.width).toBe(image.width);
    expect(getEventListeners(own.signal, 'abort').length).toBe(0);
  });
});

describe('CPU budget', () => {
  it("gives onnxruntime a quarter of the cores (at least one) and the pool the rest plus ORT's waiting calling thread", () => {
    expect(cpuBudget(2)).toEqual({ ortThreads: 1, poolWorkers: 2 });
    expect(cpuBudget(8)).toEqual({ ortThreads: 2, poolWorkers: 7 });
    expect(cpuBudget(16, 4)).toEqual({ ortThreads: 4, poolWorkers: 13 });
    expect(cpuBudget(1)).toEqual({ ortThreads: 1, poolWorkers: 1 });
    expect(cpuBudget(4, 8)).toEqual({ ortThreads: 8, poolWorkers: 1 });
    // never more threads than cores + 1
    for (const cores of [1, 2, 3, 4, 6, 8, 12, 16, 32, 64]) {
      const b = cpuBudget(cores);
      expect(b.ortThreads + b.poolWorkers, `${cores} cores`).toBeLessThanOrEqual(cores + 1);
    }
  });
});
