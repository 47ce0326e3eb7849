/**
 * The audit runner's work, independent of how its messages travel (runner-entry.ts):
 * decode each task's image once, corrupt it once per condition in the worker pool, run
 * every model that still needs it, and answer each task with its units' packed raw
 * detections (audits/runner-protocol.ts).
 *
 * Pipeline: a task starts decoding (sharp, on libuv threads) and queues its corruptions
 * (pool workers) the moment it arrives (a clean task of one condition is decoded by the pool
 * worker that makes its tensors, so its preparation never waits for this thread), so the images of the tasks in the engine's
 * window are being prepared while this thread is blocked in onnxruntime. Inference goes
 * in task order, condition order; a dynamic-batch model runs up to `batchSize`
 * (image, condition) inputs per run, taken from the tasks already received (never
 * waiting for more), so batching changes no output: every model sees each input
 * exactly once, and the numbers do not depend on how inputs were grouped (the
 * determinism test checks this).
 *
 * Preprocessing: by default (init.preprocessIn 'pool') each (image, condition) goes to a
 * pool worker that corrupts it (clean images: no kernel) and makes the input tensor of
 * every distinct input spec among the models (models with equal input size and
 * preprocessing share one tensor), so the thread that blocks in onnxruntime only
 * assembles batches and runs models. 'runner' keeps the older
 * path (resize and normalise on this thread before each run); the tensors are the same
 * bytes either way (preprocess.ts runs in both places).
 *
 * Post-processing: each run's outputs go to a worker thread (postprocess-thread.ts) that
 * decodes them with the model's adapter, suppresses non-maxima and packs the detections,
 * while this thread runs the next model; a task is answered once its last run is decoded,
 * still in the order the tasks came.
 *
 * A model output with a non-finite value is an error naming the model (Detector.infer
 * checks every output once) and here the image and condition (a NaN score would otherwise
 * vanish below the score threshold and read as AP 0).
 */
import { createHash } from 'node:crypto';
import type { Severity } from '../../shared/corruptions';
import { OdraError, toErrorPayload } from '../../shared/errors';
import type { FromRunner, RunnerInit, RunnerTask, StageTimes, ToRunner } from '../audits/runner-protocol';
import { CorruptionPool, ImageDecodeError, type PreparedTensor } from '../corruptions/pool';
import type { TensorSpec } from '../corruptions/pool-protocol';
import { decodeImage } from '../images/decode';
import type { RgbImage } from '../images/rgb-image';
import { Detector } from '../inference/detector';
import { PostprocessThread } from './postprocess-thread';

/** An image that cannot be decoded, as the error that names it (its reason's first line). */
function undecodable(file: string, err: unknown): OdraError {
  const reason = err instanceof Error ? err.message.split('\n')[0] : String(err);
  return new OdraError('BAD_INPUT', `cannot decode image ${file}: ${reason}`, { file });
}

/** A failure of one task's work, with the task it belongs to. */
class ItemError extends Error {
  constructor(
    readonly seq: number,
    override readonly cause: unknown,
  ) {
    super(cause instanceof Error ? cause.message : String(cause));
  }
}

export interface RunnerChannel {
  send(message: FromRunner): void;
}

interface Input {
  image: RgbImage;
  corruptMs: number;
  /** per input spec (Runner.specs), when the pool made them */
  tensors: PreparedTensor[] | null;
  preprocessMs: number;
}

interface PendingTask {
  task: RunnerTask;
  /** per condition index in task.conditions */
  inputs: Promise<Input>[];
  ready: boolean[];
  /** next condition index to infer */
  next: number;
  /** in inference order; detections arrive from the post-processing worker */
  units: { conditionPos: number; modelPos: number; detections: Uint8Array<ArrayBufferLike>; ms: number }[];
  /** runs of this task still on the post-processing worker */
  postPending: number;
  /** its runs on the post-processing worker (settled or not) */
  posts: Promise<unknown>[];
  digests: { conditionPos: number; sha256: string }[];
  stages: StageTimes;
}

interface Item {
  pending: PendingTask;
  condition: number;
}

