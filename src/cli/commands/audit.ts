/**
 * `odra audit`: a robustness audit from the command line, through the same contract as
 * the app (audits.plan / start / resume, jobs.watch, audits.result).
 *
 * Re-running the same command on the same --db continues the unfinished audit with the
 * same plan (models, dataset, images, conditions, seed, provider: audits/plan.ts
 * fingerprint) from its last stored unit, or, when it finished, prints its stored result
 * without computing anything. Ctrl+C pauses the audit (what is in flight is stored) and
 * exits 1 saying how to resume. Progress goes to stderr, the result to stdout (one JSON
 * object with --json). With --policy, --report and --junit the finished audit goes through
 * the policy gate and into the safety report (cli/report-outputs.ts: checked before any
 * work, written after the result). Exit codes: 0 ok (every policy rule passes), 3 a policy
 * rule fails, 2 bad input (naming the file and the problem), 1 anything else.
 *
 * `--estimate` runs only a short calibration (audits.estimate, engine/audits/calibration.ts)
 * and prints the expected wall time of the audit and its range (`--json`: the estimate
 * object); it exits 0 without running the audit and without opening --db.
 *
 * `--shard I/N` runs one shard of the plan (audits/shards.ts) into its own --db and prints
 * the shard audit (no analysis: a shard's metrics cover part of the plan); `odra merge`
 * joins the shards. `--shard N --emit k8s|slurm` prints a launch file (audit-emit.ts).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { CONDITION_PRESETS, type AuditEstimate, type AuditResult, type ConditionPreset, type ConditionSelection } from '../../shared/audits';
import { CORRUPTION_NAMES, isCorruptionName, type CorruptionName } from '../../shared/corruptions';
import { badInput, OdraError } from '../../shared/errors';
import { DATASET_FORMATS, type DatasetFormat } from '../../shared/schemas';
import { estimateText } from '../../shared/estimate-text';
import { Engine } from '../../engine/engine';
import { inProcessClient } from '../../engine/rpc/in-process';
import { usageError } from '../cli-error';
import { REPORT_OUTPUT_USAGE, wantsReportOutputs, type ReportOutputFlags } from '../report-flags';
import { stderrProgress } from '../progress-bar';
import { emitLaunchFile } from './audit-emit';
import { AUDIT_OPTIONS } from './audit-options';

export const AUDIT_USAGE = `odra audit --model A.onnx [--model B.onnx ...] [--baseline A.onnx] --dataset DIR [--format ${DATASET_FORMATS.join('|')}]
             [--corruptions benchmark|all|quick|NAME,NAME...] [--severities 1-5|1,3,5] [--sample N] [--seed S]
             [--bootstrap N] [--class-counts FILE] [--ep NAME] [--threads N] [--batch N] [--db FILE] [--json] [--estimate]
             [--report FILE.pdf|FILE.html ...] ${REPORT_OUTPUT_USAGE}
             [--shard I/N | --shard N [--shard-index-env NAME]] [--emit k8s|slurm [--image NAME]]`;

function positiveInt(flag: string, value: string | undefined, min = 1): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw usageError(`${flag} must be an integer >= ${min} (got "${value}")`);
  return n;
}

/** `--corruptions`: a preset, or a comma-separated list of corruption names. */
export function parseCorruptions(value: string | undefined): ConditionSelection {
  if (value === undefined) return { preset: 'benchmark' };
  if ((CONDITION_PRESETS as readonly string[]).includes(value)) return { preset: value as ConditionPreset };
  const names = value.split(',').map((n) => n.trim()).filter(Boolean);
  const unknown = names.filter((n) => !isCorruptionName(n));
  if (!names.length || unknown.length) {
    throw usageError(
      `--corruptions takes ${CONDITION_PRESETS.join(', ')} or a comma-separated list of corruptions; unknown: ${unknown.join(', ') || '(empty)'}\nvalid names: ${CORRUPTION_NAMES.join(', ')}`,
    );
  }
  return { corruptions: names as CorruptionName[] };
}

