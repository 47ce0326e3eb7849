/**
 * The runner protocol: typed messages between the engine (plans, writes, scores,
 * resumes) and an audit's runner process (decodes, corrupts, infers). One runner per
 * running audit; it owns the onnxruntime sessions of the audit's models and the
 * corruption worker pool, so a blocked `session.run()`, a native crash or a runaway
 * allocation never touches the process that answers the UI and writes the store.
 *
 *   engine -> runner   init      models (path, adapter), execution provider, CPU budget
 *                      task      one image of a block: its path and, per condition still
 *                                to do, severity, seed and the models still to run
 *                      shutdown  finish nothing more, exit
 *   runner -> engine   ready     per model the provider that actually runs (fallback warning)
 *                      result    one task done: per unit its packed raw detections
 *                                (audits/packing.ts), stage times, optional pixel digests
 *                      error     a task or the init failed (BAD_INPUT names the file)
 *
 * Tasks are answered in the order they were sent. The engine keeps a bounded window
 * of tasks outstanding (backpressure: the runner never holds more images than that);
 * pausing is "send no more and wait for the window", cancelling kills the runner.
 * Messages are structured clones (child_process `serialization: 'advanced'`, or an
 * Electron MessagePort), so packed detections travel as bytes, not JSON.
 */
import type { ErrorCode } from '../../shared/errors';
import type { AdapterConfig } from '../../shared/adapter';
import type { CorruptionName } from '../../shared/corruptions';

export interface RunnerModelSpec {
  position: number;
  path: string;
  adapter: AdapterConfig;
}

export interface RunnerInit {
  type: 'init';
  models: RunnerModelSpec[];
  executionProvider?: string;
  /** onnxruntime intra-op threads per session */
  ortThreads: number;
  /** corruption pool workers */
  poolWorkers: number;
  /** images per ORT run for dynamic-batch models */
  batchSize?: number;
  /** send the SHA-256 of every image fed to the models */
  digests: boolean;
  /**
   * Where the models' input tensors are made: 'pool' (default) in the corruption pool's
   * workers with the corruption, so the inference thread only runs models; 'runner' on
   * the inference thread before each run (the older path, kept for comparison). Both
   * give byte-identical tensors.
   */
  preprocessIn?: 'pool' | 'runner';
}

export interface RunnerTaskCondition {
  conditionPos: number;
  severity: number;
  /** corruptionSeed(...) of this (image, condition); 0 for clean */
  seed: number;
  /** model positions still to run on this (image, condition) */
  models: number[];
}

export interface RunnerTask {
  type: 'task';
  seq: number;
  imagePos: number;
  imageId: number;
  path: string;
  /** the block's corruption; null for the clean block */
  corruption: CorruptionName | null;
  conditions: RunnerTaskCondition[];
}

export type ToRunner = RunnerInit | RunnerTask | { type: 'shutdown' };

export interface RunnerReady {
  type: 'ready';
  pid: number;
  models: { position: number; executionProvider: string; requestedProvider: string; warning: string | null }[];
  /** the runner's own CPU seconds so far (start-up and model loading), so a benchmark can count only the run's */
  cpuSeconds: number;
}

/** Milliseconds spent per stage on one task (wall time of each step; the kernels' own time for corruption). */
export interface StageTimes {
  decodeMs: number;
  corruptMs: number;
  preprocessMs: number;
  inferenceMs: number;
  postprocessMs: number;
  /** the inference thread idle, waiting for this task's inputs (decode, corruption, tensors) */
  waitMs: number;
}

export interface RunnerUnit {
  conditionPos: number;
  modelPos: number;
  /** packed raw detections (audits/packing.ts) */
  detections: Uint8Array;
  /** this unit's share of its model's preprocess + run + decode time (ms): what a calibration measures per model */
  ms?: number;
}

export interface RunnerResult {
  type: 'result';
  seq: number;
  imagePos: number;
  units: RunnerUnit[];
  digests: { conditionPos: number; sha256: string }[];
  stages: StageTimes;
}

export interface RunnerFailure {
  type: 'error';
  /** the task that failed; null for the init */
  seq: number | null;
  code: ErrorCode;
  message: string;
  file?: string;
}

export type FromRunner = RunnerReady | RunnerResult | RunnerFailure;

/** How the engine reaches one runner process, whatever started it. */
export interface RunnerConnection {
  /** the runner's process id when known */
  readonly pid: number | null;
  send(message: ToRunner): void;
  onMessage(listener: (message: FromRunner) => void): void;
  /** the process ended (asked to or not); code or signal as the platform reports them */
  onExit(listener: (exit: { code: number | null; signal: string | null }) => void): void;
  /** ends the process now (cancel, or a runner that does not answer) */
  kill(): void;
}

/**
 * Starts runner processes. Node (CLI, `odra serve`): child_process.fork of
 * out/node/runner.js. Electron: the engine is a utilityProcess that cannot fork Node
 * (RunAsNode fuse off), so it asks Electron main for another utilityProcess and a
 * MessagePort to it.
 */
export interface RunnerLauncher {
  launch(): Promise<RunnerConnection>;
}
