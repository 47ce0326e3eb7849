/**
 * Inference throughput: Odra's clean evaluation pipeline (decode, preprocess, ORT run,
 * decode outputs, NMS, class mapping, store, COCO scoring) against a bare
 * `session.run` loop over pre-made input tensors, same model, threads, batch, provider
 * and session options.
 *
 *   node --import tsx scripts/bench-infer.ts [--model M.onnx] [--dataset DIR]
 *        [--threads N] [--batch N] [--provider cpu|cuda|...] [--rounds R]
 *        [--preprocess pool|runner|both]
 *
 * Defaults: YOLOX-Nano and the coco128 val subset from ../shared. Each round runs the
 * bare loop then the pipeline (interleaved, so a busy machine slows both alike); the
 * reported rates are the medians over rounds, and the ratio is median pipeline / median
 * bare. The pipeline is timed from its first image to the evaluation's end (model
 * loading excluded, as session creation is from the bare loop). The pipeline runs in
 * the audit runner process (a clean evaluation is a one-cell audit), so its cost per
 * image is reported from the runner's stage times (decode, preprocess, ORT run,
 * post-process) beside the bare loop's CPU time per image.
 *
 * Pipeline efficiency (util/efficiency.ts): every stage is first measured alone, one at
 * a time in this process, on the same images (CPU seconds, process.cpuUsage: decode,
 * preprocess, ORT run with the run's intra-op thread count, post-process; one pass per
 * round, beside that round's runs), plus the real run's store and scoring times; their
 * sum / cores / the real run's wall (from the first task sent to the runner to the
 * evaluation's end: files verified and models loaded) is a round's efficiency, and
 * `efficiency` the median over rounds. Beside it:
 * the CPU the real run's processes used over its running phase (this process from the first
 * task, the runner less its start-up and model loading; /proc), so the rest
 * splits into overhead (CPU spent beyond the isolated stages) and idle cores, and the
 * runner's inference thread's own account (ORT, waiting for inputs) and the post-processing
 * worker's share (decoding outputs, NMS).
 * `--preprocess both` (default) runs the evaluation with input tensors made in the pool
 * workers and on the inference thread (runner-protocol.ts) in each round, back to back.
 * Progress goes to stderr; the last stdout line is one JSON object.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { Engine } from '../src/engine/engine';
import { runBudget, type RunStats } from '../src/engine/audits/executor';
import { decodeImage } from '../src/engine/images/decode';
import { Detector } from '../src/engine/inference/detector';
import { baseSessionOptions, createSessionWithFallback } from '../src/engine/inference/execution-providers';
import { inProcessClient } from '../src/engine/rpc/in-process';
import type { Progress } from '../src/shared/schemas';
import { pipelineEfficiency } from '../src/engine/util/efficiency';
import { childrenCpuSeconds, runnersGone } from './bench-process-cpu';

type Placement = 'pool' | 'runner';

interface Args {
  model: string;
  dataset: string;
  threads: number | undefined;
  batch: number;
  provider: string;
  rounds: number;
  placements: Placement[];
}

function log(msg: string): void {
  process.stderr.write(`${msg}\n`);
}

function positiveInt(flag: string, v: string | undefined): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${flag} must be a positive integer (got ${v})`);
  return n;
}

function parseArgs(argv: string[]): Args {
  const shared = path.resolve(process.cwd(), '../shared');
  const args: Args = {
    model: path.join(shared, 'data/models/yolox_nano/yolox_nano.onnx'),
    dataset: path.join(shared, 'data/datasets/coco128_val2017_driving'),
    threads: undefined,
    batch: 1,
    provider: 'cpu',
    rounds: 3,
    placements: ['pool', 'runner'],
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = argv[++i];
    if (a === '--model') args.model = path.resolve(v ?? '');
    else if (a === '--dataset') args.dataset = path.resolve(v ?? '');
    else if (a === '--threads') args.threads = positiveInt(a, v);
    else if (a === '--batch') args.batch = positiveInt(a, v);
    else if (a === '--provider') args.provider = v ?? 'cpu';
    else if (a === '--rounds') args.rounds = positiveInt(a, v);
    else if (a === '--preprocess') {
      if (v !== 'pool' && v !== 'runner' && v !== 'both') throw new Error(`--preprocess must be pool, runner or both (got ${v})`);
      args.placements = v === 'both' ? ['pool', 'runner'] : [v];
    } else throw new Error(`unknown argument ${a} (usage: bench-infer.ts [--model M] [--dataset DIR] [--threads N] [--batch N] [--provider P] [--rounds R] [--preprocess pool|runner|both])`);
  }
  return args;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

const round3 = (x: number): number => Math.round(x * 1000) / 1000;

interface PipelineRound {
  imagesPerSecond: number;
  detectImagesPerSecond: number;
  loadSeconds: number;
  scoringSeconds: number;
  stageMsPerImage: number;
  run: RunStats;
  runCpuSeconds: number;
  /** this round's CPU seconds of each stage alone */
  isolated: Record<string, number>;
  ap: number | null;
  executionProvider: string | null;
}