/** `--severities`: "1-5", "2-4", "1,3,5" or "3". */
export function parseSeverities(value: string | undefined): number[] | undefined {
  if (value === undefined) return undefined;
  const range = /^([1-5])-([1-5])$/.exec(value.trim());
  let out: number[];
  if (range) {
    const [a, b] = [Number(range[1]), Number(range[2])];
    if (a > b) throw usageError(`--severities ${value}: the range must go up`);
    out = Array.from({ length: b - a + 1 }, (_, i) => a + i);
  } else {
    out = value.split(',').map((s) => Number(s.trim()));
    if (!out.length || out.some((n) => !Number.isInteger(n) || n < 1 || n > 5)) {
      throw usageError(`--severities takes a range (1-5) or a list (1,3,5) of severities 1..5 (got "${value}")`);
    }
  }
  return [...new Set(out)].sort((a, b) => a - b);
}

export async function readClassCounts(file: string): Promise<Record<string, number>> {
  const text = await readFile(file, 'utf8').catch((err: Error) => {
    throw badInput(`cannot read class counts file ${file}: ${err.message}`, [{ file, problem: err.message }], file);
  });
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw badInput(`${file} is not valid JSON: ${(err as Error).message}`, [{ file, problem: (err as Error).message }], file);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json) || !Object.values(json).every((v) => Number.isInteger(v) && (v as number) >= 0)) {
    throw badInput(`${file} must map class names to non-negative integer counts, e.g. {"car": 28742, "person": 4487}`, [], file);
  }
  return json as Record<string, number>;
}


/** Where a shard index comes from when `--shard N` gives only the count, in this order after --shard-index-env. */
export const SHARD_INDEX_ENVS = ['JOB_COMPLETION_INDEX', 'SLURM_ARRAY_TASK_ID'] as const;

export interface ParsedAuditArgs {
  /** as given (emit keeps them as the container will see them) */
  modelArgs: string[];
  modelPaths: string[];
  baselineIndex: number;
  dataset: string;
  format: DatasetFormat | undefined;
  selection: ConditionSelection;
  sample: number | undefined;
  seed: number;
  bootstrap: number;
  threads: number | undefined;
  batchSize: number | undefined;
  ep: string | undefined;
  db: string | undefined;
  json: boolean;
  /** print a time estimate from a short calibration run instead of running the audit */
  estimate: boolean;
  classCounts: string | undefined;
  /** the shard to run; index null when --emit asks for a launch file of `count` shards */
  shard: { index: number | null; count: number } | null;
  shardIndexEnv: string | undefined;
  emit: 'k8s' | 'slurm' | undefined;
  image: string | undefined;
  /** the safety report, policy gate and JUnit file asked for (none with --shard) */
  report: ReportOutputFlags;
}

/**
 * `--shard I/N` runs shard I of N; `--shard N` takes I from the environment:
 * --shard-index-env NAME, else JOB_COMPLETION_INDEX (Kubernetes Indexed Job), else
 * SLURM_ARRAY_TASK_ID (Slurm array). `needIndex` false (--emit) leaves I unresolved.
 */
export function parseShard(
  value: string,
  indexEnv: string | undefined,
  env: Record<string, string | undefined>,
  needIndex = true,
): { index: number | null; count: number } {
  const m = /^(?:(\d+)\/)?(\d+)$/.exec(value.trim());
  if (!m) throw usageError(`--shard takes I/N (shard I of N, 0-based) or N (the index from the environment), got "${value}"`);
  const count = Number(m[2]);
  if (!Number.isSafeInteger(count) || count < 1) throw usageError(`--shard: the shard count must be at least 1 (got "${value}")`);
  let index: number | null = m[1] === undefined ? null : Number(m[1]);
  if (index !== null && indexEnv !== undefined) throw usageError('give either --shard I/N or --shard N with --shard-index-env, not both');
  if (index === null && needIndex) {
    const names = indexEnv !== undefined ? [indexEnv] : [...SHARD_INDEX_ENVS];
    const name = names.find((n) => env[n] !== undefined && env[n] !== '');
    if (!name) throw usageError(`--shard ${value} takes the shard index from the environment, but ${names.join(' and ')} ${names.length > 1 ? 'are' : 'is'} not set`);
    const raw = env[name]!;
    if (!/^\d+$/.test(raw.trim())) throw usageError(`${name}="${raw}" is not a shard index (a non-negative integer)`);
    index = Number(raw);
  }
  if (index !== null && index >= count) throw usageError(`--shard: the index ${index} must be below the shard count ${count}`);
  return { index, count };
}

