/**
 * Audit throughput: the two shared NanoDet widths (m 1.0x and 0.5x) audited on 50 and on
 * 100 images of the shared COCO driving sets (val 55 + train 48 merged into one
 * 103-image dataset in a temp folder; the audit takes a seeded sample), preset
 * `benchmark` (clean + 15 corruptions x 5 severities), through the engine exactly as
 * the app and the CLI run it (runner process, corruption pool, store, scorer).
 *
 *   node --import tsx scripts/bench-audit.ts [--images 50,100] [--preset benchmark|quick|all]
 *        [--threads N] [--workers N] [--no-isolation] [--preprocess pool|runner|both]
 *
 * `--preprocess both` (default) runs every audit twice, back to back, with the models'
 * input tensors made in the pool workers and on the runner's inference thread
 * (runner-protocol.ts); each result is under runs[placement][images].
 *
 * Per image count it prints, and the last stdout line carries as one JSON object:
 *   units_per_s            units (image x condition x model) per wall second of the audit
 *   peak_rss_mb            engine + runner resident set (runner sampled every 200 ms)
 *   stage_seconds          the runner's own times per stage, summed over tasks (decode,
 *                          corruption kernels, preprocess, ORT, postprocess) and the
 *                          engine's store writes and cell scoring
 *   efficiency             pipeline efficiency (util/efficiency.ts): CPU seconds of each
 *                          stage of the same units measured alone, one at a time in this
 *                          process (decode, corruption, preprocess once per distinct model
 *                          input spec, ORT, postprocess) + the run's store and scoring,
 *                          / cores / the run's wall from the first task sent to its end
 *                          (files verified, models loaded): 1 means the stages overlap
 *                          perfectly and nothing is repeated or waited for
 *   capacity_shares        stages (= efficiency) + overhead (CPU the real run's processes
 *                          used beyond the isolated stages over the running phase: /proc,
 *                          this process from the first task + the runner less its start-up)
 *                          + idle (cores left unused) = 1
 *   inference_thread_shares the runner's inference thread over the same wall: ORT,
 *                          waiting for inputs (decode, corruption, tensors), and beside
 *                          it postprocess_worker_share (decoding outputs, NMS, packing)
 *   datasets_list_ms       p50 / p95 / max latency of a `datasets.list` call made every
 *                          100 ms during the audit (the UI stays responsive)
 *   event_loop_delay_ms    the engine thread's event-loop delay (perf_hooks, 10 ms
 *                          resolution): how long it was held, apart from waiting for a CPU
 * and once: bytes_per_detection (the audit_units table's pages / detections stored),
 * bootstrap_share (bootstrap seconds / audit seconds; null until the analytics module
 * is wired in). Progress goes to stderr.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { ConditionPreset } from '../src/shared/audits';
import type { CorruptionName, Severity } from '../src/shared/corruptions';
import type { RunStats } from '../src/engine/audits/executor';
import { packedCount } from '../src/engine/audits/packing';
import { planBlocks, unitSeed } from '../src/engine/audits/plan';
import { applyCorruption } from '../src/engine/corruptions/registry';
import { Engine } from '../src/engine/engine';
import { decodeImage } from '../src/engine/images/decode';
import { Detector } from '../src/engine/inference/detector';
import { preprocess } from '../src/engine/models/preprocess';
import { inProcessClient } from '../src/engine/rpc/in-process';
import { pipelineEfficiency } from '../src/engine/util/efficiency';
import { childrenCpuSeconds, runnersGone } from './bench-process-cpu';

type Placement = 'pool' | 'runner';

interface Args {
  images: number[];
  preset: ConditionPreset;
  threads: number | undefined;
  workers: number | undefined;
  isolation: boolean;
  placements: Placement[];
}

const log = (msg: string): void => {
  process.stderr.write(`${msg}\n`);
};
const round3 = (v: number): number => Math.round(v * 1000) / 1000;

function parseArgs(argv: string[]): Args {
  const args: Args = { images: [50, 100], preset: 'benchmark', threads: undefined, workers: undefined, isolation: true, placements: ['pool', 'runner'] };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[i + 1];
    if (flag === '--images') args.images = value.split(',').map(Number);
    else if (flag === '--preset') args.preset = value as ConditionPreset;
    else if (flag === '--threads') args.threads = Number(value);
    else if (flag === '--workers') args.workers = Number(value);
    else if (flag === '--preprocess') {
      if (value !== 'pool' && value !== 'runner' && value !== 'both') throw new Error(`--preprocess must be pool, runner or both (got ${value})`);
      args.placements = value === 'both' ? ['pool', 'runner'] : [value];
    } else if (flag === '--no-isolation') {
      args.isolation = false;
      continue;
    } else throw new Error(`unknown flag ${flag}`);
    i++;
  }
  return args;
}

interface CocoJson {
  images: { id: number; file_name: string; width: number; height: number }[];
  annotations: { id: number; image_id: number; category_id: number; bbox: number[]; area: number; iscrowd: number }[];
  categories: { id: number; name: string; supercategory?: string }[];
}

/** coco128 val + train in one COCO folder (annotation ids of train shifted; image ids never collide). */
function mergedDataset(shared: string, dir: string): number {
  mkdirSync(path.join(dir, 'images'), { recursive: true });
  const out: CocoJson = { images: [], annotations: [], categories: [] };
  [['coco128_val2017_driving', 0], ['coco128_train2017_driving', 1_000_000]].forEach(([name, shift]) => {
    const src = path.join(shared, 'data/datasets', name as string);
    const json = JSON.parse(readFileSync(path.join(src, 'annotations.json'), 'utf8')) as CocoJson;
    out.categories = json.categories.map((c) => ({ id: c.id, name: c.name }));
    for (const im of json.images) out.images.push({ id: im.id, file_name: im.file_name, width: im.width, height: im.height });
    for (const a of json.annotations) {
      out.annotations.push({ id: a.id + (shift as number), image_id: a.image_id, category_id: a.category_id, bbox: a.bbox, area: a.area, iscrowd: a.iscrowd });
    }
    for (const f of readdirSync(path.join(src, 'images'))) copyFileSync(path.join(src, 'images', f), path.join(dir, 'images', f));
  });
  writeFileSync(path.join(dir, 'annotations.json'), JSON.stringify(out));
  return out.images.length;
}

