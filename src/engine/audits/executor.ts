/**
 * Running (or resuming) one audit: the engine's side of the work. It plans what is
 * left, feeds a runner process (runner-protocol.ts) through a bounded window of tasks,
 * writes what comes back, scores cells as their blocks complete, and reports progress.
 * It never computes detections itself and never holds the thread for long: results are
 * small messages, writes are batched transactions, scoring runs on the scorer worker.
 *
 * One run:
 *   1. re-verify every model file and audited image (verify-files.ts): a changed file
 *      fails the run with BAD_INPUT naming it;
 *   2. record provenance (the machine and settings of this run are appended);
 *   3. score cells whose units are all stored but that were not scored (a crash
 *      between the last write and scoring);
 *   4. start the runner (at a lower scheduling priority than the engine) and load the
 *      models; record the provider each actually runs on;
 *   5. stream tasks block by block (plan.ts): for every image of a block, the
 *      conditions and models still missing (cell counters; a partly done cell's done
 *      images are read once); at most `window` tasks and ~512 MiB of pixels outstanding;
 *   6. each result's units are written, with their cells' counters, in transactions of
 *      up to 128 units (or every 250 ms): committed units are what a resume keeps;
 *   7. cells are scored (scorer.ts) from the stored units, never from the runner's
 *      messages, and saved in block order once the block's last unit is written; a "cell"
 *      event carries each cell's metrics; the audit is done when every cell is scored.
 *      When a cell is scored:
 *      - streamed, while its block runs: a cell with no unit stored when the run started
 *        is set up on the scorer when its block's first task is sent (while the bound
 *        below is reached: as soon as it leaves room; its commits are tracked from the
 *        block's first task either way), and after every
 *        write its newly committed units are read back from the store and posted, so
 *        when the block's last unit is written only the last page and the accumulation
 *        are left. The pages follow a frontier: the first image position whose unit is
 *        not committed yet; everything below it is committed (this run writes every unit
 *        of such a cell, whatever order the runner answers in), so each page is exactly
 *        the next image positions, read once, and nothing written later can land behind
 *        the cursor;
 *      - at the block's end, one cell after another, as before streaming: a cell that had
 *        units stored before the run (a resumed run), and the cells that do not fit the
 *        streaming bound: the worker holds one per-image evaluation per (image, cell in
 *        progress), so cells stream only while (audit images) x (cells in progress) stays
 *        under STREAMED_IMAGE_EVALS (one slot kept for the cell scored at a block's end);
 *      - a streamed cell whose block cannot finish in this run (pause, cancel, engine
 *        shutdown, a runner that dies, a failure) is dropped on the worker and not saved;
 *        its units stay, and the run that completes the block scores it at the end.
 *
 * Stopping: pause (and engine shutdown) sends no more tasks, waits for the outstanding
 * ones, writes them and shuts the runner down: status paused. Cancel kills the runner
 * and keeps what was written: status cancelled. A runner that dies unasked (SIGKILL,
 * a native crash) leaves the audit interrupted with a message saying so; a task error
 * (an undecodable image, a model with non-finite output) fails it. Paused, interrupted
 * and failed audits resume from their last committed unit. Whichever way a run ends, it
 * reports only after the cells of its completed blocks are saved (a cancel aborts them
 * between pages) and its unfinished streamed cells are dropped, so no cell is saved
 * behind a finished job.
 */
import os from 'node:os';
import { CORRUPTION_CATALOGUE_VERSION, type CorruptionName } from '../../shared/corruptions';
import type { JobProgress, Provenance } from '../../shared/audits';
import { OdraError, type ErrorCode } from '../../shared/errors';
import type { DatasetRepo } from '../datasets/dataset-repo';
import type { ModelRepo } from '../models/model-repo';
import type { Db } from '../store/database';
import { cpuBudget } from '../corruptions/pool';
import type { JobControl, JobOutcome } from '../jobs/job-manager';
import { stopReason } from '../jobs/job-manager';
import { ODRA_VERSION } from '../util/version';
import type { AuditModelRow, AuditRepo, AuditRow, UnitWrite } from './audit-repo';
import { describeMachine } from './machine';
import { planBlocks, unitSeed, type Block } from './plan';
import type { FromRunner, RunnerConnection, RunnerLauncher, RunnerResult, RunnerTask, StageTimes } from './runner-protocol';
import type { CategoryRef } from '../evaluations/class-map';
import type { CellMapping, ScoredCell, Scorer, UnitPage } from './scorer';
import { verifyFiles } from './verify-files';

export interface ExecutorDeps {
  db: Db;
  audits: AuditRepo;
  datasets: DatasetRepo;
  models: ModelRepo;
  launcher: RunnerLauncher;
  scorer: Scorer;
  onnxruntimeVersion: string;
  /** per-run figures for benchmarks and tests */
  onRunStats?: (stats: RunStats) => void;
  /** where the runner makes input tensors (runner-protocol.ts); 'pool' by default, 'runner' for comparisons */
  preprocessIn?: 'pool' | 'runner';
  /** the streaming bound in per-image evaluations; STREAMED_IMAGE_EVALS by default (tests lower it) */
  streamedImageEvals?: number;
}

