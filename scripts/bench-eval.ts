/**
 * Benchmark of the COCO bbox evaluator on the synthetic 5,000-image set
 * (500,000 detections) that pycocotools needs about 22 s for.
 *
 *   node --import tsx scripts/bench-eval.ts [--dir DIR] [--reps N]
 *
 * Without --dir the inputs are generated into a temporary folder with
 * ../shared/tools/make_eval_bench.py (about 5 s) and removed afterwards. The inputs'
 * sha256 must match ../shared/fixtures/cocoeval/bench5k/SHA256SUMS. Phases follow
 * pycocotools': load = read + parse dets.json + loadRes (COCO.loadRes), then
 * evaluate, accumulate, summarize; load_gt (COCO(gt.json)) is reported apart, as in
 * ../shared/notes/reference-speed.md. Each phase is the median over the repetitions.
 * Progress goes to stderr; the last stdout line is one JSON object.
 */
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  accumulate,
  evaluate,
  indexGroundTruth,
  summarize,
  type CocoEvalResult,
  type CocoGroundTruth,
  type CocoStats,
  type PerCategoryResult,
} from '../src/engine/cocoeval/cocoeval';
import { loadResultsJson } from '../src/engine/cocoeval/results-json';

/** pycocotools 2.0.11, loadRes + evaluate + accumulate, median of 3 runs (notes/reference-speed.md). */
const REFERENCE_PYCOCOTOOLS_SECONDS = 22.02;

interface Expected { stats: CocoStats; stats_array: number[]; per_category: PerCategoryResult[] }

function log(msg: string): void {
  process.stderr.write(`${msg}\n`);
}

function parseArgs(argv: string[]): { dir: string | null; reps: number } {
  let dir: string | null = null;
  let reps = 3;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--dir') dir = path.resolve(argv[++i] ?? '');
    else if (a === '--reps') reps = Number(argv[++i]);
    else throw new Error(`unknown argument ${a} (usage: bench-eval.ts [--dir DIR] [--reps N])`);
  }
  if (!Number.isInteger(reps) || reps < 1) throw new Error('--reps must be a positive integer');
  return { dir, reps };
}