/** The store of one shard: `{shard}` in --db becomes the shard index. */
export function shardDbPath(db: string, index: number): string {
  return db.split('{shard}').join(String(index));
}

/** `odra audit`'s own parser (pure: no file is read); the launch files are checked against it. */
export function parseAuditArgs(argv: string[], env: Record<string, string | undefined> = process.env): ParsedAuditArgs {
  const { values } = parseArgs({ args: argv, options: AUDIT_OPTIONS, strict: true });
  const modelArgs = values.model ?? [];
  if (!modelArgs.length || !values.dataset) throw usageError(`--model and --dataset are required\nusage: ${AUDIT_USAGE}`);
  const format = values.format;
  if (format !== undefined && !(DATASET_FORMATS as readonly string[]).includes(format)) {
    throw usageError(`--format must be one of ${DATASET_FORMATS.join(', ')} (got "${format}")`);
  }
  const selection: ConditionSelection = { ...parseCorruptions(values.corruptions) };
  const severities = parseSeverities(values.severities);
  if (severities) selection.severities = severities;
  const sample = positiveInt('--sample', values.sample);
  const seed = positiveInt('--seed', values.seed, 0) ?? 0;
  if (seed > 0xffffffff) throw usageError('--seed must be an integer 0..4294967295');
  const bootstrap = positiveInt('--bootstrap', values.bootstrap, 0) ?? 1000;
  const threads = positiveInt('--threads', values.threads);
  const batchSize = positiveInt('--batch', values.batch);
  const resolved = modelArgs.map((p) => path.resolve(p));
  if (new Set(resolved).size !== resolved.length) throw usageError('a model is given twice');
  let baselineIndex = 0;
  if (values.baseline !== undefined) {
    baselineIndex = resolved.indexOf(path.resolve(values.baseline));
    if (baselineIndex < 0) throw usageError(`--baseline ${values.baseline} must be one of the --model files`);
  }
  const emit = values.emit;
  if (emit !== undefined && emit !== 'k8s' && emit !== 'slurm') throw usageError(`--emit takes k8s or slurm (got "${emit}")`);
  if (values.image !== undefined && emit === undefined) throw usageError('--image names the container image of --emit');
  let shard: ParsedAuditArgs['shard'] = null;
  if (values.shard !== undefined) shard = parseShard(values.shard, values['shard-index-env'], env, emit === undefined);
  else if (values['shard-index-env'] !== undefined) throw usageError('--shard-index-env needs --shard N (the shard count)');
  if (emit !== undefined && !shard) throw usageError('--emit needs --shard N: the number of shards to launch');
  if (emit !== undefined && values.estimate) throw usageError('--estimate times the audit here; --emit writes a launch file: give one of them');
  if (shard && values.threads === undefined) {
    throw usageError('--shard needs --threads N: the thread count is part of the plan (it changes some models\' outputs), so every shard, the merge and a later odra audit on the merged store must give the same one');
  }
  if (shard && values.db === undefined) throw usageError('--shard needs --db FILE: each shard runs into its own store, which odra merge reads (use {shard} in the name for the index)');
  let db = values.db;
  if (db !== undefined && shard?.index !== null && shard?.index !== undefined) db = shardDbPath(db, shard.index);
  return {
    modelArgs,
    modelPaths: resolved,
    baselineIndex,
    dataset: values.dataset,
    format: format as DatasetFormat | undefined,
    selection,
    sample,
    seed,
    bootstrap,
    threads,
    batchSize,
    ep: values.ep,
    db,
    json: values.json ?? false,
    estimate: values.estimate ?? false,
    classCounts: values['class-counts'],
    shard,
    shardIndexEnv: values['shard-index-env'],
    emit: emit as ParsedAuditArgs['emit'],
    image: values.image,
    report: { out: values.report, policy: values.policy, junit: values.junit, chromium: values.chromium },
  };
}

