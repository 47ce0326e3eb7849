/**
 * The corruption worker pool: corruption never runs on the thread that coordinates.
 * Workers are started lazily (or all at once by warm()) and stopped by close().
 *
 * Scheduling:
 *   - Several jobs per worker: each worker holds up to `depth` jobs (default 2), posted
 *     ahead into its message queue. The thread that owns the pool may be blocked for a
 *     whole onnxruntime run (the audit runner); a worker that finishes a job then starts
 *     its next one at once instead of idling until that thread is free to hand one out.
 *   - Two lanes: `interactive` jobs (previews) are handed out before any queued `bulk`
 *     job (audits), to the worker with the fewest jobs in flight, so an interactive job
 *     waits at most for the jobs already posted to that worker (at most depth - 1
 *     kernels behind the running one), never behind the bulk queue.
 *   - A cancelled job (AbortSignal) leaves the queue at once; one already posted runs to
 *     its end and its result is dropped. Each signal gets one abort listener however
 *     many jobs share it, removed when its last job settles, so no signal collects
 *     listeners (MaxListenersExceededWarning).
 *   - Size: the caller's CPU budget (cpuBudget below splits the cores between the pool
 *     and onnxruntime's intra-op threads); by default cores - 1, at least 1.
 *
 * Model input tensors: prepare() also makes the tensors of given input specs from the
 * corrupted image in the worker (or, without a corruption, from the image as it is), so
 * an audit runner's inference thread receives them ready (pool-protocol.ts, worker.ts).
 *
 * Outputs do not depend on any of this: a kernel's result is a pure function of
 * (image, corruption, severity, seed), whichever worker runs it and in whatever order.
 *
 * The worker script is the bundle `out/node/corruption-worker.js` (see workerScript).
 */
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import { findBundle } from '../util/bundle-path';
import type { CorruptionName, Severity } from '../../shared/corruptions';
import type { RgbImage } from '../images/rgb-image';
import type { ImageTransform } from '../images/model-input';
import type { TensorSpec, WorkerRequest, WorkerResponse } from './pool-protocol';

export type PoolLane = 'interactive' | 'bulk';

interface Job {
  request: WorkerRequest;
  lane: PoolLane;
  resolve: (result: PreparedInput) => void;
  reject: (error: Error) => void;
}

export interface CorruptionResult {
  image: RgbImage;
  /** time in the kernel, without queueing */
  ms: number;
}

/** One model input tensor made in a worker: [3, H, W] float32 values and the image's transform. */
export interface PreparedTensor {
  data: Float32Array;
  transform: ImageTransform;
}

export interface PreparedInput extends CorruptionResult {
  /** one per requested spec, in the order asked */
  tensors: PreparedTensor[];
  /** time making the tensors in the worker */
  preprocessMs: number;
  /** time decoding the file in the worker (prepareFile); 0 for prepare */
  decodeMs: number;
}

/** prepareFile's image could not be decoded; the message says why (not where: the caller names the file). */
export class ImageDecodeError extends Error {}

interface Slot {
  worker: Worker;
  inFlight: Map<number, Job>;
}

export interface PoolOptions {
  /** jobs posted ahead to each worker (>= 1) */
  depth?: number;
  script?: { file: string; execArgv: string[] };
}

export function defaultPoolSize(): number {
  return Math.max(1, os.availableParallelism() - 1);
}

/**
 * How a process's cores are shared between onnxruntime's intra-op threads and the
 * corruption pool, so the two never both claim every core. onnxruntime gets `threads`
 * when asked, else a quarter of the cores (at least 1): in an audit each corrupted image
 * costs several times one small detector's run. The pool gets the rest plus one: ORT's
 * first intra-op thread is the runner's own thread, which waits between runs (for the
 * next corrupted image), so a pool of `cores - threads` would leave that core idle
 * while corruption is the bottleneck. At most one thread more than there are cores.
 */
export function cpuBudget(cores: number, threads?: number): { ortThreads: number; poolWorkers: number } {
  const total = Math.max(1, Math.floor(cores));
  const ortThreads = threads ?? Math.max(1, Math.floor(total / 4));
  return { ortThreads, poolWorkers: Math.max(1, total - ortThreads + 1) };
}

/** The built worker bundle (worker threads cannot load TypeScript; see bundle-path.ts). */
export function workerScript(): { file: string; execArgv: string[] } {
  return { file: findBundle('corruption-worker.js'), execArgv: [] };
}

