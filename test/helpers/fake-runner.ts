/**
 * An in-process stand-in for the audit runner process: it speaks the runner protocol
 * (src/engine/audits/runner-protocol.ts) and answers every task, in order (or, asked
 * to, the second task waiting before the first), with
 * detections made from the ground truth of its image (shifted per condition and model,
 * so every cell has different, non-trivial numbers). It lets the executor's planning,
 * window, writing, resuming and failure paths be tested without onnxruntime; the real
 * runner is tested on real models in test/integration/audits.
 */
import type { FromRunner, RunnerConnection, RunnerLauncher, RunnerTask, ToRunner } from '../../src/engine/audits/runner-protocol';
import { packDetections, type RawDetection } from '../../src/engine/audits/packing';

export interface FakeBehaviour {
  /** the process "dies" (SIGKILL) after answering this many tasks */
  dieAfterResults?: number;
  /** answer the task with this sequence number with a BAD_INPUT error */
  failAtTask?: number;
  /** answer nothing more after this many tasks (over all runners) until release() */
  holdAfterResults?: number;
  /** answer out of order: of two or more tasks waiting, the second first */
  outOfOrder?: boolean;
}

export class FakeRunnerLauncher implements RunnerLauncher {
  launches = 0;
  /** every task any runner of this launcher received */
  readonly tasks: RunnerTask[] = [];
  /** the most tasks sent and not yet answered at any time */
  maxOutstanding = 0;
  /** tasks answered by every runner of this launcher */
  answered = 0;
  /** the sequence numbers of the tasks answered, in the order they were answered */
  readonly answeredSeqs: number[] = [];
  private readonly held: (() => void)[] = [];

  constructor(
    /** GT boxes by image id: [x, y, w, h, class index][] */
    public boxes: ReadonlyMap<number, readonly [number, number, number, number, number][]> = new Map(),
    public behaviour: FakeBehaviour = {},
  ) {}

  /** Lets held runners answer again (and drops the hold). */
  release(): void {
    this.behaviour = { ...this.behaviour, holdAfterResults: undefined };
    for (const resume of this.held.splice(0)) resume();
  }

  /** Called by a runner before each answer: false while held (the runner waits for release). */
  mayAnswer(resume: () => void): boolean {
    const hold = this.behaviour.holdAfterResults;
    if (hold === undefined || this.answered < hold) return true;
    this.held.push(resume);
    return false;
  }

  launch(): Promise<RunnerConnection> {
    this.launches++;
    return Promise.resolve(new FakeRunner(this, { ...this.behaviour }));
  }

  detections(task: RunnerTask, conditionPos: number, modelPos: number): RawDetection[] {
    const shift = conditionPos * 3 + modelPos * 2;
    return (this.boxes.get(task.imageId) ?? []).map(([x, y, w, h, classIndex], i) => ({
      bbox: [x + shift, y + ((i * 7) % 5), w * (1 + modelPos * 0.05), h],
      score: 0.9 - 0.01 * i - 0.02 * conditionPos,
      classIndex,
    }));
  }
}

class FakeRunner implements RunnerConnection {
  readonly pid = null;
  private listener: ((m: FromRunner) => void) | null = null;
  private exitListeners: ((e: { code: number | null; signal: string | null }) => void)[] = [];
  private queue: RunnerTask[] = [];
  private answered = 0;
  private dead = false;
  private busy = false;

  constructor(
    private readonly launcher: FakeRunnerLauncher,
    private readonly behaviour: FakeBehaviour,
  ) {}

  send(message: ToRunner): void {
    if (this.dead) return;
    if (message.type === 'init') {
      setImmediate(() =>
        this.emit({ type: 'ready', pid: 0, cpuSeconds: 0, models: message.models.map((m) => ({ position: m.position, executionProvider: 'cpu', requestedProvider: 'cpu', warning: null })) }),
      );
    } else if (message.type === 'task') {
      this.launcher.tasks.push(message);
      this.queue.push(message);
      this.launcher.maxOutstanding = Math.max(this.launcher.maxOutstanding, this.queue.length);
      this.pump();
    } else {
      this.exit({ code: 0, signal: null });
    }
  }

  onMessage(listener: (m: FromRunner) => void): void {
    this.listener = listener;
  }

  onExit(listener: (e: { code: number | null; signal: string | null }) => void): void {
    this.exitListeners.push(listener);
  }

  kill(): void {
    this.exit({ code: null, signal: 'SIGKILL' });
  }

  private pump(): void {
    if (this.busy) return;
    this.busy = true;
    // answer one task per macrotask, so tasks pile up as they would behind real work
    setImmediate(() => {
      if (!this.launcher.mayAnswer(() => {
        this.busy = false;
        this.pump();
      })) return;
      this.busy = false;
      const task = this.behaviour.outOfOrder && this.queue.length > 1 ? this.queue.splice(1, 1)[0] : this.queue.shift();
      if (!task || this.dead) return;
      if (task.seq === this.behaviour.failAtTask) {
        this.emit({ type: 'error', seq: task.seq, code: 'BAD_INPUT', message: `cannot decode image ${task.path}: broken`, file: task.path });
        return;
      }
      const units = task.conditions.flatMap((c) =>
        c.models.map((modelPos) => ({ conditionPos: c.conditionPos, modelPos, detections: packDetections(this.launcher.detections(task, c.conditionPos, modelPos)) })),
      );
      this.emit({
        type: 'result',
        seq: task.seq,
        imagePos: task.imagePos,
        units,
        digests: [],
        stages: { decodeMs: 1, corruptMs: 1, preprocessMs: 1, inferenceMs: 1, postprocessMs: 1, waitMs: 1 },
      });
      this.answered++;
      this.launcher.answered++;
      this.launcher.answeredSeqs.push(task.seq);
      if (this.behaviour.dieAfterResults !== undefined && this.answered >= this.behaviour.dieAfterResults) {
        this.exit({ code: null, signal: 'SIGKILL' });
        return;
      }
      if (this.queue.length) this.pump();
    });
  }

  private emit(m: FromRunner): void {
    if (!this.dead) this.listener?.(structuredClone(m));
  }

  private exit(e: { code: number | null; signal: string | null }): void {
    if (this.dead) return;
    this.dead = true;
    this.queue = [];
    setImmediate(() => {
      for (const l of this.exitListeners) l(e);
    });
  }
}