export async function auditCommand(argv: string[]): Promise<number> {
  const args = parseAuditArgs(argv);
  if (args.emit) {
    process.stdout.write(emitLaunchFile(args.emit, argv, args));
    return 0;
  }
  if (args.estimate) return estimateCommand(args);
  if (args.shard && wantsReportOutputs(args.report)) {
    throw usageError('--report, --policy and --junit apply to the whole plan: give them to odra report after odra merge, not to a shard');
  }
  // the report machinery loads only when asked for, and checks its inputs before any work
  const reporting = wantsReportOutputs(args.report) ? await import('../report-outputs') : null;
  const outputs = reporting ? await reporting.prepareReportOutputs(args.report) : null;
  const { selection, sample, seed, bootstrap, threads, batchSize, baselineIndex } = args;
  const resolved = args.modelPaths;
  const format = args.format;
  const values = { db: args.db, dataset: args.dataset, ep: args.ep, json: args.json };
  const classCounts = args.classCounts ? await readClassCounts(args.classCounts) : undefined;

  let engine: Engine;
  try {
    engine = new Engine({ dbPath: values.db ?? ':memory:' });
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw badInput(`cannot open the store ${values.db}: ${reason}`, [{ file: values.db, problem: reason }], values.db);
  }
  const client = inProcessClient(engine);
  const bar = stderrProgress();
  let jobId: string | null = null;
  let interrupted = false;
  const onSigint = (): void => {
    interrupted = true;
    if (jobId) void client.call('audits.pause', { id: auditId }).catch(() => undefined);
  };
  let auditId = -1;
  process.on('SIGINT', onSigint);
  try {
    const dataset = await client.call('datasets.import', { dir: values.dataset, format: format as DatasetFormat | undefined }, { onProgress: bar.update });
    bar.end();
    const models = [];
    for (const p of resolved) models.push(await client.call('models.import', { path: p }));
    const input = {
      modelIds: models.map((m) => m.id),
      baselineModelId: models[baselineIndex].id,
      datasetId: dataset.id,
      conditions: selection,
      seed,
      ...(sample ? { sample } : {}),
      ...(values.ep ? { executionProvider: values.ep } : {}),
      ...(threads ? { threads } : {}),
      ...(batchSize ? { batchSize } : {}),
      ...(args.shard && args.shard.index !== null ? { shard: { index: args.shard.index, count: args.shard.count } } : {}),
    };
    const plan = await client.call('audits.plan', input);
    const partial = plan.existing?.shard?.partial ? plan.existing.shard : null;
    if (partial) {
      const missing = Array.from({ length: partial.count }, (_, i) => i).filter((i) => !partial.merged.includes(i));
      throw usageError(
        `audit ${plan.existing!.id} on ${values.db} is a partial merge (shards ${partial.merged.join(', ')} of ${partial.count}): ` +
          `merge the missing shard${missing.length > 1 ? 's' : ''} ${missing.join(', ')} with odra merge --db ${values.db} SHARD.db...`,
      );
    }
    if (plan.existing?.status === 'done') {
      process.stderr.write(`odra: audit ${plan.existing.id} of this plan is done; printing its stored result\n`);
      auditId = plan.existing.id;
    } else {
      const started =
        plan.existing && plan.existing.resumable ? await client.call('audits.resume', { id: plan.existing.id }) : await client.call('audits.start', input);
      auditId = started.audit.id;
      jobId = started.jobId;
      if (plan.existing?.resumable) {
        process.stderr.write(`odra: resuming audit ${auditId} at ${started.audit.unitsDone}/${started.audit.unitsTotal} units\n`);
      } else {
        process.stderr.write(`odra: audit ${auditId}: ${plan.units} units (${plan.images} images x ${plan.conditions.length} conditions x ${models.length} models)\n`);
      }
      if (interrupted) await client.call('audits.pause', { id: auditId });
      const info = await client.call(
        'jobs.watch',
        { id: jobId },
        {
          onEvent: (e) => {
            if (e.type === 'progress') {
              const rate = e.progress.unitsPerSecond ? ` ${e.progress.unitsPerSecond.toFixed(1)} units/s` : '';
              bar.update({ stage: `${e.progress.stage}${rate}`, done: e.progress.done, total: e.progress.total, etaSeconds: e.progress.etaSeconds });
            } else if (e.type === 'warning') {
              bar.end();
              process.stderr.write(`odra: ${e.message}\n`);
            }
          },
        },
      );
      bar.end();
      if (info.status === 'paused' || info.status === 'interrupted' || info.status === 'cancelled') {
        const summary = await client.call('audits.get', { id: auditId });
        const db = values.db ? ` on --db ${values.db}` : ' (no --db: the work is lost; give --db to make an audit resumable)';
        throw new OdraError('INTERNAL', `audit ${auditId} ${info.status} at ${summary.unitsDone}/${summary.unitsTotal} units${info.error ? `: ${info.error}` : ''}; run the same command${db} to resume`);
      }
      if (info.status === 'failed') throw new OdraError(info.errorCode ?? 'INTERNAL', info.error ?? `audit ${auditId} failed`);
    }
    if (args.shard) {
      // a shard's own metrics cover a part of the plan and mean nothing alone: no analysis
      // here; odra merge scores the whole plan once
      const detail = await client.call('audits.get', { id: auditId });
      process.stderr.write(`odra: shard ${args.shard.index}/${args.shard.count} done (${detail.unitsDone} units in ${values.db}); merge the shards with odra merge --db OUT.db SHARD.db...\n`);
      if (values.json) process.stdout.write(`${JSON.stringify(detail)}\n`);
      return 0;
    }
    if (bootstrap > 0) process.stderr.write(`odra: analysing (${bootstrap} bootstrap resamples)\n`);
    const result = await client.call('audits.result', { id: auditId, bootstrap, ...(classCounts ? { classCounts } : {}) });
    if (values.json) process.stdout.write(`${JSON.stringify(result)}\n`);
    else process.stdout.write(formatResult(result));
    if (!reporting || !outputs) return 0;
    const { engineAuditReader } = await import('../../engine/reports/engine-audit-reader');
    const emitted = await reporting.emitReportOutputs(engineAuditReader(engine), auditId, outputs, { bootstrap, ...(classCounts ? { classCounts } : {}) }, (line) =>
      process.stderr.write(`odra: ${line}\n`),
    );
    return emitted.exitCode;
  } finally {
    bar.end();
    process.off('SIGINT', onSigint);
    await engine.close();
  }
}