export class CorruptionPool {
  private readonly slots: Slot[] = [];
  private readonly queues: Record<PoolLane, Job[]> = { interactive: [], bulk: [] };
  private readonly depth: number;
  private readonly script: { file: string; execArgv: string[] };
  private readonly watched = new Map<AbortSignal, { jobs: Set<Job>; listener: () => void }>();
  private nextId = 1;
  private closed = false;
  /** tensor buffers given back by recycle(), sent to workers with the next requests that make tensors */
  private readonly spareTensors: ArrayBuffer[] = [];

  constructor(
    readonly size: number = defaultPoolSize(),
    options: PoolOptions = {},
  ) {
    if (!(size >= 1)) throw new Error(`pool size must be >= 1 (got ${size})`);
    this.depth = options.depth ?? 2;
    if (!(Number.isInteger(this.depth) && this.depth >= 1)) throw new Error(`pool depth must be an integer >= 1 (got ${this.depth})`);
    this.script = options.script ?? workerScript();
  }

  async corrupt(
    image: RgbImage,
    corruption: CorruptionName,
    severity: Severity,
    seed: number,
    signal?: AbortSignal,
    lane: PoolLane = 'bulk',
  ): Promise<RgbImage> {
    return (await this.corruptTimed(image, corruption, severity, seed, signal, lane)).image;
  }

  /** Jobs waiting to be posted to a worker, per lane. */
  queued(): Record<PoolLane, number> {
    return { interactive: this.queues.interactive.length, bulk: this.queues.bulk.length };
  }

  /** Jobs posted to workers and not yet answered. */
  inFlight(): number {
    return this.slots.reduce((n, s) => n + s.inFlight.size, 0);
  }

  /**
   * Queues one corruption. An abort removes the job if it is still queued (a posted
   * kernel finishes, its result is dropped), so a cancelled preview frees the pool.
   */
  corruptTimed(
    image: RgbImage,
    corruption: CorruptionName,
    severity: Severity,
    seed: number,
    signal?: AbortSignal,
    lane: PoolLane = 'bulk',
  ): Promise<CorruptionResult> {
    return this.prepare(image, corruption, severity, seed, [], { signal, lane });
  }

  /**
   * Queues one image: corrupted (unless `corruption` is null), then the tensors of
   * `tensors` made from the result. `transfer` hands the image's own buffer to the
   * worker instead of a copy: the caller must not use the image afterwards.
   */
  prepare(
    image: RgbImage,
    corruption: CorruptionName | null,
    severity: Severity,
    seed: number,
    tensors: TensorSpec[],
    options: { signal?: AbortSignal; lane?: PoolLane; transfer?: boolean } = {},
  ): Promise<PreparedInput> {
    const whole = image.data.byteOffset === 0 && image.data.byteLength === image.data.buffer.byteLength && image.data.buffer instanceof ArrayBuffer;
    // Copy unless told otherwise: the buffer is transferred to the worker, and the caller keeps its image.
    const pixels = options.transfer && whole ? (image.data.buffer as ArrayBuffer) : image.data.slice().buffer;
    return this.queue({ width: image.width, height: image.height, pixels }, corruption, severity, seed, tensors, options);
  }

  /**
   * As prepare(), for the image in `file`, decoded by the worker (decode.ts); a file that
   * cannot be decoded rejects with an ImageDecodeError.
   */
  prepareFile(
    file: string,
    corruption: CorruptionName | null,
    severity: Severity,
    seed: number,
    tensors: TensorSpec[],
    options: { signal?: AbortSignal; lane?: PoolLane } = {},
  ): Promise<PreparedInput> {
    return this.queue({ width: 0, height: 0, pixels: new ArrayBuffer(0), file }, corruption, severity, seed, tensors, options);
  }

  private queue(
    source: { width: number; height: number; pixels: ArrayBuffer; file?: string },
    corruption: CorruptionName | null,
    severity: Severity,
    seed: number,
    tensors: TensorSpec[],
    options: { signal?: AbortSignal; lane?: PoolLane },
  ): Promise<PreparedInput> {
    const { signal, lane = 'bulk' } = options;
    if (this.closed) return Promise.reject(new Error('the corruption pool is closed'));
    if (signal?.aborted) return Promise.reject(new Error('cancelled'));
    return new Promise<PreparedInput>((resolve, reject) => {
      let settled = false;
      const job: Job = {
        request: { id: this.nextId++, corruption, severity, seed, ...source, tensors },
        lane,
        resolve: (r) => {
          if (settled) return;
          settled = true;
          this.unwatch(job, signal);
          resolve(r);
        },
        reject: (e) => {
          if (settled) return;
          settled = true;
          this.unwatch(job, signal);
          reject(e);
        },
      };
      this.watch(job, signal);
      this.queues[lane].push(job);
      this.pump();
    });
  }