/** Totals of one run (seconds), for bench:audit. */
export interface RunStats {
  auditId: number;
  units: number;
  tasks: number;
  wallSeconds: number;
  /** from the first task sent to the runner (models loaded, files verified) to the run's end */
  runningSeconds: number;
  /** summed over tasks: decode, corruption kernels, preprocessing, ORT runs, post-processing (runner) */
  stages: StageTimes;
  /** engine: writing units; scoring (scorer worker time) */
  storeSeconds: number;
  scoreSeconds: number;
  cellsScored: number;
  /** of cellsScored: streamed while their block ran (their scoreSeconds: worker busy time) */
  cellsStreamed: number;
  runnerPid: number | null;
  /**
   * CPU seconds (all threads), so that a benchmark counts the running phase's CPU only:
   * this process's over the running phase, and the runner's before it (start-up and model
   * loading, from its ready message)
   */
  engineRunningCpuSeconds: number;
  runnerStartCpuSeconds: number;
  ortThreads: number;
  poolWorkers: number;
}

const WRITE_BATCH_UNITS = 128;
const WRITE_EVERY_MS = 250;
const PIXEL_BYTES_IN_FLIGHT = 512 * 1024 * 1024;
const PROGRESS_EVERY_MS = 250;
const SCORE_PAGE = 256;
/**
 * The most per-image evaluations the scorer worker may hold for streamed cells at once
 * ((audit images) x (cells in progress)). One evaluation of an image with ~100 kept
 * detections measured 7-11 KB (YOLOX / NanoDet on the COCO and KITTI fixtures; typed
 * arrays of per-threshold states), so 50,000 is ~0.5 GB at worst: a 55-image evaluation
 * or a 5,000-image audit's block of 9 cells stream, a 20,000-image audit streams one
 * cell per block, and the rest are scored at the block's end, one at a time, as before.
 */
export const STREAMED_IMAGE_EVALS = 50_000;

/** `${modelPos}:${conditionPos}` */
function cellKey(modelPos: number, conditionPos: number): string {
  return `${modelPos}:${conditionPos}`;
}

/**
 * The page source of a streamed cell (Scorer.scoreCell): the cell's units as they are
 * committed, in pages of consecutive image positions below the frontier (the first
 * position not committed yet). Only for a cell none of whose units were stored before
 * it started: every position below the frontier then has exactly one stored unit, so a
 * page of `limit` rows after the cursor is exactly the next `limit` positions. `next`
 * waits while nothing new is committed, gives [] once every image is in, and throws the
 * reason once abandoned (the run stops before the cell's units are all stored).
 */
export class CommittedUnits {
  private readonly done: Uint8Array;
  private frontier = 0;
  /** the last image position given to the scorer */
  private after = -1;
  private waiter: (() => void) | null = null;
  private abandoned: Error | null = null;

  constructor(
    private readonly images: number,
    private readonly read: (afterImagePos: number, limit: number) => UnitPage,
    private readonly pageSize: number = SCORE_PAGE,
  ) {
    this.done = new Uint8Array(images);
  }

  /** Every image's unit is committed. */
  get ended(): boolean {
    return this.frontier === this.images;
  }

  /** The unit of `imagePos` is committed (its write transaction returned); wakeUp() after a batch. */
  commit(imagePos: number): void {
    this.done[imagePos] = 1;
    while (this.frontier < this.images && this.done[this.frontier]) this.frontier++;
  }

  wakeUp(): void {
    const w = this.waiter;
    this.waiter = null;
    w?.();
  }

  abandon(reason: Error): void {
    this.abandoned ??= reason;
    this.wakeUp();
  }

  async next(): Promise<UnitPage> {
    for (;;) {
      if (this.abandoned) throw this.abandoned;
      const ready = this.frontier - 1 - this.after;
      if (ready > 0) {
        const limit = Math.min(this.pageSize, ready);
        const page = this.read(this.after, limit);
        if (page.length !== limit || page[page.length - 1].imagePos >= this.frontier) {
          throw new Error(`the store holds ${page.length} of the ${limit} committed units after image position ${this.after}: the audit's units changed while it ran`);
        }
        this.after = page[page.length - 1].imagePos;
        return page;
      }
      if (this.ended) return [];
      await new Promise<void>((resolve) => (this.waiter = resolve));
    }
  }
}

/** A fresh cell of the running block: its commits are tracked; streamed once `outcome` is set. */
interface StreamedCell {
  modelPos: number;
  conditionPos: number;
  units: CommittedUnits;
  /** null: not set up on the scorer (yet); never rejects, so a dropped cell is no unhandled rejection */
  outcome: Promise<{ ok: true; scored: ScoredCell } | { ok: false; error: unknown }> | null;
}

interface PlannedTask {
  task: RunnerTask;
  block: number;
  units: number;
  bytes: number;
}