export class Runner {
  private detectors = new Map<number, Detector>();
  private modelPaths = new Map<number, string>();
  private pool: CorruptionPool | null = null;
  private post: PostprocessThread | null = null;
  private digests = false;
  /** distinct model input specs the pool makes tensors for; empty: tensors are made here */
  private specs: TensorSpec[] = [];
  /** model position -> index in specs */
  private specOf = new Map<number, number>();
  private readonly tasks: PendingTask[] = [];
  private draining = false;
  private stopped = false;

  constructor(private readonly channel: RunnerChannel) {}

  /** Handles one engine message; never throws (failures become error messages). */
  handle(message: ToRunner): void {
    if (message.type === 'init') void this.init(message);
    else if (message.type === 'task') this.enqueue(message);
    else void this.shutdown();
  }

  async shutdown(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.tasks.length = 0;
    await this.pool?.close();
    await this.post?.close();
    await Promise.all([...this.detectors.values()].map((d) => d.dispose()));
    this.detectors.clear();
  }

  private async init(init: RunnerInit): Promise<void> {
    try {
      this.digests = init.digests;
      this.pool = new CorruptionPool(init.poolWorkers);
      this.post = new PostprocessThread();
      const models: { position: number; executionProvider: string; requestedProvider: string; warning: string | null }[] = [];
      for (const m of init.models) {
        let detector: Detector;
        try {
          detector = await Detector.load(m.path, m.adapter, {
            threads: init.ortThreads,
            maxBatch: init.batchSize,
            executionProvider: init.executionProvider,
            // spinning threads would take the cores the corruption pool works on
            spinning: false,
          });
        } catch (err) {
          const reason = err instanceof Error ? err.message.split('\n')[0] : String(err);
          throw new OdraError('BAD_INPUT', `cannot load model ${m.path}: ${reason}`, { file: m.path });
        }
        this.detectors.set(m.position, detector);
        this.modelPaths.set(m.position, m.path);
        this.post.addModel(m.position, detector.config);
        models.push({ position: m.position, executionProvider: detector.executionProvider, requestedProvider: detector.requestedProvider, warning: detector.warning });
      }
      if ((init.preprocessIn ?? 'pool') === 'pool') {
        for (const [position, detector] of this.detectors) {
          const spec: TensorSpec = { input: detector.config.input, preprocessing: detector.config.preprocessing };
          const key = JSON.stringify([spec.input.width, spec.input.height, spec.preprocessing]);
          let at = this.specs.findIndex((s) => JSON.stringify([s.input.width, s.input.height, s.preprocessing]) === key);
          if (at < 0) at = this.specs.push(spec) - 1;
          this.specOf.set(position, at);
        }
      }
      // the pool's start-up belongs to the runner's, not to the first images' time
      await this.pool.warm(this.specs);
      const cpu = process.cpuUsage();
      this.channel.send({ type: 'ready', pid: process.pid, models, cpuSeconds: (cpu.user + cpu.system) / 1e6 });
    } catch (err) {
      this.fail(null, err);
    }
  }

  private enqueue(task: RunnerTask): void {
    if (this.stopped) return;
    const pending: PendingTask = {
      task,
      inputs: [],
      ready: task.conditions.map(() => false),
      next: 0,
      units: [],
      postPending: 0,
      posts: [],
      digests: [],
      stages: { decodeMs: 0, corruptMs: 0, preprocessMs: 0, inferenceMs: 0, postprocessMs: 0, waitMs: 0 },
    };
    pending.inputs = this.inputsOf(pending);
    pending.inputs.forEach((input, i) =>
      input.then(
        () => {
          pending.ready[i] = true;
        },
        () => undefined,
      ),
    );
    this.tasks.push(pending);
    void this.drain();
  }

