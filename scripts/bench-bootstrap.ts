/**
 * Benchmark of an audit's analysis with the paired bootstrap (analyseAudit) on synthetic
 * data shaped like an audit: M models x 76 conditions (clean + the 15 benchmark
 * corruptions x 5 severities) x N images, about 30 detections and 10 GT boxes per image
 * over 8 classes of skewed frequency (a driving set: many cars, few cyclists), B resamples.
 *
 *   node --import tsx scripts/bench-bootstrap.ts [--images 100,500,2000] [--resamples 1000]
 *        [--models 3] [--classes 8] [--dets 30] [--seed 1]
 *
 * Each image count runs in a child process (its own peak RSS). A cell's record is made
 * when analyseAudit asks for it (GT + detections -> evaluateImage per image ->
 * buildCellMatches -> serialised bytes, as an audit would read it from its store); the
 * time spent making records is measured and subtracted, so `analysis_s` is what an audit
 * pays: reading the blobs, scoring every cell for its images and every resample, the
 * statistics and the intervals. `cpu_s` is the process CPU time over the same span (less
 * sensitive than wall time to other work on a shared machine).
 *
 * `share_of_audit_*`: analysis_s over the audit's own time, taken as 20 and 40 minutes
 * per 100 images (the measured range of an audit of this shape on this machine's CPU,
 * growing linearly with the images).
 * Progress goes to stderr; the last stdout line is one JSON object.
 */
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { createEvalSetup, evaluateImage, type CocoDetection, type GtAnnotation } from '../src/engine/cocoeval/cocoeval';
import { analyseAudit } from '../src/engine/analytics/analyse-audit';
import { buildCellMatches, serializeCellMatches } from '../src/engine/analytics/cell-matches';
import { BENCHMARK_CORRUPTIONS } from '../src/shared/corruptions';
import type { ConditionRef } from '../src/shared/audit-results';
import { Rng, fnv1a32 } from '../src/shared/prng';

interface Options { images: number[]; resamples: number; models: number; classes: number; dets: number; seed: number }

function log(msg: string): void {
  process.stderr.write(`${msg}\n`);
}

function parseArgs(argv: string[]): Options & { run: number | null } {
  const o: Options & { run: number | null } = { images: [100, 500, 2000], resamples: 1000, models: 3, classes: 8, dets: 30, seed: 1, run: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = argv[++i] ?? '';
    if (a === '--images') o.images = v.split(',').map(Number);
    else if (a === '--resamples') o.resamples = Number(v);
    else if (a === '--models') o.models = Number(v);
    else if (a === '--classes') o.classes = Number(v);
    else if (a === '--dets') o.dets = Number(v);
    else if (a === '--seed') o.seed = Number(v);
    else if (a === '--run') o.run = Number(v);
    else throw new Error(`unknown argument ${a} (usage: bench-bootstrap.ts [--images 100,500,2000] [--resamples N] [--models M] [--classes K] [--dets D] [--seed S])`);
  }
  for (const n of [...o.images, o.resamples, o.models, o.classes, o.dets]) {
    if (!Number.isInteger(n) || n < 0) throw new Error('counts must be non-negative integers');
  }
  return o;
}

type Box = [number, number, number, number];

/** The dataset: ~10 GT boxes per 1242 x 375 frame, class frequencies falling off like a driving set's. */
function makeGroundTruth(n: number, classes: number, seed: number): GtAnnotation[][] {
  const rng = new Rng(seed);
  const freq = Array.from({ length: classes }, (_, k) => 1 / (k + 1) ** 1.3);
  const total = freq.reduce((s, f) => s + f, 0);
  const pick = (): number => {
    let u = rng.uniform() * total;
    for (let k = 0; k < classes; k++) if ((u -= freq[k]) < 0) return k;
    return classes - 1;
  };
  let id = 1;
  return Array.from({ length: n }, (_, i) =>
    Array.from({ length: 6 + rng.int(0, 9) }, () => {
      const w = 12 + rng.uniform() * 200;
      const h = w * (0.5 + rng.uniform());
      const bbox: Box = [rng.uniform() * (1242 - w), rng.uniform() * Math.max(1, 375 - h), w, h];
      return { id: id++, image_id: i + 1, category_id: pick() + 1, bbox, area: w * h, iscrowd: 0 as const };
    }),
  );
}

/** One model's detections under one condition: found GT with jitter growing with severity, then FPs up to ~dets per image. */
function makeDetections(gt: GtAnnotation[], imageId: number, quality: number, severity: number, classes: number, dets: number, rng: Rng): CocoDetection[] {
  const out: CocoDetection[] = [];
  const recall = quality * (1 - 0.09 * severity);
  const jitter = 0.04 + 0.03 * severity;
  const round = (s: number): number => Math.round(s * 1e4) / 1e4; // detector scores often carry 4-5 decimals
  for (const a of gt) {
    if (rng.uniform() >= recall) continue;
    const [x, y, w, h] = a.bbox;
    const j = (): number => (rng.uniform() - 0.5) * 2 * jitter;
    out.push({ image_id: imageId, category_id: a.category_id, bbox: [x + j() * w, y + j() * h, w * (1 + j()), h * (1 + j())], score: round(0.3 + 0.7 * rng.uniform()) });
  }
  while (out.length < dets) {
    const w = 10 + rng.uniform() * 120;
    out.push({
      image_id: imageId,
      category_id: 1 + rng.int(0, classes),
      bbox: [rng.uniform() * 1200, rng.uniform() * 340, w, w * (0.5 + rng.uniform())],
      score: round(0.6 * rng.uniform()),
    });
  }
  return out;
}