/**
 * `--estimate`: imports the dataset and models into an in-memory store (never --db: an
 * estimate writes nothing), runs audits.estimate and prints it; exit 0 without running
 * the audit. Ctrl+C cancels the calibration.
 */
async function estimateCommand(args: ParsedAuditArgs): Promise<number> {
  const engine = new Engine({ dbPath: ':memory:' });
  const client = inProcessClient(engine);
  const bar = stderrProgress();
  const controller = new AbortController();
  const onSigint = (): void => controller.abort();
  process.on('SIGINT', onSigint);
  try {
    const dataset = await client.call('datasets.import', { dir: args.dataset, format: args.format }, { onProgress: bar.update, signal: controller.signal });
    bar.end();
    const models = [];
    for (const p of args.modelPaths) models.push(await client.call('models.import', { path: p }));
    const estimate = await client.call(
      'audits.estimate',
      {
        modelIds: models.map((m) => m.id),
        baselineModelId: models[args.baselineIndex].id,
        datasetId: dataset.id,
        conditions: args.selection,
        seed: args.seed,
        ...(args.sample ? { sample: args.sample } : {}),
        ...(args.ep ? { executionProvider: args.ep } : {}),
        ...(args.threads ? { threads: args.threads } : {}),
        ...(args.batchSize ? { batchSize: args.batchSize } : {}),
        ...(args.shard && args.shard.index !== null ? { shard: { index: args.shard.index, count: args.shard.count } } : {}),
      },
      { onProgress: bar.update, signal: controller.signal },
    );
    bar.end();
    if (args.json) process.stdout.write(`${JSON.stringify(estimate)}\n`);
    else process.stdout.write(formatEstimate(estimate));
    return 0;
  } finally {
    bar.end();
    process.off('SIGINT', onSigint);
    await engine.close();
  }
}