export async function runAudit(deps: ExecutorDeps, auditId: number, job: JobControl): Promise<JobOutcome> {
  const run = new AuditRun(deps, auditId, job);
  return run.execute();
}

class AuditRun {
  private readonly audit: AuditRow;
  private readonly models: AuditModelRow[];
  private readonly conditions;
  private readonly imageIds: number[];
  private readonly images: { id: number; path: string; width: number; height: number; sha256: string }[];
  private readonly blocks: Block[];
  private readonly started = performance.now();
  private runner: RunnerConnection | null = null;
  private session: number | null = null;
  private readonly stats: RunStats;
  private unitsDoneAtStart = 0;
  private committedThisRun = 0;
  private pendingWrites: UnitWrite[] = [];
  private pendingDigests: { conditionPos: number; imagePos: number; sha256: string }[] = [];
  private writeTimer: ReturnType<typeof setTimeout> | null = null;
  private lastProgress = 0;
  private firstResultAt: number | null = null;
  private runningSince: number | null = null;
  private runningCpu: NodeJS.CpuUsage | null = null;
  /** aborted only by a cancel: a pause lets the cells in scoring finish */
  private readonly cancelled = new AbortController();
  private categories: CategoryRef[] = [];
  /** the running block's fresh cells by cellKey, from its first task until saved or the run ends */
  private readonly streamed = new Map<string, StreamedCell>();
  /** streamed cells set up on the worker and not yet answered or dropped */
  private streamingNow = 0;
  /** tracked cells not set up on the scorer yet (the bound was reached) */
  private waitingToStream = 0;
  /** the audit has partly done cells (a resumed run): their blocks end with a scored cell */
  private hasPartial = false;
  /** blocks whose end-of-block scoring is queued or running */
  private endScoringNow = 0;
  /** the completed blocks' cells, scored and saved in block order; never rejects */
  private scoring: Promise<void> = Promise.resolve();

  constructor(
    private readonly deps: ExecutorDeps,
    private readonly id: number,
    private readonly job: JobControl,
  ) {
    job.stop.addEventListener('abort', () => {
      if (stopReason(job.stop) === 'cancel') this.cancelled.abort();
    });
    this.audit = deps.audits.get(id);
    this.models = deps.audits.models(id);
    this.conditions = deps.audits.conditions(id);
    this.imageIds = deps.audits.imageIds(id);
    const gt = deps.datasets.groundTruth(this.audit.datasetId);
    const files = new Map(deps.datasets.imageFiles(this.audit.datasetId).map((f) => [f.id, f]));
    const byId = new Map(gt.images.map((im) => [im.id, im]));
    this.images = this.imageIds.map((imageId) => {
      const im = byId.get(imageId);
      const file = files.get(imageId);
      if (!im || !file) throw new OdraError('BAD_INPUT', `image ${imageId} of audit ${id} is no longer in dataset ${this.audit.datasetName}`);
      return { id: imageId, path: file.path, width: im.width, height: im.height, sha256: file.sha256 };
    });
    this.blocks = planBlocks(this.conditions);
    this.stats = {
      auditId: id,
      units: 0,
      tasks: 0,
      wallSeconds: 0,
      runningSeconds: 0,
      stages: { decodeMs: 0, corruptMs: 0, preprocessMs: 0, inferenceMs: 0, postprocessMs: 0, waitMs: 0 },
      storeSeconds: 0,
      scoreSeconds: 0,
      cellsScored: 0,
      cellsStreamed: 0,
      runnerPid: null,
      engineRunningCpuSeconds: 0,
      runnerStartCpuSeconds: 0,
      ortThreads: 0,
      poolWorkers: 0,
    };
  }

  async execute(): Promise<JobOutcome> {
    const { audits } = this.deps;
    if (this.audit.legacy) {
      return this.failed(`audit ${this.id} was made before Odra stored raw detections and cannot be resumed: run it again`, 'UNSUPPORTED');
    }
    audits.markRunning(this.id);
    let outcome: JobOutcome;
    try {
      outcome = await this.work();
    } catch (err) {
      const stopped = stopReason(this.job.stop);
      const message = err instanceof Error ? err.message : String(err);
      outcome =
        stopped === 'cancel'
          ? { status: 'cancelled' }
          : stopped
            ? { status: 'paused' }
            : { status: 'failed', error: message, errorCode: err instanceof OdraError ? err.code : 'INTERNAL' };
    } finally {
      if (this.writeTimer) clearTimeout(this.writeTimer);
      this.runner?.kill();
      await this.dropUnfinishedStreams();
      // however the run ends, the cells of its completed blocks are saved (or, on a
      // cancel, aborted) before it reports: nothing is scored behind a finished job
      await this.scoring;
      if (this.session !== null) this.deps.scorer.endSession(this.session);
    }
    try {
      this.flush();
    } catch (err) {
      outcome = { status: 'failed', error: `could not store the last results: ${err instanceof Error ? err.message : String(err)}` };
    }
    const seconds = (performance.now() - this.started) / 1000;
    const status = outcome.status;
    if (status === 'cancelled' && !outcome.error) outcome = { ...outcome, error: this.cancelledWords() };
    audits.setStatus(this.id, status, outcome.error ?? (status === 'interrupted' ? (outcome.message ?? null) : null), seconds);
    this.stats.wallSeconds = seconds;
    if (this.runningSince !== null) this.stats.runningSeconds = (performance.now() - this.runningSince) / 1000;
    if (this.runningCpu !== null) {
      const cpu = process.cpuUsage(this.runningCpu);
      this.stats.engineRunningCpuSeconds = (cpu.user + cpu.system) / 1e6;
    }
    this.deps.onRunStats?.(this.stats);
    return outcome;
  }