  /** The task's model inputs, one per condition, being prepared from the moment it arrived. */
  private inputsOf(pending: PendingTask): Promise<Input>[] {
    const { task } = pending;
    const pool = this.pool;
    const specs = this.specs;
    if (pool && specs.length > 0 && task.corruption === null && task.conditions.length === 1) {
      // A clean image with one condition (a clean evaluation's task): decoded, too, in the
      // pool's worker, so this thread (blocked in onnxruntime most of the time) only posts
      // the job and takes the tensors: no decode callback waits here for a run to end.
      const input = pool.prepareFile(task.path, null, 1, task.conditions[0].seed, specs).then(
        (out): Input => {
          pending.stages.decodeMs = out.decodeMs;
          return { image: out.image, corruptMs: 0, tensors: out.tensors, preprocessMs: out.preprocessMs };
        },
        (err: unknown) => {
          if (!(err instanceof ImageDecodeError)) throw err;
          throw undecodable(task.path, err);
        },
      );
      return [input];
    }
    const t0 = performance.now();
    const decoded = decodeImage(task.path).then(
      (image) => {
        pending.stages.decodeMs = performance.now() - t0;
        return image;
      },
      (err: unknown) => {
        throw undecodable(task.path, err);
      },
    );
    // The last condition's job may take the decoded buffer itself instead of a copy: the
    // jobs are queued in condition order, in callbacks of one promise, which run in the order
    // they were added, so every earlier job has copied the pixels by then.
    const last = task.conditions.length - 1;
    return task.conditions.map((c, i) =>
      task.corruption === null && specs.length === 0
        ? decoded.then((image) => ({ image, corruptMs: 0, tensors: null, preprocessMs: 0 }))
        : decoded.then(async (image) => {
            if (!pool) throw new Error('the runner got a task before init');
            const out = await pool.prepare(image, task.corruption, c.severity as Severity, c.seed, specs, { transfer: i === last });
            return { image: out.image, corruptMs: out.ms, tensors: specs.length ? out.tensors : null, preprocessMs: out.preprocessMs };
          }),
    );
  }

  /** The largest batch any model takes. */
  private batchLimit(): number {
    let b = 1;
    for (const d of this.detectors.values()) b = Math.max(b, d.batchSize);
    return b;
  }

  /** Up to `limit` (task, condition) items in order from the tasks received; the first is always taken. */
  private nextItems(limit: number): Item[] {
    const items: Item[] = [];
    for (const pending of this.tasks) {
      for (let c = pending.next; c < pending.task.conditions.length; c++) {
        // beyond the first, only inputs that are ready: batching never waits
        if (items.length > 0 && !pending.ready[c]) return items;
        items.push({ pending, condition: c });
        if (items.length >= limit) return items;
      }
    }
    return items;
  }

  private async drain(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    try {
      while (!this.stopped) {
        this.sendFinished();
        const items = this.nextItems(this.batchLimit());
        if (!items.length) break;
        try {
          await this.run(items);
        } catch (err) {
          const seq = err instanceof ItemError ? err.seq : items[0].pending.task.seq;
          // answers stay in task order: the tasks before the failed one are done but for
          // their post-processing, so they are answered first, then the error
          const at = this.tasks.findIndex((t) => t.task.seq === seq);
          await Promise.allSettled(this.tasks.slice(0, at < 0 ? 0 : at).flatMap((t) => t.posts));
          if (at >= 0 && !this.tasks.some((t) => t.task.seq === seq)) break; // a post-processing error was answered meanwhile
          this.sendFinished();
          this.fail(seq, err instanceof ItemError ? err.cause : err);
          // the engine stops the audit on an error; what is left is dropped
          this.tasks.length = 0;
          break;
        }
        // items are consecutive and in order: the last one of a task is its furthest condition
        for (const it of items) it.pending.next = it.condition + 1;
      }
    } finally {
      this.draining = false;
    }
  }

  /** Answers the finished tasks at the head, in the order they came. */
  private sendFinished(): void {
    while (this.tasks.length && this.tasks[0].next >= this.tasks[0].task.conditions.length && this.tasks[0].postPending === 0) {
      const done = this.tasks.shift()!;
      this.channel.send({ type: 'result', seq: done.task.seq, imagePos: done.task.imagePos, units: done.units, digests: done.digests, stages: done.stages });
    }
  }