function sha256(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

function checkSums(dir: string, sumsFile: string): void {
  for (const line of readFileSync(sumsFile, 'utf8').split('\n')) {
    const m = /^([0-9a-f]{64})\s+\*?(\S+)$/.exec(line.trim());
    if (!m) continue;
    const file = path.join(dir, m[2]);
    if (!existsSync(file)) throw new Error(`${file} is missing`);
    const got = sha256(file);
    if (got !== m[1]) throw new Error(`${file}: sha256 ${got}, expected ${m[1]} (not the benchmark's inputs)`);
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Largest |difference| over the 12 stats and per-category AP / AP50; Infinity on any structural mismatch. */
function maxAbsDiff(result: CocoEvalResult, expected: Expected): number {
  let max = 0;
  result.statsArray.forEach((v, i) => (max = Math.max(max, Math.abs(v - expected.stats_array[i]))));
  if (result.statsArray.length !== expected.stats_array.length) return Infinity;
  if (result.per_category.length !== expected.per_category.length) return Infinity;
  result.per_category.forEach((got, i) => {
    const exp = expected.per_category[i];
    if (got.id !== exp.id || got.num_gt !== exp.num_gt || got.num_dets !== exp.num_dets) max = Infinity;
    for (const key of ['AP', 'AP50'] as const) {
      const a = got[key];
      const b = exp[key];
      if (a === null || b === null) max = a === b ? max : Infinity;
      else max = Math.max(max, Math.abs(a - b));
    }
  });
  return Number.isNaN(max) ? Infinity : max;
}

function main(): void {
  const { dir: givenDir, reps } = parseArgs(process.argv.slice(2));
  const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const shared = path.resolve(repoRoot, '../shared');
  const benchFixtures = path.join(shared, 'fixtures/cocoeval/bench5k');
  if (!existsSync(benchFixtures)) throw new Error(`${benchFixtures} not found: the benchmark needs ../shared next to the repo`);

  let dir = givenDir;
  let tmp: string | null = null;
  if (!dir) {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'odra-bench-eval-'));
    dir = tmp;
    log(`generating the benchmark into ${dir} ...`);
    execFileSync('python3', [path.join(shared, 'tools/make_eval_bench.py'), dir], { stdio: ['ignore', 'ignore', 'inherit'] });
  }
  try {
    checkSums(dir, path.join(benchFixtures, 'SHA256SUMS'));
    log(`inputs in ${dir}: sha256 ok`);
    const expected = JSON.parse(readFileSync(path.join(benchFixtures, 'expected.json'), 'utf8')) as Expected;

    const phases = { load_gt: [] as number[], load: [] as number[], evaluate: [] as number[], accumulate: [] as number[], summarize: [] as number[], total: [] as number[] };
    // process CPU time (all threads) per phase: on a shared machine wall time also
    // measures the other processes, CPU time much less so
    const cpuPhases = { load: [] as number[], evaluate: [] as number[], accumulate: [] as number[], total: [] as number[] };
    const cpuNow = (): number => {
      const u = process.cpuUsage();
      return (u.user + u.system) / 1e6;
    };
    let maxDiff = 0;
    let images = 0;
    let dets = 0;
    for (let r = 0; r < reps; r++) {
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      const gt = indexGroundTruth(JSON.parse(readFileSync(path.join(dir, 'gt.json'), 'utf8')) as CocoGroundTruth);
      const c1 = cpuNow();
      const t1 = performance.now();
      const detSet = loadResultsJson(gt, readFileSync(path.join(dir, 'dets.json')));
      const t2 = performance.now();
      const c2 = cpuNow();
      const ev = evaluate(gt, detSet);
      const t3 = performance.now();
      const c3 = cpuNow();
      const acc = accumulate(ev.images, ev.setup);
      const t4 = performance.now();
      const c4 = cpuNow();
      cpuPhases.load.push(c2 - c1);
      cpuPhases.evaluate.push(c3 - c2);
      cpuPhases.accumulate.push(c4 - c3);
      cpuPhases.total.push(c4 - c1);
      const result = summarize(acc);
      const t5 = performance.now();
      const cpu = process.cpuUsage(cpu0);
      const s = (a: number, b: number): number => (b - a) / 1000;
      phases.load_gt.push(s(t0, t1));
      phases.load.push(s(t1, t2));
      phases.evaluate.push(s(t2, t3));
      phases.accumulate.push(s(t3, t4));
      phases.summarize.push(s(t4, t5));
      phases.total.push(s(t1, t4));
      maxDiff = Math.max(maxDiff, maxAbsDiff(result, expected));
      images = ev.setup.imgIds.length;
      dets = detSet.n;
      log(
        `rep ${r + 1}/${reps}: load_gt ${s(t0, t1).toFixed(3)} s, load ${s(t1, t2).toFixed(3)} s, evaluate ${s(t2, t3).toFixed(3)} s, ` +
          `accumulate ${s(t3, t4).toFixed(3)} s, summarize ${s(t4, t5).toFixed(4)} s; ` +
          `process CPU ${((cpu.user + cpu.system) / 1e6).toFixed(3)} s for ${s(t0, t5).toFixed(3)} s wall; AP ${result.stats.AP}`,
      );
    }
    const total = median(phases.total);
    const round = (x: number): number => Math.round(x * 1e4) / 1e4;
    const out = {
      images,
      dets,
      seconds: {
        load: round(median(phases.load)),
        evaluate: round(median(phases.evaluate)),
        accumulate: round(median(phases.accumulate)),
        summarize: round(median(phases.summarize)),
        total_loadres_evaluate_accumulate: round(total),
        load_gt: round(median(phases.load_gt)),
      },
      reference_pycocotools_seconds: REFERENCE_PYCOCOTOOLS_SECONDS,
      speedup: Math.round((REFERENCE_PYCOCOTOOLS_SECONDS / total) * 10) / 10,
      stats_equal_expected: maxDiff <= 1e-9,
      max_abs_diff: maxDiff,
      cpu_seconds: {
        load: round(median(cpuPhases.load)),
        evaluate: round(median(cpuPhases.evaluate)),
        accumulate: round(median(cpuPhases.accumulate)),
        total_loadres_evaluate_accumulate: round(median(cpuPhases.total)),
      },
      reps,
      node: process.version,
      loadavg_1min: Math.round(os.loadavg()[0] * 100) / 100,
    };
    process.stdout.write(`${JSON.stringify(out)}\n`);
  } finally {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  }
}

main();