  private progress(stage: string, force = false, message?: string): void {
    const now = performance.now();
    if (!force && now - this.lastProgress < PROGRESS_EVERY_MS) return;
    this.lastProgress = now;
    const done = this.unitsDoneAtStart + this.committedThisRun;
    const elapsed = this.firstResultAt === null ? 0 : (now - this.firstResultAt) / 1000;
    const rate = this.committedThisRun > 0 && elapsed > 0 ? this.committedThisRun / elapsed : null;
    const p: JobProgress = {
      stage,
      done,
      total: this.audit.unitsTotal,
      unitsPerSecond: rate,
      etaSeconds: rate ? (this.audit.unitsTotal - done) / rate : null,
      ...(message ? { message } : {}),
    };
    this.job.progress(p);
  }

  private async work(): Promise<JobOutcome> {
    const { audits } = this.deps;
    this.unitsDoneAtStart = audits.counts(this.id).unitsDone;

    // 1. the bytes are the ones imported
    this.progress('checking files', true);
    const files = [
      ...this.models.map((m) => ({ path: m.path, sha256: m.sha256, what: `model ${m.name}` })),
      ...this.images.map((im) => ({ path: im.path, sha256: im.sha256, what: `image ${im.path} of dataset ${this.audit.datasetName}` })),
    ];
    await verifyFiles(this.deps.db, files, (done, total) => this.job.progress({ stage: 'checking files', done, total, unitsPerSecond: null, etaSeconds: null }), this.job.stop);

    // 2. provenance
    // threads come from the plan (audit-service.ts; older audits: the budget's default).
    const budget = runBudget(this.audit.settings);
    this.stats.ortThreads = budget.ortThreads;
    this.stats.poolWorkers = budget.poolWorkers;
    await this.recordProvenance(budget);

    // 3. the ground truth once to the scorer; cells complete but not scored
    const gt = this.deps.datasets.groundTruth(this.audit.datasetId);
    const inAudit = new Set(this.imageIds);
    this.session = this.deps.scorer.openSession(
      this.images.map((im) => ({ id: im.id, width: im.width, height: im.height })),
      gt.annotations.filter((a) => inAudit.has(a.image_id)),
    );
    this.categories = gt.categories.map((c) => ({ id: c.id, name: c.name, cocoEquivalent: c.cocoEquivalent }));
    const scoreCells = async (cells: { modelPos: number; conditionPos: number }[]): Promise<void> => {
      for (const c of cells) {
        let after = -1;
        const t0 = performance.now();
        const scored = await this.deps.scorer.scoreCell(
          this.session!,
          this.mapping(c.modelPos),
          () => {
            const page = audits.unitPage(this.id, c.conditionPos, c.modelPos, after, SCORE_PAGE);
            if (page.length) after = page[page.length - 1].imagePos;
            return page;
          },
          this.cancelled.signal,
        );
        this.saveScored(c, scored, (performance.now() - t0) / 1000);
      }
    };
    const nImages = this.images.length;
    const progressAtStart = audits.cellProgress(this.id);
    await scoreCells(progressAtStart.filter((c) => !c.scored && c.unitsDone === nImages));
    const work = this.planWork(progressAtStart);
    // streamed: no unit stored before this run; scored at their block's end: partly done ones
    const fresh = new Set(progressAtStart.filter((c) => c.unitsDone === 0 && !c.scored).map((c) => cellKey(c.modelPos, c.conditionPos)));
    this.hasPartial = progressAtStart.some((c) => c.unitsDone > 0 && c.unitsDone < nImages);
    if (work.totalTasks === 0) {
      this.progress('done', true);
      return this.finishIfComplete();
    }

    // 4. the runner
    this.progress('starting the runner', true);
    const runner = await this.deps.launcher.launch();
    this.runner = runner;
    this.stats.runnerPid = runner.pid;
    lowerPriority(runner.pid);
    const messages = new MessageQueue(runner);
    const batchSize = this.audit.settings.batchSize ?? undefined;
    runner.send({
      type: 'init',
      models: this.models.map((m) => ({ position: m.position, path: m.path, adapter: m.adapter })),
      ...(this.audit.settings.executionProvider ? { executionProvider: this.audit.settings.executionProvider } : {}),
      ortThreads: budget.ortThreads,
      poolWorkers: budget.poolWorkers,
      ...(batchSize ? { batchSize } : {}),
      digests: this.audit.settings.recordInputDigests,
      ...(this.deps.preprocessIn ? { preprocessIn: this.deps.preprocessIn } : {}),
    });
    const ready = await messages.next(this.job.stop);
    if (ready.kind === 'stop') return this.stopOutcome();
    if (ready.kind === 'exit') return this.runnerDied(ready.exit);
    if (ready.message.type === 'error') return this.failed(ready.message.message, ready.message.code);
    if (ready.message.type !== 'ready') return this.failed(`the runner answered ${ready.message.type} before it was ready`);
    for (const m of ready.message.models) {
      audits.setModelProvider(this.id, m.position, m.executionProvider, m.requestedProvider, m.warning);
      if (m.warning) this.job.warn(m.warning);
    }
    // this run's providers as the runner reports them (a fallback to CPU shows here)
    const provenance = audits.get(this.id).provenance;
    if (provenance?.runs.length) {
      provenance.runs[provenance.runs.length - 1].executionProviders = ready.message.models.map((m) => m.executionProvider);
      audits.setProvenance(this.id, provenance);
    }

    // 5-7. stream tasks, write results, score finished blocks
    const window = Math.max(4, 2 * budget.poolWorkers + (batchSize ?? 1));
    const outstanding = new Map<number, PlannedTask>();
    let bytesInFlight = 0;
    const blockLeft = work.tasksPerBlock.slice();
    let scoringError: unknown = null;
    const queueScoring = (block: number): void => {
      const cells = this.blockCells(block);
      const streamed: { cell: { modelPos: number; conditionPos: number }; outcome: NonNullable<StreamedCell['outcome']> }[] = [];
      const rest: { modelPos: number; conditionPos: number }[] = [];
      for (const c of cells) {
        const s = this.streamed.get(cellKey(c.modelPos, c.conditionPos));
        if (s?.outcome) streamed.push({ cell: c, outcome: s.outcome });
        else rest.push(c);
        if (s && !s.outcome) {
          this.streamed.delete(cellKey(c.modelPos, c.conditionPos));
          this.waitingToStream--;
        }
      }
      if (rest.length) this.endScoringNow++;
      this.scoring = this.scoring
        .then(async () => {
          try {
            for (const s of streamed) await this.saveStreamed(s.cell, s.outcome);
            const scored = new Set(audits.cellProgress(this.id).filter((p) => p.scored).map((p) => cellKey(p.modelPos, p.conditionPos)));
            await scoreCells(rest.filter((c) => !scored.has(cellKey(c.modelPos, c.conditionPos))));
          } finally {
            if (rest.length) this.endScoringNow--;
          }
        })
        .catch((err: unknown) => {
          scoringError ??= err;
        });
    };
    let startedBlock = -1;
    let stopping: 'pause' | 'cancel' | null = null;
    this.runningSince = performance.now();
    this.runningCpu = process.cpuUsage();
    this.stats.runnerStartCpuSeconds = ready.message.cpuSeconds;
    this.progress('running', true);
    for (;;) {
      const reason = stopReason(this.job.stop);
      if (reason && !stopping) stopping = reason === 'cancel' ? 'cancel' : 'pause';
      if (stopping === 'cancel') {
        runner.kill();
        return { status: 'cancelled' };
      }
      while (!stopping && outstanding.size < window && (bytesInFlight < PIXEL_BYTES_IN_FLIGHT || outstanding.size === 0)) {
        const planned = work.next();
        if (!planned) break;
        if (planned.block !== startedBlock) {
          startedBlock = planned.block;
          this.trackBlock(planned.block, fresh);
        }
        outstanding.set(planned.task.seq, planned);
        bytesInFlight += planned.bytes;
        runner.send(planned.task);
      }
      if (outstanding.size === 0) break;
      const got = await messages.next(stopping ? undefined : this.job.stop);
      if (got.kind === 'stop') continue;
      if (got.kind === 'exit') return this.runnerDied(got.exit);
      const message = got.message;
      if (message.type === 'error') {
        runner.kill();
        return this.failed(message.message, message.code);
      }
      if (message.type !== 'result') continue;
      const planned = outstanding.get(message.seq);
      if (!planned) return this.failed(`the runner answered task ${message.seq}, which was not asked for`);
      outstanding.delete(message.seq);
      bytesInFlight -= planned.bytes;
      this.accept(message);
      blockLeft[planned.block]--;
      if (blockLeft[planned.block] === 0) {
        this.flush();
        queueScoring(planned.block);
      }
      if (this.waitingToStream) this.startStreams();
      this.progress('running');
    }
    this.flush();
    if (stopping) {
      runner.send({ type: 'shutdown' });
      await this.scoring;
      return { status: 'paused' };
    }
    runner.send({ type: 'shutdown' });
    this.progress('scoring', true);
    await this.scoring;
    if (scoringError) throw scoringError instanceof Error ? scoringError : new Error(String(scoringError));
    return this.finishIfComplete();
  }