  /**
   * One abort listener per signal, however many jobs share it (a preview grid sends 19
   * to 95 jobs under one request signal), removed when its last job settles.
   */
  private watch(job: Job, signal: AbortSignal | undefined): void {
    if (!signal) return;
    let entry = this.watched.get(signal);
    if (!entry) {
      const jobs = new Set<Job>();
      const listener = (): void => {
        for (const j of [...jobs]) {
          const queue = this.queues[j.lane];
          const at = queue.indexOf(j);
          if (at >= 0) queue.splice(at, 1);
          j.reject(new Error('cancelled'));
        }
      };
      entry = { jobs, listener };
      this.watched.set(signal, entry);
      signal.addEventListener('abort', listener, { once: true });
    }
    entry.jobs.add(job);
  }

  private unwatch(job: Job, signal: AbortSignal | undefined): void {
    if (!signal) return;
    const entry = this.watched.get(signal);
    if (!entry) return;
    entry.jobs.delete(job);
    if (entry.jobs.size === 0) {
      signal.removeEventListener('abort', entry.listener);
      this.watched.delete(signal);
    }
  }

  /**
   * Starts every worker and has each make the tensors of `tensors` from a 1x1 image, so
   * that the workers' start-up (loading their bundle, sharp, the first compilations) is
   * paid before the caller's work starts rather than by its first images.
   */
  async warm(tensors: TensorSpec[] = []): Promise<void> {
    const pixel: RgbImage = { width: 1, height: 1, data: new Uint8Array(3) };
    // one job per worker: a new worker is started before any is given a second job (pump)
    await Promise.all(Array.from({ length: this.size - this.slots.length }, () => this.prepare(pixel, null, 1, 0, tensors)));
  }

  /**
   * Gives a tensor buffer made by prepare() back once the caller is done with it (the
   * model ran): a worker fills it again instead of paging in a fresh one. Kept only up to
   * a few per worker; the buffer must not be used after this call.
   */
  recycle(buffer: ArrayBufferLike): void {
    if (buffer instanceof ArrayBuffer && buffer.byteLength > 0 && this.spareTensors.length < 2 * this.size * this.depth) this.spareTensors.push(buffer);
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const lane of ['interactive', 'bulk'] as const) {
      for (const job of this.queues[lane].splice(0)) job.reject(new Error('the corruption pool was closed'));
    }
    for (const slot of this.slots) for (const job of slot.inFlight.values()) job.reject(new Error('the corruption pool was closed'));
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
    this.slots.length = 0;
  }

  private next(): Job | undefined {
    return this.queues.interactive.shift() ?? this.queues.bulk.shift();
  }

  private pump(): void {
    while (this.queues.interactive.length || this.queues.bulk.length) {
      let slot: Slot | undefined;
      for (const s of this.slots) if (!slot || s.inFlight.size < slot.inFlight.size) slot = s;
      // an idle worker is always used; a new one is started before any is given a second job
      if ((!slot || slot.inFlight.size > 0) && this.slots.length < this.size) slot = this.spawn();
      if (!slot || slot.inFlight.size >= this.depth) return;
      const job = this.next()!;
      slot.inFlight.set(job.request.id, job);
      const spares = job.request.tensors.length ? this.spareTensors.splice(0, job.request.tensors.length) : [];
      if (spares.length) job.request.spares = spares;
      slot.worker.postMessage(job.request, [job.request.pixels, ...spares]);
    }
  }

  private spawn(): Slot {
    const worker = new Worker(this.script.file, { execArgv: this.script.execArgv });
    const slot: Slot = { worker, inFlight: new Map() };
    worker.on('message', (res: WorkerResponse) => {
      const job = slot.inFlight.get(res.id);
      slot.inFlight.delete(res.id);
      if (job) {
        if (res.ok) {
          job.resolve({
            image: { width: res.width, height: res.height, data: new Uint8Array(res.pixels) },
            ms: res.ms,
            tensors: res.tensors.map((t) => ({ data: new Float32Array(t.data), transform: t.transform })),
            preprocessMs: res.preprocessMs,
            decodeMs: res.decodeMs,
          });
        } else if (res.decode) job.reject(new ImageDecodeError(res.message));
        else job.reject(new Error(`${job.request.corruption ?? 'preprocessing'}${job.request.corruption ? ` severity ${job.request.severity}` : ''}: ${res.message}`));
      }
      this.pump();
    });
    worker.on('error', (err) => {
      for (const job of slot.inFlight.values()) job.reject(err);
      slot.inFlight.clear();
      const at = this.slots.indexOf(slot);
      if (at >= 0) this.slots.splice(at, 1);
      this.pump();
    });
    this.slots.push(slot);
    return slot;
  }
}
