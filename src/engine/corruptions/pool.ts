/**
 * The corruption worker pool: corruption never runs on the thread that answers
 * requests. Sized to the machine (cores - 1, at least 1), shared by previews and audits,
 * first come first served. Workers are started lazily and stopped by close().
 *
 * The worker script is the bundle `out/node/corruption-worker.js` (see workerScript).
 */
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { CorruptionName, Severity } from '../../shared/corruptions';
import type { RgbImage } from '../images/rgb-image';
import type { WorkerRequest, WorkerResponse } from './pool-protocol';

interface Job {
  request: WorkerRequest;
  resolve: (result: CorruptionResult) => void;
  reject: (error: Error) => void;
}

export interface CorruptionResult {
  image: RgbImage;
  /** time in the kernel, without queueing */
  ms: number;
}

interface Slot {
  worker: Worker;
  busy: Job | null;
}

export function defaultPoolSize(): number {
  return Math.max(1, os.availableParallelism() - 1);
}

/**
 * The built worker bundle. It is looked up beside the running bundle (out/node) or,
 * from the TypeScript sources (tests, tsx), under the package root's out/node:
 * worker threads cannot load TypeScript, so tests build the bundles first
 * (test/global-setup.ts).
 */
export function workerScript(): { file: string; execArgv: string[] } {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    for (const candidate of [path.join(dir, 'corruption-worker.js'), path.join(dir, 'out', 'node', 'corruption-worker.js')]) {
      if (existsSync(candidate)) return { file: candidate, execArgv: [] };
    }
    dir = path.dirname(dir);
  }
  throw new Error('cannot find the corruption worker (out/node/corruption-worker.js): run npm run build:node');
}

export class CorruptionPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Job[] = [];
  private nextId = 1;
  private closed = false;

  constructor(readonly size: number = defaultPoolSize(), private readonly script = workerScript()) {
    if (!(size >= 1)) throw new Error(`pool size must be >= 1 (got ${size})`);
  }

  async corrupt(image: RgbImage, corruption: CorruptionName, severity: Severity, seed: number, signal?: AbortSignal): Promise<RgbImage> {
    return (await this.corruptTimed(image, corruption, severity, seed, signal)).image;
  }

  /**
   * Queues one corruption. An abort removes the job if it is still queued (a running
   * kernel finishes, its result is dropped), so a cancelled preview frees the pool.
   */
  corruptTimed(image: RgbImage, corruption: CorruptionName, severity: Severity, seed: number, signal?: AbortSignal): Promise<CorruptionResult> {
    if (this.closed) return Promise.reject(new Error('the corruption pool is closed'));
    if (signal?.aborted) return Promise.reject(new Error('cancelled'));
    // Copy: the buffer is transferred to the worker, and the caller keeps its image.
    const pixels = image.data.slice().buffer;
    return new Promise<CorruptionResult>((resolve, reject) => {
      const job: Job = {
        request: { id: this.nextId++, corruption, severity, seed, width: image.width, height: image.height, pixels },
        resolve,
        reject,
      };
      signal?.addEventListener(
        'abort',
        () => {
          const at = this.queue.indexOf(job);
          if (at >= 0) this.queue.splice(at, 1);
          reject(new Error('cancelled'));
        },
        { once: true },
      );
      this.queue.push(job);
      this.pump();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.queue.splice(0)) job.reject(new Error('the corruption pool was closed'));
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
    this.slots.length = 0;
  }

  private pump(): void {
    while (this.queue.length) {
      let slot = this.slots.find((s) => s.busy === null);
      if (!slot && this.slots.length < this.size) slot = this.spawn();
      if (!slot) return;
      const job = this.queue.shift()!;
      slot.busy = job;
      slot.worker.postMessage(job.request, [job.request.pixels]);
    }
  }

  private spawn(): Slot {
    const worker = new Worker(this.script.file, { execArgv: this.script.execArgv });
    const slot: Slot = { worker, busy: null };
    worker.on('message', (res: WorkerResponse) => {
      const job = slot.busy;
      slot.busy = null;
      if (job) {
        if (res.ok) job.resolve({ image: { width: res.width, height: res.height, data: new Uint8Array(res.pixels) }, ms: res.ms });
        else job.reject(new Error(`${job.request.corruption} severity ${job.request.severity}: ${res.message}`));
      }
      this.pump();
    });
    worker.on('error', (err) => {
      slot.busy?.reject(err);
      slot.busy = null;
      this.slots.splice(this.slots.indexOf(slot), 1);
      this.pump();
    });
    this.slots.push(slot);
    return slot;
  }
}