  private mapping(modelPos: number): CellMapping {
    const m = this.models[modelPos];
    return { classMap: m.classMap, classNames: m.adapter.classNames, categories: this.categories };
  }

  private blockCells(block: number): { modelPos: number; conditionPos: number }[] {
    return this.blocks[block].conditions.flatMap((conditionPos) => this.models.map((m) => ({ modelPos: m.position, conditionPos })));
  }

  /** Stores a scored cell and reports it (a "cell" event); `scoreSeconds`: the scoring time it counts for. */
  private saveScored(c: { modelPos: number; conditionPos: number }, scored: ScoredCell, scoreSeconds: number): void {
    const { audits } = this.deps;
    const t0 = performance.now();
    audits.saveCell(this.id, c.modelPos, c.conditionPos, scored.stats, scored.perCategory, scored.record);
    this.stats.storeSeconds += (performance.now() - t0) / 1000;
    this.stats.scoreSeconds += scoreSeconds;
    this.stats.cellsScored++;
    const m = this.models[c.modelPos];
    const condition = this.conditions[c.conditionPos];
    this.job.cell(
      this.id,
      { modelId: m.modelId, modelPosition: m.position, conditionIndex: c.conditionPos, corruption: condition.corruption, severity: condition.severity, stats: scored.stats },
      audits.cellCategories(this.id, c.modelPos, c.conditionPos),
    );
  }