const cpuSecondsOf = (c: NodeJS.CpuUsage): number => (c.user + c.system) / 1e6;

/** CPU seconds of each stage measured alone, one at a time, on every image of the dataset. */
async function isolatedStages(detector: Detector, files: string[]): Promise<Record<string, number>> {
  const stages = { decode: 0, preprocess: 0, inference: 0, postprocess: 0 };
  for (let start = 0; start < files.length; start += detector.batchSize) {
    const group = files.slice(start, start + detector.batchSize);
    let c = process.cpuUsage();
    const images = [];
    for (const f of group) images.push(await decodeImage(f));
    stages.decode += cpuSecondsOf(process.cpuUsage(c));
    c = process.cpuUsage();
    const batch = await detector.prepare(images);
    stages.preprocess += cpuSecondsOf(process.cpuUsage(c));
    c = process.cpuUsage();
    const outputs = await detector.infer(batch);
    stages.inference += cpuSecondsOf(process.cpuUsage(c));
    c = process.cpuUsage();
    detector.finish(batch, outputs);
    stages.postprocess += cpuSecondsOf(process.cpuUsage(c));
  }
  return stages;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'odra-bench-infer-'));
  const cores = os.availableParallelism();
  let lastRun: RunStats | null = null;
  const engines = args.placements.map(
    (placement) => new Engine({ dbPath: path.join(tmp, `odra-${placement}.db`), runnerPreprocessing: placement, onAuditRunStats: (s) => (lastRun = s) }),
  );
  try {
    const sides = await Promise.all(
      engines.map(async (engine) => {
        const client = inProcessClient(engine);
        const dataset = await client.call('datasets.import', { dir: args.dataset });
        const model = await client.call('models.import', { path: args.model });
        return { engine, client, dataset, model };
      }),
    );
    const { dataset, model } = sides[0];
    log(`model ${path.basename(args.model)} (${model.adapter.family}), dataset ${dataset.name}: ${dataset.imageCount} images, preprocessing in ${args.placements.join(' and ')}`);

    // Pre-made tensors for the bare loop: the adapter's own preprocessing, done once.
    // the real run's intra-op threads (runBudget), so each stage alone is measured as it runs
    const probe = await Detector.load(model.path, model.adapter, { threads: runBudget({ threads: args.threads ?? null, workers: null }).ortThreads, maxBatch: args.batch, executionProvider: args.provider, spinning: false });
    const batchSize = probe.batchSize;
    const gt = sides[0].engine.datasets.groundTruth(dataset.id);
    const files = gt.images.map((im) => path.join(gt.imageRoot, im.fileName));
    const feeds: Record<string, ort.Tensor>[] = [];
    for (let start = 0; start < files.length; start += batchSize) {
      feeds.push((await probe.prepare(await Promise.all(files.slice(start, start + batchSize).map((f) => decodeImage(f))))).feeds);
    }
    await probe.detect([await decodeImage(files[0])]);
    // each stage alone on the same images: one untimed pass to warm up, then one pass per
    // round, beside that round's runs (this machine's speed drifts by tens of per cent over
    // minutes, so a numerator measured once, before the rounds, skews every round's ratio)
    await isolatedStages(probe, files);
    const isolatedPerRound: Record<string, number>[] = [];
    const choice = await createSessionWithFallback(model.path, args.provider, baseSessionOptions({ threads: args.threads, spinning: false }));
    const session = choice.session;
    if (choice.fallbackReason) log(`warning: ${choice.fallbackReason}`);
    const images = gt.images.length;

    const bareRates: number[] = [];
    const bareCpu: number[] = [];
    const rounds: Record<Placement, PipelineRound[]> = { pool: [], runner: [] };
    await session.run(feeds[0]); // warm-up
    for (let r = 0; r < args.rounds; r++) {
      const t = performance.now();
      const cpu = process.cpuUsage();
      for (const f of feeds) await session.run(f);
      bareRates.push(images / ((performance.now() - t) / 1000));
      bareCpu.push(cpuSecondsOf(process.cpuUsage(cpu)) * 1000 / images);
      isolatedPerRound.push(await isolatedStages(probe, files));
      // alternate which placement goes first, so a load change hits both alike
      const order = r % 2 ? [...sides].reverse() : sides;
      for (const side of order) {
        const placement = args.placements[sides.indexOf(side)];
        const marks: Record<string, number> = {};
        const started = performance.now();
        const progress = (p: Progress): void => {
          if (p.stage === 'detecting' && p.done === 0 && marks.first === undefined) marks.first = performance.now();
          if (p.stage === 'scoring') marks.scoring ??= performance.now();
        };
        const children = childrenCpuSeconds();
        const evaluation = await side.client.call(
          'evaluations.run',
          { modelId: side.model.id, datasetId: side.dataset.id, threads: args.threads, batchSize: args.batch, executionProvider: args.provider },
          { onProgress: progress },
        );
        const end = performance.now();
        await runnersGone();
        const run = lastRun as RunStats | null;
        if (!run) throw new Error('no run stats');
        // the running phase only: the engine's CPU over it, the runner's whole life less its start-up
        const runCpuSeconds = run.engineRunningCpuSeconds + childrenCpuSeconds() - children - run.runnerStartCpuSeconds;
        const st = run.stages;
        rounds[placement].push({
          imagesPerSecond: images / ((end - marks.first) / 1000),
          detectImagesPerSecond: images / ((marks.scoring - marks.first) / 1000),
          loadSeconds: (marks.first - started) / 1000,
          scoringSeconds: (end - marks.scoring) / 1000,
          stageMsPerImage: (st.decodeMs + st.preprocessMs + st.inferenceMs + st.postprocessMs) / images,
          run,
          runCpuSeconds,
          isolated: isolatedPerRound[r],
          ap: evaluation.stats?.AP ?? null,
          executionProvider: evaluation.executionProvider ?? null,
        });
        const got = rounds[placement][r];
        log(`round ${r + 1} ${placement}: bare ${bareRates[r].toFixed(2)} img/s, pipeline ${got.imagesPerSecond.toFixed(2)} img/s (ratio ${(got.imagesPerSecond / bareRates[r]).toFixed(3)}), running ${run.runningSeconds.toFixed(2)} s`);
      }
    }
    await session.release();
    await probe.dispose();
    const bare = median(bareRates);
    const perPlacement = Object.fromEntries(
      args.placements.map((placement) => {
        const rs = rounds[placement];
        // the breakdown of the round whose running wall is the median one
        const byWall = [...rs].sort((a, b) => a.run.runningSeconds - b.run.runningSeconds);
        const mid = byWall[(byWall.length - 1) >> 1];
        const stages = { ...mid.isolated, store: mid.run.storeSeconds, scoring: mid.run.scoreSeconds };
        const e = pipelineEfficiency({ isolatedCpuSeconds: stages, cores, wallSeconds: mid.run.runningSeconds, runCpuSeconds: mid.runCpuSeconds });
        const perRound = rs.map((x) =>
          pipelineEfficiency({ isolatedCpuSeconds: { ...x.isolated, store: x.run.storeSeconds, scoring: x.run.scoreSeconds }, cores, wallSeconds: x.run.runningSeconds }).efficiency,
        );
        const wallMs = mid.run.runningSeconds * 1000;
        const st = mid.run.stages;
        const pipeline = median(rs.map((x) => x.imagesPerSecond));
        return [
          placement,
          {
            pipeline_images_per_s: round3(pipeline),
            ratio: round3(pipeline / bare),
            pipeline_detect_only_images_per_s: round3(median(rs.map((x) => x.detectImagesPerSecond))),
            pipeline_scoring_s: round3(median(rs.map((x) => x.scoringSeconds))),
            model_load_s: round3(median(rs.map((x) => x.loadSeconds))),
            pipeline_stage_ms_per_image: round3(median(rs.map((x) => x.stageMsPerImage))),
            // the median round's; the breakdown below is of the round with the median wall
            efficiency: round3(median(perRound)),
            efficiency_per_round: perRound.map(round3),
            running_wall_s: round3(mid.run.runningSeconds),
            isolated_cpu_s: Object.fromEntries(Object.entries(stages).map(([k, v]) => [k, round3(v)])),
            run_cpu_s: round3(mid.runCpuSeconds),
            // shares of cores x wall: efficiency + overhead + idle = 1
            capacity_shares: { stages: round3(e.efficiency), overhead: round3(e.overheadShare!), idle: round3(e.idleShare!) },
            // the runner's inference thread over the running wall
            inference_thread_shares: {
              ort: round3(st.inferenceMs / wallMs),
              waiting_for_inputs: round3(st.waitMs / wallMs),
              preprocess_in_runner: placement === 'runner' ? round3(st.preprocessMs / wallMs) : null,
            },
            // decoding outputs and NMS run on the post-processing worker, beside the inference thread
            postprocess_worker_share: round3(st.postprocessMs / wallMs),
            pool_workers: mid.run.poolWorkers,
            ap: rs[0].ap,
            execution_provider: rs[0].executionProvider,
          },
        ];
      }),
    );
    const out = {
      model: path.basename(args.model),
      family: model.adapter.family,
      dataset: dataset.name,
      images,
      threads: args.threads ?? null,
      batch: batchSize,
      rounds: args.rounds,
      bare_run_images_per_s: round3(bare),
      // CPU time of the whole process (all threads) per image: what the cores must supply
      bare_cpu_ms_per_image: round3(median(bareCpu)),
      per_round_bare: bareRates.map(round3),
      preprocessing: perPlacement,
      cpus: cores,
      load_average_1m: round3(os.loadavg()[0]),
    };
    process.stdout.write(`${JSON.stringify(out)}\n`);
  } finally {
    await Promise.all(engines.map((e) => e.close()));
    rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench-infer: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