export function formatEstimate(e: AuditEstimate): string {
  const lines = [
    `estimate: ${estimateText(e)} (${e.images} images x ${e.conditions} conditions x ${e.perModel.length} model${e.perModel.length === 1 ? '' : 's'})`,
    `  from a calibration of ${e.basis} per model in ${e.calibrationSeconds.toFixed(1)} s; paced by ${e.bottleneck}; ${e.ortThreads} onnxruntime threads, ${e.poolWorkers} corruption workers`,
    ...e.perModel.map((m) => `  ${m.name}: ${(m.secondsPerUnit * 1000).toFixed(1)} ms per unit, ${m.seconds.toFixed(1)} s of inference`),
    ...e.perCorruption.filter((c) => c.corruption !== 'clean').map((c) => `  ${c.corruption}: ${(c.secondsPerImage * 1000).toFixed(1)} ms per image`),
  ];
  return `${lines.join('\n')}\n`;
}

const f = (v: number | null | undefined, digits = 4): string => (v === null || v === undefined ? 'n/a' : v.toFixed(digits));
const ci = (v: [number, number] | null): string => (v ? ` [${v[0].toFixed(4)}, ${v[1].toFixed(4)}]` : '');
const sig = (d: { value: number | null; ci95: [number, number] | null; significant: boolean | null }): string =>
  `${f(d.value)}${ci(d.ci95)}${d.significant === null ? '' : d.significant ? ' significant' : ' not significant'}`;

export function formatResult(r: AuditResult): string {
  const lines = [
    `audit ${r.audit.id}: ${r.audit.images} images x ${r.audit.conditions} conditions, seed ${r.audit.seed}` +
      (r.audit.bootstrap ? `; 95% intervals from ${r.audit.bootstrap} paired bootstrap resamples` : '; no intervals (--bootstrap 0)'),
  ];
  for (const m of r.models) {
    lines.push(`  ${m.name}${m.baseline ? ' (baseline)' : ''}`);
    lines.push(
      `    P ${f(m.P)}${ci(m.P_ci95)}  mPC ${f(m.mPC)}${ci(m.mPC_ci95)} (${m.mPC_conditions} of ${m.mPC_suite} conditions)  rPC ${f(m.rPC)}${ci(m.rPC_ci95)}` +
        (m.mPC_heldout_conditions ? `  mPC held-out ${f(m.mPC_heldout)}` : ''),
    );
    if (m.worst_class) {
      lines.push(
        `    worst class ${m.worst_class.name} (of classes with >= ${m.worst_class_min_gt} GT; ${m.worst_class_skipped} skipped): AP ${f(m.worst_class.AP)}, mPC ${f(m.worst_class.mPC)}, rPC ${f(m.worst_class.rPC)}`,
      );
    }
    if (m.worst_corruption) lines.push(`    worst corruption ${m.worst_corruption.name}: AP ${f(m.worst_corruption.AP)}`);
    if (m.delta) {
      lines.push(`    vs baseline: dP ${sig(m.delta.P)}`);
      lines.push(`                 dmPC ${sig(m.delta.mPC)}`);
      lines.push(`                 drPC ${sig(m.delta.rPC)}`);
      lines.push(`                 dworst-class AP ${sig(m.delta.worst_class_AP)}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