  /**
   * At a block's first task: tracks the commits of its fresh cells (so that any of them
   * can stream from then on) and streams as many as the bound allows.
   */
  private trackBlock(block: number, fresh: ReadonlySet<string>): void {
    const cells = this.blockCells(block);
    for (const c of cells) {
      if (!fresh.has(cellKey(c.modelPos, c.conditionPos))) continue;
      const units = new CommittedUnits(this.images.length, (after, limit) => this.deps.audits.unitPage(this.id, c.conditionPos, c.modelPos, after, limit));
      this.streamed.set(cellKey(c.modelPos, c.conditionPos), { ...c, units, outcome: null });
      this.waitingToStream++;
    }
    this.startStreams();
  }

  /**
   * Sets up tracked cells on the scorer while (audit images) x (cells in progress) stays
   * within STREAMED_IMAGE_EVALS, counting the streamed cells still in progress (an
   * earlier block's finish while this one starts) and one slot for a cell scored at a
   * block's end whenever one is queued or may follow (a partly done cell, a tracked cell
   * left waiting). Called again after each result, so a waiting cell starts once slots free up.
   */
  private startStreams(): void {
    const slots = Math.floor((this.deps.streamedImageEvals ?? STREAMED_IMAGE_EVALS) / Math.max(1, this.images.length));
    for (const s of this.streamed.values()) {
      if (s.outcome) continue;
      const endScored = this.endScoringNow > 0 || this.hasPartial || this.waitingToStream > 1;
      if (this.streamingNow + 1 + (endScored ? 1 : 0) > slots) return;
      this.stream(s);
    }
  }

  private stream(s: StreamedCell): void {
    this.waitingToStream--;
    this.streamingNow++;
    s.outcome = this.deps.scorer
      .scoreCell(this.session!, this.mapping(s.modelPos), () => s.units.next(), this.cancelled.signal)
      .then(
        (scored) => ({ ok: true as const, scored }),
        (error: unknown) => ({ ok: false as const, error }),
      )
      .finally(() => {
        this.streamingNow--;
      });
  }

  /** Saves a streamed cell once its scoring ends (its block's units are all written). */
  private async saveStreamed(c: { modelPos: number; conditionPos: number }, outcome: NonNullable<StreamedCell['outcome']>): Promise<void> {
    const r = await outcome;
    this.streamed.delete(cellKey(c.modelPos, c.conditionPos));
    if (!r.ok) throw r.error;
    this.saveScored(c, r.scored, r.scored.busyMs / 1000);
    this.stats.cellsStreamed++;
  }

  /** Tells streamed cells which of their units were just committed. */
  private publishCommitted(units: readonly UnitWrite[]): void {
    const touched = new Set<CommittedUnits>();
    for (const u of units) {
      const s = this.streamed.get(cellKey(u.modelPos, u.conditionPos));
      if (!s) continue;
      s.units.commit(u.imagePos);
      touched.add(s.units);
    }
    for (const t of touched) t.wakeUp();
  }

  /**
   * The run ends: streamed cells whose units are not all stored are dropped on the
   * worker, not saved; resolves once they are (their sources throw at the next page).
   */
  private async dropUnfinishedStreams(): Promise<void> {
    const dropped: Promise<unknown>[] = [];
    for (const s of this.streamed.values()) {
      if (s.units.ended) continue;
      s.units.abandon(new Error(`the run stopped before all units of cell (model ${s.modelPos}, condition ${s.conditionPos}) were stored`));
      if (s.outcome) dropped.push(s.outcome);
    }
    await Promise.all(dropped);
  }

  private finishIfComplete(): JobOutcome {
    const counts = this.deps.audits.counts(this.id);
    if (counts.cellsDone !== counts.cellsTotal) {
      return this.failed(`${counts.cellsTotal - counts.cellsDone} of ${counts.cellsTotal} cells could not be scored`);
    }
    this.progress('done', true);
    return { status: 'done' };
  }

