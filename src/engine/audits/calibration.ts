/**
 * `audits.estimate`: how long the audit of a setup would take on this machine, from a
 * short calibration run through the real run's code path. Nothing is stored: no audit
 * row, no units, no detections, no cells (the plan is resolved by AuditService.prepare,
 * which only reads).
 *
 * What is sampled:
 *   - images: CALIBRATION_IMAGES (4) of the plan's images, evenly spread over the plan
 *     order (first and last included); all of them when the plan has fewer;
 *   - conditions: one per block of the plan (clean and each corruption, plan.ts), the
 *     severity cycling through the plan's severities of that corruption from image to
 *     image, so a corruption's samples span its cheap and expensive severities;
 *   - every model on every sampled (image, condition), with the plan's seed, execution
 *     provider, thread count, batch size and pool size (executor.ts runBudget), in a
 *     runner process started by the same launcher, fed in block order through the same
 *     bounded window of tasks as the run;
 *   - scoring: per (model, corruption) the sampled units are scored as one cell by the
 *     scorer worker against the sampled images' ground truth.
 * Measured: the runner's start-up to `ready` (process start and model loading); per unit
 * the model's preprocess + run + decode ms; per task the decode ms and the corruption
 * kernel ms; the scorer's ms per unit. estimate-math.ts extrapolates them to the plan.
 *
 * Known biases: a warm-up task (the first sampled image through every model under the
 * first corruption) is run first and not counted, so one-time costs (onnxruntime's first
 * allocations, the pool's first kernel) stay out of the per-unit costs; the real run pays
 * them once, which the start-up covers only partly. The OS file cache is warm for the
 * sampled images after the calibration, cold for most of the run's images (decode is
 * a small share). Severity cost is averaged, not modelled: with fewer sampled images than
 * severities, some severities go unmeasured. A few dynamic-batch inputs per task batch
 * less than a full run does, so batched models read slower than they run. The machine's
 * load during calibration is assumed to hold during the run.
 */
import os from 'node:os';
import type { AuditEstimate, auditStartInputSchema } from '../../shared/audits';
import type { CorruptionName } from '../../shared/corruptions';
import { OdraError } from '../../shared/errors';
import type { z } from 'zod';
import type { DatasetRepo } from '../datasets/dataset-repo';
import type { ModelRepo } from '../models/model-repo';
import type { AuditService } from './audit-service';
import { extrapolate, type CalibrationSamples } from './estimate-math';
import { lowerPriority, MessageQueue, runBudget, type Received } from './executor';
import { planBlocks, unitSeed } from './plan';
import type { RunnerConnection, RunnerLauncher, RunnerResult, RunnerTask } from './runner-protocol';
import type { Scorer, UnitPage } from './scorer';

export const CALIBRATION_IMAGES = 4;

export interface CalibrationDeps {
  auditService: AuditService;
  datasets: DatasetRepo;
  models: ModelRepo;
  launcher: RunnerLauncher;
  scorer: Scorer;
}

export interface CalibrationControl {
  signal: AbortSignal;
  progress: (stage: string, done: number, total: number) => void;
}

/** Evenly spread positions 0..n-1 of k picks, first and last included. */
export function spreadPositions(n: number, k: number): number[] {
  if (n <= k) return Array.from({ length: n }, (_, i) => i);
  if (k === 1) return [0];
  return Array.from({ length: k }, (_, i) => Math.round((i * (n - 1)) / (k - 1)));
}

function cancelled(): OdraError {
  return new OdraError('CANCELLED', 'the time estimate was cancelled; nothing was stored');
}

function unexpected(got: Received, what: string): OdraError {
  if (got.kind === 'exit') {
    const how = got.exit.signal ? `was killed (${got.exit.signal})` : `exited with code ${got.exit.code}`;
    return new OdraError('INTERNAL', `the calibration's runner process ${how} while ${what}; try the estimate again`);
  }
  if (got.kind === 'message' && got.message.type === 'error') {
    return new OdraError(got.message.code, got.message.message, got.message.file ? { file: got.message.file } : undefined);
  }
  return new OdraError('INTERNAL', `the calibration's runner answered ${got.kind === 'message' ? got.message.type : got.kind} while ${what}`);
}