/** Resident set of this process's audit runner (Linux /proc), 0 when none runs. */
function runnerRssBytes(): number {
  let total = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) !== process.pid) continue;
      if (!readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes('runner.js')) continue;
      const rss = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${entry}/status`, 'utf8'));
      if (rss) total += Number(rss[1]) * 1024;
    } catch {
      // it ended
    }
  }
  return total;
}

function percentile(values: number[], p: number): number {
  if (!values.length) return NaN;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)];
}

const cpuSeconds = (c: NodeJS.CpuUsage): number => (c.user + c.system) / 1e6;

type StageName = 'decode' | 'corruption' | 'preprocess' | 'inference' | 'postprocess';
const STAGES: StageName[] = ['decode', 'corruption', 'preprocess', 'inference', 'postprocess'];

interface Side {
  placement: Placement;
  engine: Engine;
  client: ReturnType<typeof inProcessClient>;
  dataset: { id: number; contentHash: string };
  models: { id: number; name: string }[];
  lastStats: RunStats | null;
}

async function runAudit(side: Side, n: number, args: Args): Promise<{ auditId: number; record: Record<string, unknown>; run: RunStats; runCpuSeconds: number }> {
  const { client } = side;
  const input = {
    modelIds: side.models.map((m) => m.id),
    datasetId: side.dataset.id,
    conditions: { preset: args.preset },
    sample: n,
    seed: 0,
    ...(args.threads ? { threads: args.threads } : {}),
    ...(args.workers ? { workers: args.workers } : {}),
  };
  const t0 = performance.now();
  const children = childrenCpuSeconds();
  const { audit, jobId } = await client.call('audits.start', input);
  log(`audit of ${n} images, tensors made in the ${side.placement}: ${audit.unitsTotal} units`);
  let peakRss = 0;
  const latencies: number[] = [];
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  let stop = false;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss + runnerRssBytes());
  }, 200);
  const probe = (async () => {
    while (!stop) {
      const s = performance.now();
      await client.call('datasets.list', {});
      latencies.push(performance.now() - s);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })();
  let lastLog = 0;
  const info = await client.call(
    'jobs.watch',
    { id: jobId },
    {
      onEvent: (e) => {
        if (e.type !== 'progress' || performance.now() - lastLog < 10_000) return;
        lastLog = performance.now();
        log(`  ${e.progress.stage} ${e.progress.done}/${e.progress.total} ${e.progress.unitsPerSecond?.toFixed(2) ?? '-'} units/s`);
      },
    },
  );
  const wall = (performance.now() - t0) / 1000;
  stop = true;
  clearInterval(sampler);
  loop.disable();
  await probe;
  await runnersGone();
  if (info.status !== 'done') throw new Error(`audit ${audit.id} ended ${info.status}: ${info.error}`);
  const run = side.lastStats;
  if (!run) throw new Error('no run stats');
  // the running phase only: the engine's CPU over it, the runner's whole life less its start-up
  const runCpuSeconds = run.engineRunningCpuSeconds + childrenCpuSeconds() - children - run.runnerStartCpuSeconds;
  const s = run.stages;
  const wallMs = run.runningSeconds * 1000;
  const record: Record<string, unknown> = {
    units: audit.unitsTotal,
    wall_s: round3(wall),
    running_wall_s: round3(run.runningSeconds),
    units_per_s: round3(audit.unitsTotal / wall),
    peak_rss_mb: round3(Math.max(peakRss, process.memoryUsage().rss) / 2 ** 20),
    ort_threads: run.ortThreads,
    pool_workers: run.poolWorkers,
    // the real run's own stage times (wall time of each step, summed over tasks)
    stage_seconds: {
      decode: round3(s.decodeMs / 1000),
      corruption: round3(s.corruptMs / 1000),
      preprocess: round3(s.preprocessMs / 1000),
      inference: round3(s.inferenceMs / 1000),
      postprocess: round3(s.postprocessMs / 1000),
      store: round3(run.storeSeconds),
      scoring: round3(run.scoreSeconds),
    },
    run_cpu_s: round3(runCpuSeconds),
    inference_thread_shares: {
      ort: round3(s.inferenceMs / wallMs),
      waiting_for_inputs: round3(s.waitMs / wallMs),
      preprocess_in_runner: side.placement === 'runner' ? round3(s.preprocessMs / wallMs) : null,
    },
    // decoding outputs and NMS run on the post-processing worker, beside the inference thread
    postprocess_worker_share: round3(s.postprocessMs / wallMs),
    datasets_list_ms: { n: latencies.length, p50: round3(percentile(latencies, 0.5)), p95: round3(percentile(latencies, 0.95)), max: round3(Math.max(...latencies)) },
    // how long the engine thread itself was held (a delay here is blocking, not CPU starvation)
    event_loop_delay_ms: { p95: round3(loop.percentile(95) / 1e6), p99: round3(loop.percentile(99) / 1e6), max: round3(loop.max / 1e6) },
  };
  log(`  ${JSON.stringify(record)}`);
  return { auditId: audit.id, record, run, runCpuSeconds };
}

/**
 * Per image of the audit: CPU seconds of each stage alone, one at a time in this process.
 * Input tensors are made once per distinct input spec (what the pipeline must do: models
 * with equal input size and preprocessing share one tensor).
 */
async function isolatedStages(engine: Engine, auditId: number, datasetId: number, datasetHash: string, ortThreads: number): Promise<Map<number, Record<StageName, number>>> {
  const imageIds = engine.audits.imageIds(auditId);
  const conditions = engine.audits.conditions(auditId);
  const blocks = planBlocks(conditions);
  const files = new Map(engine.datasets.imageFiles(datasetId).map((f) => [f.id, f.path]));
  const detectors = await Promise.all(engine.audits.models(auditId).map((m) => Detector.load(m.path, m.adapter, { threads: ortThreads, spinning: false })));
  const specKeys = detectors.map((d) => JSON.stringify([d.config.input.width, d.config.input.height, d.config.preprocessing]));
  const uniqueKeys = [...new Set(specKeys)];
  const specs = uniqueKeys.map((key) => detectors[specKeys.indexOf(key)].config);
  const perImage = new Map<number, Record<StageName, number>>();
  let lastLog = performance.now();
  for (const [k, imageId] of imageIds.entries()) {
    const t: Record<StageName, number> = { decode: 0, corruption: 0, preprocess: 0, inference: 0, postprocess: 0 };
    const timed = async <T>(stage: StageName, f: () => Promise<T> | T): Promise<T> => {
      const c = process.cpuUsage();
      const out = await f();
      t[stage] += cpuSeconds(process.cpuUsage(c));
      return out;
    };
    for (const block of blocks) {
      const image = await timed('decode', () => decodeImage(files.get(imageId)!));
      for (const conditionPos of block.conditions) {
        const condition = conditions[conditionPos];
        const input =
          condition.corruption === 'clean'
            ? image
            : await timed('corruption', () =>
                applyCorruption(image, condition.corruption as CorruptionName, condition.severity as Severity, unitSeed(0, datasetHash, imageId, condition)),
              );
        const tensors = [];
        for (const spec of specs) tensors.push(await timed('preprocess', () => preprocess(input, spec)));
        for (const [j, d] of detectors.entries()) {
          const tensor = tensors[uniqueKeys.indexOf(specKeys[j])];
          const batch = await timed('preprocess', () => d.prepareFrom([tensor]));
          const outputs = await timed('inference', () => d.infer(batch));
          await timed('postprocess', () => d.finish(batch, outputs));
        }
      }
    }
    perImage.set(imageId, t);
    if (performance.now() - lastLog > 10_000) {
      lastLog = performance.now();
      log(`  isolation: ${k + 1}/${imageIds.length} images`);
    }
  }
  await Promise.all(detectors.map((d) => d.dispose()));
  return perImage;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const shared = path.resolve(process.cwd(), '../shared');
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'odra-bench-audit-'));
  const cores = os.availableParallelism();
  const sides: Side[] = [];
  try {
    const count = mergedDataset(shared, path.join(tmp, 'dataset'));
    log(`dataset: ${count} images (coco128 val + train driving)`);
    for (const placement of args.placements) {
      const side: Side = { placement, engine: null as unknown as Engine, client: null as unknown as Side['client'], dataset: { id: 0, contentHash: '' }, models: [], lastStats: null };
      side.engine = new Engine({ dbPath: path.join(tmp, `odra-${placement}.db`), runnerPreprocessing: placement, onAuditRunStats: (st) => (side.lastStats = st) });
      sides.push(side);
      side.client = inProcessClient(side.engine);
      side.dataset = await side.client.call('datasets.import', { dir: path.join(tmp, 'dataset'), name: 'coco128-driving-103' });
      side.models = [
        await side.client.call('models.import', { path: path.join(shared, 'data/models/nanodet_m/nanodet_m.onnx') }),
        await side.client.call('models.import', { path: path.join(shared, 'data/models/nanodet_m/nanodet_m_0.5x.onnx') }),
      ];
    }
    const runs: Record<string, Record<string, Record<string, unknown>>> = {};
    const real: Record<string, Record<number, { auditId: number; run: RunStats; runCpuSeconds: number }>> = {};
    for (const [i, n] of args.images.entries()) {
      // alternate which placement goes first, so a load change hits both alike
      for (const side of i % 2 ? [...sides].reverse() : sides) {
        const r = await runAudit(side, n, args);
        (runs[side.placement] ??= {})[n] = r.record;
        (real[side.placement] ??= {})[n] = r;
      }
    }
    const first = sides[0];
    const db = first.engine.db;

    // the store: pages of audit_units per detection stored
    const pages = (db.prepare("SELECT SUM(pgsize) AS b FROM dbstat WHERE name = 'audit_units'").get() as { b: number }).b;
    let detections = 0;
    for (const row of db.prepare('SELECT detections FROM audit_units').iterate() as Iterable<{ detections: Buffer }>) detections += packedCount(row.detections);
    const records = (db.prepare('SELECT COALESCE(SUM(LENGTH(record)), 0) AS b FROM audit_cells').get() as { b: number }).b;

    if (args.isolation) {
      const largest = Math.max(...args.images);
      const ref = real[first.placement][largest];
      const perImage = await isolatedStages(first.engine, ref.auditId, first.dataset.id, first.dataset.contentHash, ref.run.ortThreads);
      for (const side of sides) {
        for (const n of args.images) {
          const { auditId, run, runCpuSeconds } = real[side.placement][n];
          const stages: Record<string, number> = { store: run.storeSeconds, scoring: run.scoreSeconds };
          for (const stage of STAGES) stages[stage] = 0;
          for (const imageId of side.engine.audits.imageIds(auditId)) {
            const t = perImage.get(imageId);
            if (!t) throw new Error(`image ${imageId} of the ${n}-image audit was not measured in isolation`);
            for (const stage of STAGES) stages[stage] += t[stage];
          }
          const e = pipelineEfficiency({ isolatedCpuSeconds: stages, cores, wallSeconds: run.runningSeconds, runCpuSeconds });
          const rec = runs[side.placement][n];
          rec.isolated_cpu_s = Object.fromEntries(Object.entries(stages).map(([k, v]) => [k, round3(v)]));
          rec.efficiency = round3(e.efficiency);
          rec.capacity_shares = { stages: round3(e.efficiency), overhead: round3(e.overheadShare!), idle: round3(e.idleShare!) };
        }
      }
    }

    const out = {
      model_pair: first.models.map((m) => m.name),
      preset: args.preset,
      cores,
      load_average_1m: round3(os.loadavg()[0]),
      units_per_s: Object.fromEntries(sides.map((sd) => [sd.placement, Object.fromEntries(args.images.map((n) => [n, runs[sd.placement][n].units_per_s]))])),
      efficiency: Object.fromEntries(sides.map((sd) => [sd.placement, Object.fromEntries(args.images.map((n) => [n, runs[sd.placement][n].efficiency ?? null]))])),
      bytes_per_detection: round3(pages / detections),
      record_bytes_per_detection: round3(records / detections),
      detections_stored: detections,
      bootstrap_share: null,
      runs,
    };
    process.stdout.write(`${JSON.stringify(out)}\n`);
  } finally {
    await Promise.all(sides.map((sd) => sd.engine.close()));
    rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench-audit: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