  private stopOutcome(): JobOutcome {
    return stopReason(this.job.stop) === 'cancel' ? { status: 'cancelled' } : { status: 'paused' };
  }

  /** How far a cancelled run got, in words an analyst can use (never the abort's own text). */
  private cancelledWords(): string {
    const c = this.deps.audits.counts(this.id);
    const total = this.deps.audits.get(this.id).unitsTotal;
    return this.audit.kind === 'evaluation'
      ? `cancelled after ${c.unitsDone} of ${total} images; ${c.cellsDone ? 'it was scored' : 'nothing was scored'}`
      : `cancelled after ${c.unitsDone} of ${total} units; ${c.cellsDone} of ${c.cellsTotal} cells scored`;
  }

  private failed(message: string, errorCode: ErrorCode = 'INTERNAL'): JobOutcome {
    return { status: 'failed', error: message, errorCode };
  }

  private runnerDied(exit: { code: number | null; signal: string | null }): JobOutcome {
    const how = exit.signal ? `was killed (${exit.signal})` : `exited with code ${exit.code}`;
    const done = this.unitsDoneAtStart + this.committedThisRun + this.pendingWrites.length;
    const message = `the runner process ${how} after ${done} of ${this.audit.unitsTotal} units; resume continues from the last stored unit`;
    return { status: 'interrupted', error: message, message };
  }

  private accept(result: RunnerResult): void {
    this.firstResultAt ??= performance.now();
    for (const u of result.units) this.pendingWrites.push({ conditionPos: u.conditionPos, modelPos: u.modelPos, imagePos: result.imagePos, detections: u.detections });
    for (const d of result.digests) this.pendingDigests.push({ conditionPos: d.conditionPos, imagePos: result.imagePos, sha256: d.sha256 });
    const s = this.stats.stages;
    s.decodeMs += result.stages.decodeMs;
    s.corruptMs += result.stages.corruptMs;
    s.preprocessMs += result.stages.preprocessMs;
    s.inferenceMs += result.stages.inferenceMs;
    s.postprocessMs += result.stages.postprocessMs;
    s.waitMs += result.stages.waitMs;
    this.stats.tasks++;
    this.stats.units += result.units.length;
    if (this.pendingWrites.length >= WRITE_BATCH_UNITS) this.flush();
    else this.writeTimer ??= setTimeout(() => {
      this.writeTimer = null;
      this.flush();
    }, WRITE_EVERY_MS);
  }

  private flush(): void {
    if (this.writeTimer) {
      clearTimeout(this.writeTimer);
      this.writeTimer = null;
    }
    if (!this.pendingWrites.length && !this.pendingDigests.length) return;
    const t0 = performance.now();
    const units = this.pendingWrites;
    const digests = this.pendingDigests;
    this.pendingWrites = [];
    this.pendingDigests = [];
    this.deps.audits.writeUnits(this.id, units, digests);
    this.committedThisRun += units.length;
    if (this.streamed.size) this.publishCommitted(units);
    this.stats.storeSeconds += (performance.now() - t0) / 1000;
  }

  /** The tasks still to run, block by block, generated lazily. */
  private planWork(progress: { modelPos: number; conditionPos: number; unitsDone: number }[]): {
    totalTasks: number;
    tasksPerBlock: number[];
    next: () => PlannedTask | null;
  } {
    const nImages = this.images.length;
    const done = new Map(progress.map((p) => [`${p.modelPos}:${p.conditionPos}`, p.unitsDone]));
    // per block and condition: the models still needing each image (null: all)
    const needs = this.blocks.map((block) =>
      block.conditions.map((conditionPos) =>
        this.models
          .map((m) => {
            const n = done.get(`${m.position}:${conditionPos}`) ?? 0;
            if (n >= nImages) return null;
            return { model: m.position, doneImages: n === 0 ? null : this.deps.audits.doneImages(this.id, conditionPos, m.position) };
          })
          .filter((x): x is { model: number; doneImages: Set<number> | null } => x !== null),
      ),
    );
    const tasksPerBlock = needs.map((perCondition) => {
      let n = 0;
      for (let i = 0; i < nImages; i++) if (perCondition.some((models) => models.some((m) => !m.doneImages?.has(i)))) n++;
      return n;
    });
    let block = 0;
    let image = 0;
    let seq = 0;
    const next = (): PlannedTask | null => {
      while (block < this.blocks.length) {
        if (image >= nImages) {
          block++;
          image = 0;
          continue;
        }
        const b = this.blocks[block];
        const imagePos = image++;
        const im = this.images[imagePos];
        const conditions = b.conditions
          .map((conditionPos, k) => ({
            conditionPos,
            severity: this.conditions[conditionPos].severity,
            seed: unitSeed(this.audit.seed, this.audit.datasetHash, im.id, this.conditions[conditionPos]),
            models: needs[block][k].filter((m) => !m.doneImages?.has(imagePos)).map((m) => m.model),
          }))
          .filter((c) => c.models.length > 0);
        if (!conditions.length) continue;
        const units = conditions.reduce((n, c) => n + c.models.length, 0);
        const corruption = b.corruption === 'clean' ? null : (b.corruption as CorruptionName);
        return {
          task: { type: 'task', seq: seq++, imagePos, imageId: im.id, path: im.path, corruption, conditions },
          block,
          units,
          bytes: im.width * im.height * 3 * (1 + (corruption ? conditions.length : 0)),
        };
      }
      return null;
    };
    return { totalTasks: tasksPerBlock.reduce((a, b) => a + b, 0), tasksPerBlock, next };
  }