  private async run(items: Item[]): Promise<void> {
    const inputs: Input[] = [];
    for (const it of items) {
      const t0 = performance.now();
      try {
        inputs.push(await it.pending.inputs[it.condition]);
      } catch (err) {
        throw new ItemError(it.pending.task.seq, err);
      }
      it.pending.stages.waitMs += performance.now() - t0;
    }
    items.forEach((it, k) => {
      it.pending.stages.corruptMs += inputs[k].corruptMs;
      it.pending.stages.preprocessMs += inputs[k].preprocessMs;
      if (this.digests) {
        const sha256 = createHash('sha256').update(inputs[k].image.data).digest('hex');
        it.pending.digests.push({ conditionPos: it.pending.task.conditions[it.condition].conditionPos, sha256 });
      }
    });
    for (const [position, detector] of this.detectors) {
      const wanted = items.map((it, k) => ({ it, k })).filter(({ it }) => it.pending.task.conditions[it.condition].models.includes(position));
      for (let start = 0; start < wanted.length; start += detector.batchSize) {
        const group = wanted.slice(start, start + detector.batchSize);
        const before = { ...detector.timings };
        const post = this.post;
        if (!post) throw new Error('the runner ran a model before init');
        let finished;
        try {
          const spec = this.specOf.get(position);
          const batch =
            spec === undefined
              ? await detector.prepare(group.map(({ k }) => inputs[k].image))
              : detector.prepareFrom(group.map(({ k }) => this.tensorOf(inputs[k], spec)));
          const outputs = await detector.infer(batch);
          // decoding and NMS go on on the worker while this thread runs the next model
          finished = post.finish(position, outputs, batch.transforms);
        } catch (err) {
          throw new ItemError(group[0].it.pending.task.seq, this.onImages(err, group.map(({ it }) => it)));
        }
        const pre = (detector.timings.preprocessMs - before.preprocessMs) / group.length;
        const inf = (detector.timings.inferenceMs - before.inferenceMs) / group.length;
        const units = group.map(({ it }) => {
          const unit: PendingTask['units'][number] = { conditionPos: it.pending.task.conditions[it.condition].conditionPos, modelPos: position, detections: new Uint8Array(0), ms: pre + inf };
          it.pending.units.push(unit);
          it.pending.postPending++;
          it.pending.posts.push(finished);
          it.pending.stages.preprocessMs += pre;
          it.pending.stages.inferenceMs += inf;
          return unit;
        });
        finished.then(
          ({ packed, ms }) => {
            const share = ms / group.length;
            group.forEach(({ it }, j) => {
              units[j].detections = packed[j];
              units[j].ms += share;
              it.pending.stages.postprocessMs += share;
              it.pending.postPending--;
            });
            if (!this.stopped) this.sendFinished();
          },
          (err: unknown) => {
            if (this.stopped || !this.tasks.includes(group[0].it.pending)) return;
            const reason = err instanceof Error ? err.message : String(err);
            this.fail(group[0].it.pending.task.seq, new OdraError('INTERNAL', `decoding the outputs of model ${this.modelPaths.get(position)} failed: ${reason}`, { file: this.modelPaths.get(position) }));
            // the engine stops the audit on an error; what is left is dropped
            this.tasks.length = 0;
          },
        );
      }
    }
    // every model has run on these inputs: their tensors go back to the pool to be filled again
    for (const input of inputs) for (const t of input.tensors ?? []) this.pool?.recycle(t.data.buffer);
  }

  private tensorOf(input: Input, spec: number): PreparedTensor {
    const t = input.tensors?.[spec];
    if (!t) throw new Error(`the pool returned no input tensor ${spec} for an image`);
    return t;
  }

  /** A model's error (Detector.infer refuses non-finite outputs) with the image and condition it happened on. */
  private onImages(err: unknown, items: Item[]): unknown {
    if (!(err instanceof OdraError)) return err;
    const { task } = items[0].pending;
    const condition = task.conditions[items[0].condition];
    const where = task.corruption === null ? 'clean' : `${task.corruption} severity ${condition.severity}`;
    const what = items.length === 1 ? `image ${task.path}` : `a batch of ${items.length} inputs from image ${task.path}`;
    return new OdraError(err.code, `${err.message} (on ${what}, ${where})`, err.details);
  }

  private fail(seq: number | null, err: unknown): void {
    const payload = toErrorPayload(err);
    const file = typeof payload.details?.file === 'string' ? payload.details.file : undefined;
    this.channel.send({ type: 'error', seq, code: payload.code, message: payload.message, ...(file ? { file } : {}) });
  }
}