interface RunResult {
  images: number;
  cells: number;
  detections_per_cell: number;
  record_bytes_per_cell: number;
  analysis_s: number;
  cpu_s: number;
  make_records_s: number;
  ms_per_cell_resample: number;
  share_of_audit_20min_per_100: number;
  share_of_audit_40min_per_100: number;
  peak_rss_mb: number;
}

function runOne(o: Options, n: number): RunResult {
  const gt = makeGroundTruth(n, o.classes, o.seed);
  const categories = Array.from({ length: o.classes }, (_, k) => ({ id: k + 1, name: `class${k + 1}` }));
  const setup = createEvalSetup({ images: gt.map((_, i) => ({ id: i + 1 })), categories });
  const conditions: ConditionRef[] = [
    { corruption: 'clean', severity: 0 },
    ...BENCHMARK_CORRUPTIONS.flatMap((c) => [1, 2, 3, 4, 5].map((severity) => ({ corruption: c, severity }))),
  ];
  const models = Array.from({ length: o.models }, (_, m) => ({ id: m + 1, name: `model${m + 1}`, sha256: `synthetic-${m + 1}` }));
  let makeMs = 0;
  let makeCpuUs = 0;
  let dets = 0;
  let bytes = 0;
  const cell = (m: number, c: number): Uint8Array => {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    const rng = new Rng(fnv1a32(`bench:${o.seed}:${m}:${c}`));
    const cond = conditions[c];
    const evals = gt.map((anns, i) => {
      const d = makeDetections(anns, i + 1, 0.9 - 0.08 * m, cond.severity, o.classes, o.dets, rng);
      dets += d.length;
      return evaluateImage(setup, i + 1, anns, d);
    });
    const blob = serializeCellMatches(buildCellMatches(setup, evals));
    bytes += blob.length;
    makeMs += performance.now() - t0;
    const dc = process.cpuUsage(c0);
    makeCpuUs += dc.user + dc.system;
    return blob;
  };
  const cells = o.models * conditions.length;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let lastLog = t0;
  analyseAudit({
    models,
    conditions,
    categories,
    cell,
    options: { seed: o.seed, resamples: o.resamples },
    onProgress: (done, total) => {
      const now = performance.now();
      if (now - lastLog > 10_000 || done === total) {
        lastLog = now;
        log(`  ${n} images: ${done}/${total} cells, ${((now - t0) / 1000).toFixed(0)} s`);
      }
    },
  });
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const analysisS = (wallMs - makeMs) / 1000;
  const auditS = (minutes: number): number => minutes * 60 * (n / 100);
  return {
    images: n,
    cells,
    detections_per_cell: Math.round(dets / cells),
    record_bytes_per_cell: Math.round(bytes / cells),
    analysis_s: round3(analysisS),
    cpu_s: round3((cpu.user + cpu.system - makeCpuUs) / 1e6),
    make_records_s: round3(makeMs / 1000),
    ms_per_cell_resample: round3((analysisS * 1000) / (cells * (o.resamples + 1))),
    share_of_audit_20min_per_100: round3(analysisS / auditS(20)),
    share_of_audit_40min_per_100: round3(analysisS / auditS(40)),
    peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
  };
}

function round3(v: number): number {
  return Math.round(v * 1000) / 1000;
}

function main(): void {
  const o = parseArgs(process.argv.slice(2));
  if (o.run !== null) {
    process.stdout.write(`${JSON.stringify(runOne(o, o.run))}\n`);
    return;
  }
  const load0 = os.loadavg();
  const runs: RunResult[] = [];
  const self = fileURLToPath(import.meta.url);
  for (const n of o.images) {
    log(`${n} images x ${o.models} models x 76 conditions, ${o.resamples} resamples ...`);
    const args = ['--import', 'tsx', self, '--run', String(n), '--resamples', String(o.resamples), '--models', String(o.models),
      '--classes', String(o.classes), '--dets', String(o.dets), '--seed', String(o.seed)];
    const child = spawnSync(process.execPath, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 20 });
    if (child.status !== 0) throw new Error(`the run with ${n} images failed (exit ${child.status})`);
    const result = JSON.parse(child.stdout.trim().split('\n').pop() ?? '') as RunResult;
    log(`  ${JSON.stringify(result)}`);
    runs.push(result);
  }
  const summary = {
    bench: 'bootstrap',
    resamples: o.resamples,
    models: o.models,
    conditions: 76,
    classes: o.classes,
    detections_per_image: o.dets,
    cpus: os.cpus().length,
    cpu_model: os.cpus()[0]?.model ?? 'unknown',
    load_average_start: load0.map(round3),
    load_average_end: os.loadavg().map(round3),
    runs,
  };
  process.stdout.write(`${JSON.stringify(summary)}\n`);
}

main();