  private async recordProvenance(budget: { ortThreads: number; poolWorkers: number }): Promise<void> {
    const machine = await describeMachine();
    const dataset = this.deps.datasets.get(this.audit.datasetId);
    const previous = this.audit.provenance;
    const run = {
      startedAt: new Date().toISOString(),
      machine,
      threads: budget.ortThreads,
      poolWorkers: budget.poolWorkers,
      batchSize: this.audit.settings.batchSize,
      executionProviders: this.models.map((m) => m.executionProvider ?? this.audit.settings.executionProvider ?? 'cpu'),
    };
    const provenance: Provenance = {
      odraVersion: ODRA_VERSION,
      corruptionCatalogueVersion: CORRUPTION_CATALOGUE_VERSION,
      onnxruntime: this.deps.onnxruntimeVersion,
      seed: this.audit.seed,
      dataset: {
        id: dataset.id,
        name: dataset.name,
        root: dataset.root,
        format: dataset.format,
        contentHash: dataset.contentHash,
        imageCount: dataset.imageCount,
        auditedImages: this.images.length,
      },
      models: this.models.map((m) => ({
        name: m.name,
        path: m.path,
        sha256: m.sha256,
        fileSize: m.fileSize,
        baseline: m.baseline,
        adapter: m.adapter,
        fingerprint: this.deps.models.get(m.modelId).fingerprint,
        classMap: m.classMap,
        tags: this.deps.models.get(m.modelId).tags,
        tagsSource: this.deps.models.get(m.modelId).tagsSource,
      })),
      requestedProvider: this.audit.settings.executionProvider ?? 'cpu',
      ...((shard) => (shard ? { shard } : {}))(this.deps.audits.shard(this.id)),
      machine,
      runs: [...(previous?.runs ?? []), run],
    };
    this.deps.audits.setProvenance(this.id, provenance);
  }
}

/**
 * The CPU split of a run: onnxruntime's threads come from the plan (audit-service.ts;
 * older audits: the budget's default); a clean-only audit corrupts nothing and needs one
 * pool worker at most; an explicit worker count wins. The calibration (calibration.ts)
 * uses the same split, so it measures the run's parallelism.
 */
export function runBudget(
  settings: { threads: number | null; workers: number | null },
  cores: number = os.availableParallelism(),
): { ortThreads: number; poolWorkers: number } {
  // A clean-only run gets the same pool as an audit: its workers make the input tensors,
  // and with one worker preprocessing would become the critical path.
  const split = cpuBudget(cores, settings.threads ?? undefined);
  return { ortThreads: split.ortThreads, poolWorkers: settings.workers ?? split.poolWorkers };
}

/**
 * The runner is batch work and the engine answers the UI: the runner runs at a lower
 * scheduling priority (nice 10; below normal on Windows), so on a busy machine the
 * engine's short turns are served first. Best effort: a platform that refuses keeps the
 * default.
 */
export function lowerPriority(pid: number | null): void {
  if (pid === null) return;
  try {
    os.setPriority(pid, os.constants.priority.PRIORITY_BELOW_NORMAL);
  } catch {
    // not permitted here: the runner keeps the default priority
  }
}

export type Received =
  | { kind: 'message'; message: FromRunner }
  | { kind: 'exit'; exit: { code: number | null; signal: string | null } }
  | { kind: 'stop' };

/** The runner's messages and its exit as one awaitable stream; a stop signal wakes the waiter. */
export class MessageQueue {
  private readonly items: Received[] = [];
  private waiter: ((r: Received) => void) | null = null;

  constructor(runner: RunnerConnection) {
    runner.onMessage((message) => this.push({ kind: 'message', message }));
    runner.onExit((exit) => this.push({ kind: 'exit', exit }));
  }

  private push(r: Received): void {
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = null;
      w(r);
    } else this.items.push(r);
  }

  next(stop?: AbortSignal): Promise<Received> {
    const first = this.items.shift();
    if (first) return Promise.resolve(first);
    if (stop?.aborted) return Promise.resolve({ kind: 'stop' });
    return new Promise((resolve) => {
      const onStop = (): void => {
        this.waiter = null;
        resolve({ kind: 'stop' });
      };
      stop?.addEventListener('abort', onStop, { once: true });
      this.waiter = (r) => {
        stop?.removeEventListener('abort', onStop);
        resolve(r);
      };
    });
  }
}
