/**
 * Audit throughput: the two shared NanoDet widths (m 1.0x and 0.5x) audited on 50 and on
 * 100 images of the shared COCO driving sets (val 55 + train 48 merged into one
 * 103-image dataset in a temp folder; the audit takes a seeded sample), preset
 * `benchmark` (clean + 15 corruptions x 5 severities), through the engine exactly as
 * the app and the CLI run it (runner process, corruption pool, store, scorer).
 *
 *   node --import tsx scripts/bench-audit.ts [--images 50,100] [--preset benchmark|quick|all]
 *        [--threads N] [--workers N] [--no-isolation]
 *
 * Per image count it prints, and the last stdout line carries as one JSON object:
 *   units_per_s            units (image x condition x model) per wall second of the audit
 *   peak_rss_mb            engine + runner resident set (runner sampled every 200 ms)
 *   stage_seconds          the runner's own times per stage, summed over tasks (decode,
 *                          corruption kernels, preprocess, ORT, postprocess) and the
 *                          engine's store writes and cell scoring
 *   efficiency             (CPU seconds of the same units' stages measured in isolation,
 *                          one at a time in this process, + store + scoring) / cores /
 *                          audit wall seconds: 1 means the stages overlap perfectly and
 *                          nothing is repeated
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
import { inProcessClient } from '../src/engine/rpc/in-process';

interface Args {
  images: number[];
  preset: ConditionPreset;
  threads: number | undefined;
  workers: number | undefined;
  isolation: boolean;
}

const log = (msg: string): void => {
  process.stderr.write(`${msg}\n`);
};
const round3 = (v: number): number => Math.round(v * 1000) / 1000;

function parseArgs(argv: string[]): Args {
  const args: Args = { images: [50, 100], preset: 'benchmark', threads: undefined, workers: undefined, isolation: true };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[i + 1];
    if (flag === '--images') args.images = value.split(',').map(Number);
    else if (flag === '--preset') args.preset = value as ConditionPreset;
    else if (flag === '--threads') args.threads = Number(value);
    else if (flag === '--workers') args.workers = Number(value);
    else if (flag === '--no-isolation') {
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

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const shared = path.resolve(process.cwd(), '../shared');
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'odra-bench-audit-'));
  const cores = os.availableParallelism();
  let stats: RunStats | null = null;
  const engine = new Engine({ dbPath: path.join(tmp, 'odra.db'), onAuditRunStats: (s) => (stats = s) });
  try {
    const client = inProcessClient(engine);
    const count = mergedDataset(shared, path.join(tmp, 'dataset'));
    log(`dataset: ${count} images (coco128 val + train driving)`);
    const dataset = await client.call('datasets.import', { dir: path.join(tmp, 'dataset'), name: 'coco128-driving-103' });
    const models = [
      await client.call('models.import', { path: path.join(shared, 'data/models/nanodet_m/nanodet_m.onnx') }),
      await client.call('models.import', { path: path.join(shared, 'data/models/nanodet_m/nanodet_m_0.5x.onnx') }),
    ];
    const perImages: Record<string, Record<string, unknown>> = {};
    const auditIds: Record<number, number> = {};
    for (const n of args.images) {
      const input = {
        modelIds: models.map((m) => m.id),
        datasetId: dataset.id,
        conditions: { preset: args.preset },
        sample: n,
        seed: 0,
        ...(args.threads ? { threads: args.threads } : {}),
        ...(args.workers ? { workers: args.workers } : {}),
      };
      const t0 = performance.now();
      const { audit, jobId } = await client.call('audits.start', input);
      auditIds[n] = audit.id;
      log(`audit of ${n} images: ${audit.unitsTotal} units`);
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
      if (info.status !== 'done') throw new Error(`audit ${audit.id} ended ${info.status}: ${info.error}`);
      const run = stats as RunStats | null;
      if (!run) throw new Error('no run stats');
      const s = run.stages;
      perImages[n] = {
        units: audit.unitsTotal,
        wall_s: round3(wall),
        units_per_s: round3(audit.unitsTotal / wall),
        peak_rss_mb: round3(Math.max(peakRss, process.memoryUsage().rss) / 2 ** 20),
        ort_threads: run.ortThreads,
        pool_workers: run.poolWorkers,
        stage_seconds: {
          decode: round3(s.decodeMs / 1000),
          corruption: round3(s.corruptMs / 1000),
          preprocess: round3(s.preprocessMs / 1000),
          inference: round3(s.inferenceMs / 1000),
          postprocess: round3(s.postprocessMs / 1000),
          store: round3(run.storeSeconds),
          scoring: round3(run.scoreSeconds),
        },
        datasets_list_ms: { n: latencies.length, p50: round3(percentile(latencies, 0.5)), p95: round3(percentile(latencies, 0.95)), max: round3(Math.max(...latencies)) },
        // how long the engine thread itself was held (a delay here is blocking, not CPU starvation)
        event_loop_delay_ms: { p95: round3(loop.percentile(95) / 1e6), p99: round3(loop.percentile(99) / 1e6), max: round3(loop.max / 1e6) },
      };
      log(`  ${JSON.stringify(perImages[n])}`);
    }

    // the store: pages of audit_units per detection stored
    const pages = (engine.db.prepare("SELECT SUM(pgsize) AS b FROM dbstat WHERE name = 'audit_units'").get() as { b: number }).b;
    let detections = 0;
    for (const row of engine.db.prepare('SELECT detections FROM audit_units').iterate() as Iterable<{ detections: Buffer }>) detections += packedCount(row.detections);
    const records = (engine.db.prepare('SELECT COALESCE(SUM(LENGTH(record)), 0) AS b FROM audit_cells').get() as { b: number }).b;

    // every stage of the same units in isolation, one at a time, in this process
    if (args.isolation) {
      const largest = Math.max(...args.images);
      const id = auditIds[largest];
      const imageIds = engine.audits.imageIds(id);
      const conditions = engine.audits.conditions(id);
      const blocks = planBlocks(conditions);
      const files = new Map(engine.datasets.imageFiles(dataset.id).map((f) => [f.id, f.path]));
      const hash = dataset.contentHash;
      const detectors = await Promise.all(
        engine.audits.models(id).map((m) => Detector.load(m.path, m.adapter, { threads: stats!.ortThreads, spinning: false })),
      );
      // per image: CPU seconds of its decodes, corruptions and inferences
      const perImage = new Map<number, number>();
      let lastLog = performance.now();
      for (const [k, imageId] of imageIds.entries()) {
        let cpu = 0;
        for (const block of blocks) {
          let c = process.cpuUsage();
          const image = await decodeImage(files.get(imageId)!);
          cpu += cpuSeconds(process.cpuUsage(c));
          for (const conditionPos of block.conditions) {
            const condition = conditions[conditionPos];
            let input = image;
            if (condition.corruption !== 'clean') {
              c = process.cpuUsage();
              input = await applyCorruption(image, condition.corruption as CorruptionName, condition.severity as Severity, unitSeed(0, hash, imageId, condition));
              cpu += cpuSeconds(process.cpuUsage(c));
            }
            for (const d of detectors) {
              c = process.cpuUsage();
              await d.detect([input]);
              cpu += cpuSeconds(process.cpuUsage(c));
            }
          }
        }
        perImage.set(imageId, cpu);
        if (performance.now() - lastLog > 10_000) {
          lastLog = performance.now();
          log(`  isolation: ${k + 1}/${imageIds.length} images`);
        }
      }
      await Promise.all(detectors.map((d) => d.dispose()));
      for (const n of args.images) {
        const ids = engine.audits.imageIds(auditIds[n]);
        const stages = ids.reduce((sum, i) => sum + (perImage.get(i) ?? NaN), 0);
        const r = perImages[n] as { wall_s: number; stage_seconds: { store: number; scoring: number } };
        const isolated = stages + r.stage_seconds.store + r.stage_seconds.scoring;
        perImages[n].isolated_cpu_s = round3(isolated);
        perImages[n].efficiency = round3(isolated / cores / r.wall_s);
      }
    }

    const out = {
      model_pair: models.map((m) => m.name),
      preset: args.preset,
      cores,
      load_average_1m: round3(os.loadavg()[0]),
      units_per_s: Object.fromEntries(args.images.map((n) => [n, perImages[n].units_per_s])),
      efficiency: Object.fromEntries(args.images.map((n) => [n, perImages[n].efficiency ?? null])),
      peak_rss_mb: Object.fromEntries(args.images.map((n) => [n, perImages[n].peak_rss_mb])),
      bytes_per_detection: round3(pages / detections),
      record_bytes_per_detection: round3(records / detections),
      detections_stored: detections,
      bootstrap_share: null,
      datasets_list_p95_ms: Object.fromEntries(args.images.map((n) => [n, (perImages[n].datasets_list_ms as { p95: number }).p95])),
      stage_seconds: Object.fromEntries(args.images.map((n) => [n, perImages[n].stage_seconds])),
      runs: perImages,
    };
    process.stdout.write(`${JSON.stringify(out)}\n`);
  } finally {
    await engine.close();
    rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench-audit: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