export async function estimateAudit(deps: CalibrationDeps, input: z.output<typeof auditStartInputSchema>, control: CalibrationControl): Promise<AuditEstimate> {
  const started = performance.now();
  const { signal } = control;
  const plan = deps.auditService.prepare(input);
  const blocks = planBlocks(plan.conditions);
  const gt = deps.datasets.groundTruth(plan.datasetId);
  const files = new Map(deps.datasets.imageFiles(plan.datasetId).map((f) => [f.id, f.path]));
  const dims = new Map(gt.images.map((im) => [im.id, im]));
  const sampled = spreadPositions(plan.imageIds.length, CALIBRATION_IMAGES).map((pos) => {
    const id = plan.imageIds[pos];
    const im = dims.get(id);
    const file = files.get(id);
    if (!im || !file) throw new OdraError('BAD_INPUT', `image ${id} of the plan is not in the dataset any more: import the dataset again`);
    return { id, path: file, width: im.width, height: im.height };
  });
  const models = plan.models.map((m) => ({ ...m, row: deps.models.get(m.modelId) }));
  const budget = runBudget(plan.settings);
  const datasetHash = deps.datasets.get(plan.datasetId).contentHash;

  // one task per (sampled image, block), block-major like the run; the first is run twice: once as warm-up
  const tasks: RunnerTask[] = [];
  blocks.forEach((block, b) => {
    sampled.forEach((im, i) => {
      const conditionPos = block.conditions[(i + b) % block.conditions.length];
      const condition = plan.conditions[conditionPos];
      tasks.push({
        type: 'task',
        seq: tasks.length + 1,
        imagePos: i,
        imageId: im.id,
        path: im.path,
        corruption: block.corruption === 'clean' ? null : (block.corruption as CorruptionName),
        conditions: [{ conditionPos, severity: condition.severity, seed: unitSeed(plan.seed, datasetHash, im.id, condition), models: models.map((_, k) => k) }],
      });
    });
  });
  const warmBlock = blocks.findIndex((b) => b.corruption !== 'clean');
  const warmUp: RunnerTask = { ...tasks[Math.max(0, warmBlock) * sampled.length], seq: 0 };
  const total = tasks.length + 1;

  if (signal.aborted) throw cancelled();
  control.progress('starting the runner', 0, total);
  const t0 = performance.now();
  let runner: RunnerConnection | null = null;
  const onAbort = (): void => runner?.kill();
  signal.addEventListener('abort', onAbort, { once: true });
  const samples: Samples = { unitMs: models.map(() => []), corruptMs: {}, decodeMs: [], scoreMs: [], startupSeconds: 0 };
  // per (model, block) the sampled units, scored as one cell each
  const cells = models.map(() => blocks.map((): UnitPage => []));
  try {
    runner = await deps.launcher.launch();
    lowerPriority(runner.pid);
    const messages = new MessageQueue(runner);
    runner.send({
      type: 'init',
      models: models.map((m, k) => ({ position: k, path: m.row.path, adapter: m.adapter })),
      ...(plan.settings.executionProvider ? { executionProvider: plan.settings.executionProvider } : {}),
      ortThreads: budget.ortThreads,
      poolWorkers: budget.poolWorkers,
      ...(plan.settings.batchSize ? { batchSize: plan.settings.batchSize } : {}),
      digests: false,
    });
    const ready = await messages.next(signal);
    if (ready.kind === 'stop') throw cancelled();
    if (ready.kind !== 'message' || ready.message.type !== 'ready') throw unexpected(ready, 'loading the models');
    samples.startupSeconds = (performance.now() - t0) / 1000;

    control.progress('warming up', 0, total);
    runner.send(warmUp);
    const warm = await messages.next(signal);
    if (warm.kind === 'stop') throw cancelled();
    if (warm.kind !== 'message' || warm.message.type !== 'result') throw unexpected(warm, 'warming up');

    const window = Math.max(4, 2 * budget.poolWorkers + (plan.settings.batchSize ?? 1));
    let sent = 0;
    let done = 1;
    const blockOf = new Map(tasks.map((t, i) => [t.seq, Math.floor(i / sampled.length)]));
    while (done < total) {
      while (sent < tasks.length && sent - (done - 1) < window) runner.send(tasks[sent++]);
      const got = await messages.next(signal);
      if (got.kind === 'stop') throw cancelled();
      if (got.kind !== 'message' || got.message.type !== 'result') throw unexpected(got, 'calibrating');
      record(samples, got.message, tasks[got.message.seq - 1], cells, blockOf.get(got.message.seq)!);
      done++;
      control.progress('calibrating', done, total);
    }
    runner.send({ type: 'shutdown' });
  } finally {
    signal.removeEventListener('abort', onAbort);
    runner?.kill();
  }

  control.progress('scoring', total, total);
  const inSample = new Set(sampled.map((im) => im.id));
  const session = deps.scorer.openSession(
    sampled.map((im) => ({ id: im.id, width: im.width, height: im.height })),
    gt.annotations.filter((a) => inSample.has(a.image_id)),
  );
  try {
    const categories = gt.categories.map((c) => ({ id: c.id, name: c.name, cocoEquivalent: c.cocoEquivalent }));
    for (const [k, m] of models.entries()) {
      for (const page of cells[k]) {
        let given = false;
        const scored = await deps.scorer.scoreCell(
          session,
          { classMap: m.classMap, classNames: m.adapter.classNames, categories },
          () => {
            if (given) return [];
            given = true;
            return page;
          },
          signal,
        );
        samples.scoreMs.push(scored.ms / page.length);
      }
    }
  } catch (err) {
    if (signal.aborted) throw cancelled();
    throw err;
  } finally {
    deps.scorer.endSession(session);
  }

  const cores = os.availableParallelism();
  const x = extrapolate(samples, { images: plan.imageIds.length, models: models.length, conditions: plan.conditions, poolWorkers: budget.poolWorkers, cores });
  return {
    seconds: x.seconds,
    low: x.low,
    high: x.high,
    units: x.units,
    images: plan.imageIds.length,
    conditions: plan.conditions.length,
    perModel: models.map((m, k) => ({ modelId: m.modelId, name: m.row.name, ...x.perModel[k] })),
    perCorruption: x.perCorruption,
    bottleneck: x.bottleneck,
    calibrationSeconds: (performance.now() - started) / 1000,
    basis: `${sampled.length} image${sampled.length === 1 ? '' : 's'} × ${blocks.length} condition${blocks.length === 1 ? '' : 's'}`,
    ortThreads: budget.ortThreads,
    poolWorkers: budget.poolWorkers,
  };
}

interface Samples extends CalibrationSamples {
  unitMs: number[][];
  corruptMs: Record<string, number[]>;
  decodeMs: number[];
  scoreMs: number[];
}

function record(samples: Samples, result: RunnerResult, task: RunnerTask, cells: UnitPage[][], block: number): void {
  samples.decodeMs.push(result.stages.decodeMs);
  if (task.corruption) (samples.corruptMs[task.corruption] ??= []).push(result.stages.corruptMs);
  for (const u of result.units) {
    samples.unitMs[u.modelPos].push(u.ms ?? 0);
    cells[u.modelPos][block].push({ imagePos: result.imagePos, detections: u.detections });
  }
}
