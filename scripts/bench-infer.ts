/**
 * Inference throughput: Odra's clean evaluation pipeline (decode, preprocess, ORT run,
 * decode outputs, NMS, class mapping, store, COCO scoring) against a bare
 * `session.run` loop over pre-made input tensors, same model, threads, batch, provider
 * and session options.
 *
 *   node --import tsx scripts/bench-infer.ts [--model M.onnx] [--dataset DIR]
 *        [--threads N] [--batch N] [--provider cpu|cuda|...] [--rounds R]
 *
 * Defaults: YOLOX-Nano and the coco128 val subset from ../shared. Each round runs the
 * bare loop then the pipeline (interleaved, so a busy machine slows both alike); the
 * reported rates are the medians over rounds, and the ratio is median pipeline / median
 * bare. The pipeline is timed from its first image to the evaluation's end (model
 * loading excluded, as session creation is from the bare loop). The pipeline runs in
 * the audit runner process (a clean evaluation is a one-cell audit), so its cost per
 * image is reported from the runner's stage times (decode, preprocess, ORT run,
 * post-process) beside the bare loop's CPU time per image. Progress
 * goes to stderr; the last stdout line is one JSON object.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { Engine } from '../src/engine/engine';
import type { RunStats } from '../src/engine/audits/executor';
import { decodeImage } from '../src/engine/images/decode';
import { Detector } from '../src/engine/inference/detector';
import { baseSessionOptions, createSessionWithFallback } from '../src/engine/inference/execution-providers';
import { inProcessClient } from '../src/engine/rpc/in-process';
import type { Progress } from '../src/shared/schemas';

interface Args {
  model: string;
  dataset: string;
  threads: number | undefined;
  batch: number;
  provider: string;
  rounds: number;
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
    else throw new Error(`unknown argument ${a} (usage: bench-infer.ts [--model M] [--dataset DIR] [--threads N] [--batch N] [--provider P] [--rounds R])`);
  }
  return args;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

const round3 = (x: number): number => Math.round(x * 1000) / 1000;

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'odra-bench-infer-'));
  let lastRun: RunStats | null = null;
  const engine = new Engine({ dbPath: path.join(tmp, 'odra.db'), onAuditRunStats: (s) => (lastRun = s) });
  try {
    const client = inProcessClient(engine);
    const dataset = await client.call('datasets.import', { dir: args.dataset });
    const model = await client.call('models.import', { path: args.model });
    log(`model ${path.basename(args.model)} (${model.adapter.family}), dataset ${dataset.name}: ${dataset.imageCount} images`);

    // Pre-made tensors for the bare loop: the adapter's own preprocessing, done once.
    const probe = await Detector.load(model.path, model.adapter, { threads: args.threads, maxBatch: args.batch, executionProvider: args.provider, spinning: false });
    const batchSize = probe.batchSize;
    const gt = engine.datasets.groundTruth(dataset.id);
    const feeds: Record<string, ort.Tensor>[] = [];
    for (let start = 0; start < gt.images.length; start += batchSize) {
      const files = gt.images.slice(start, start + batchSize).map((im) => path.join(gt.imageRoot, im.fileName));
      feeds.push((await probe.prepare(await Promise.all(files.map((f) => decodeImage(f))))).feeds);
    }
    await probe.dispose();
    const choice = await createSessionWithFallback(model.path, args.provider, baseSessionOptions({ threads: args.threads, spinning: false }));
    const session = choice.session;
    if (choice.fallbackReason) log(`warning: ${choice.fallbackReason}`);
    const images = gt.images.length;

    const bareRates: number[] = [];
    const pipelineRates: number[] = [];
    const detectRates: number[] = [];
    const loadSeconds: number[] = [];
    const bareCpu: number[] = [];
    const pipelineCpu: number[] = [];
    const cpuMs = (c: NodeJS.CpuUsage): number => (c.user + c.system) / 1000;
    const scoringSeconds: number[] = [];
    let evaluationAp: number | null = null;
    let executionProvider = choice.executionProvider;
    await session.run(feeds[0]); // warm-up
    for (let r = 0; r < args.rounds; r++) {
      let t = performance.now();
      let cpu = process.cpuUsage();
      for (const f of feeds) await session.run(f);
      bareRates.push(images / ((performance.now() - t) / 1000));
      bareCpu.push(cpuMs(process.cpuUsage(cpu)) / images);

      const marks: Record<string, number> = {};
      const started = performance.now();
      const progress = (p: Progress): void => {
        if (p.stage === 'detecting' && p.done === 0 && marks.first === undefined) {
          marks.first = performance.now();
          cpu = process.cpuUsage();
        }
        if (p.stage === 'scoring') marks.scoring ??= performance.now();
      };
      const evaluation = await client.call(
        'evaluations.run',
        { modelId: model.id, datasetId: dataset.id, threads: args.threads, batchSize: args.batch, executionProvider: args.provider },
        { onProgress: progress },
      );
      t = performance.now();
      // the pipeline runs in the runner process: its stage times, summed, per image
      const stages = (lastRun as RunStats | null)?.stages;
      pipelineCpu.push(stages ? (stages.decodeMs + stages.preprocessMs + stages.inferenceMs + stages.postprocessMs) / images : NaN);
      pipelineRates.push(images / ((t - marks.first) / 1000));
      detectRates.push(images / ((marks.scoring - marks.first) / 1000));
      loadSeconds.push((marks.first - started) / 1000);
      scoringSeconds.push((t - marks.scoring) / 1000);
      evaluationAp = evaluation.stats?.AP ?? null;
      executionProvider = evaluation.executionProvider ?? executionProvider;
      log(`round ${r + 1}: bare ${bareRates[r].toFixed(2)} img/s, pipeline ${pipelineRates[r].toFixed(2)} img/s (ratio ${(pipelineRates[r] / bareRates[r]).toFixed(3)})`);
    }
    await session.release();
    const bare = median(bareRates);
    const pipeline = median(pipelineRates);
    const out = {
      model: path.basename(args.model),
      family: model.adapter.family,
      dataset: dataset.name,
      images,
      threads: args.threads ?? null,
      batch: batchSize,
      execution_provider: executionProvider,
      rounds: args.rounds,
      pipeline_images_per_s: round3(pipeline),
      bare_run_images_per_s: round3(bare),
      ratio: round3(pipeline / bare),
      pipeline_detect_only_images_per_s: round3(median(detectRates)),
      pipeline_scoring_s: round3(median(scoringSeconds)),
      model_load_s: round3(median(loadSeconds)),
      // CPU time of the whole process (all threads) per image: what the cores must supply
      bare_cpu_ms_per_image: round3(median(bareCpu)),
      // the runner's stage times per image (decode, preprocess, ORT, postprocess; wall time of each step)
      pipeline_stage_ms_per_image: round3(median(pipelineCpu)),
      per_round: bareRates.map((b, i) => ({ bare: round3(b), pipeline: round3(pipelineRates[i]) })),
      ap: evaluationAp,
      cpus: os.availableParallelism(),
      load_average_1m: round3(os.loadavg()[0]),
    };
    process.stdout.write(`${JSON.stringify(out)}\n`);
  } finally {
    await engine.close();
    rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench-infer: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
