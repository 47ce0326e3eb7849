/**
 * One clean evaluation: a model over every image of a dataset, scored with COCO metrics.
 *
 *   decode image (once) -> detector (adapter preprocessing, ORT run, decode, NMS)
 *     -> every detection stored per batch with its model class index and the evaluation
 *        category it scores as (null: its class is not scored; the image view shows it)
 *   after the last image: COCO evaluation of the scored detections against the GT the
 *   class map gives (merged categories relabelled, "ignore for" boxes as ignore regions:
 *   src/shared/class-map.ts) -> metrics rows
 *
 * Pipelined: while ORT runs batch i (it blocks this thread), sharp decodes and resizes
 * the next batches on its own threads (Detector.detectEach), so only the short JS steps
 * stay in series with inference. The evaluation row records model hash, dataset hash,
 * tool version, class map and the execution provider that actually ran, so every
 * number can be traced.
 */
import path from 'node:path';
import { detectionsFor, groundTruthFor, resolveClassMap } from '../../shared/class-map';
import type { ClassMap, EvaluationDto, Progress } from '../../shared/schemas';
import { OdraError } from '../../shared/errors';
import { evaluateCoco } from '../cocoeval/cocoeval';
import { decodeImage } from '../images/decode';
import { Detector } from '../inference/detector';
import type { DatasetRepo } from '../datasets/dataset-repo';
import type { ModelRepo } from '../models/model-repo';
import { progressReporter } from '../util/progress';
import { ODRA_VERSION } from '../util/version';
import { suggestClassMap } from './class-map';
import { classMapInForce, type ClassMapRepo } from './class-map-repo';
import type { EvaluationRepo, StoredDetection } from './evaluation-repo';

export interface RunEvaluationInput {
  modelId: number;
  datasetId: number;
  classMap?: ClassMap;
  threads?: number;
  /** images per ORT run for dynamic-batch models (default 8; fixed-batch models run 1) */
  batchSize?: number;
  /** requested execution provider; the one that actually ran is recorded */
  executionProvider?: string;
}

export interface RunContext {
  signal: AbortSignal;
  progress: (p: Progress) => void;
}

const STORE_BATCH_IMAGES = 16;

export async function runEvaluation(
  repos: { models: ModelRepo; datasets: DatasetRepo; evaluations: EvaluationRepo; classMaps?: ClassMapRepo },
  input: RunEvaluationInput,
  ctx: RunContext,
): Promise<EvaluationDto> {
  const model = repos.models.get(input.modelId);
  const gt = repos.datasets.groundTruth(input.datasetId);
  // no explicit map: the one saved for this (model, dataset), else the suggestion
  const pair = { modelId: model.id, datasetId: gt.datasetId, classNames: model.adapter.classNames, categories: gt.categories };
  const classMap =
    input.classMap ?? (repos.classMaps ? classMapInForce(repos.classMaps, pair).classMap : suggestClassMap(pair.classNames, pair.categories).classMap);
  const resolved = resolveClassMap(classMap, model.adapter.classNames, gt.categories);
  const withGt = new Set(gt.annotations.map((a) => a.category_id));
  if (!resolved.categories.some((c) => c.datasetCategories.some((id) => withGt.has(id)))) {
    throw new OdraError(
      'BAD_INPUT',
      `none of the dataset's annotated categories maps to a class of model "${model.name}": give a class map`,
    );
  }

  const evaluationId = repos.evaluations.start(
    model.id,
    gt.datasetId,
    {
      classMap,
      unmappedCategories: resolved.unmapped.filter((c) => withGt.has(c.id)).map((c) => c.name),
      threads: input.threads ?? null,
      adapter: model.adapter,
    },
    ODRA_VERSION,
  );
  const started = performance.now();
  let detector: Detector | null = null;
  let imagesDone = 0;
  try {
    ctx.progress({ stage: 'loading model', done: 0, total: gt.images.length, etaSeconds: null });
    detector = await Detector.load(model.path, model.adapter, {
      threads: input.threads,
      maxBatch: input.batchSize,
      executionProvider: input.executionProvider,
      // ORT's spinning threads would take the cores that decode the next images.
      spinning: false,
    });
    const warning = detector.warning;
    repos.evaluations.setExecutionProvider(evaluationId, detector.executionProvider, input.executionProvider ?? null, warning ?? null);
    if (warning) ctx.progress({ stage: 'loading model', done: 0, total: gt.images.length, etaSeconds: null, message: warning });

    const report = progressReporter('detecting', gt.images.length, ctx.progress);
    report(0);
    const scored: { image_id: number; category_id: number; bbox: [number, number, number, number]; score: number }[] = [];
    let pending: StoredDetection[] = [];
    const images = gt.images;
    await detector.detectEach(
      images.length,
      (i) => decodeImage(path.join(gt.imageRoot, images[i].fileName)),
      (i, dets) => {
        const imageId = images[i].id;
        const split = detectionsFor(resolved, dets);
        for (const d of split.scored) {
          pending.push({ imageId, categoryId: d.categoryId, classIndex: d.classIndex, bbox: d.bbox, score: d.score });
          scored.push({ image_id: imageId, category_id: d.categoryId, bbox: d.bbox, score: d.score });
        }
        for (const d of split.notScored) pending.push({ imageId, categoryId: null, classIndex: d.classIndex, bbox: d.bbox, score: d.score });
        if ((i + 1) % STORE_BATCH_IMAGES === 0 || i + 1 === images.length) {
          repos.evaluations.addDetections(evaluationId, pending);
          pending = [];
        }
        imagesDone = i + 1;
        report(i + 1);
      },
      { prefetch: 2, signal: ctx.signal },
    );

    ctx.progress({ stage: 'scoring', done: gt.images.length, total: gt.images.length, etaSeconds: 0 });
    const scoredGt = groundTruthFor(resolved, gt.annotations);
    const result = evaluateCoco(
      {
        images: gt.images.map((im) => ({ id: im.id, width: im.width, height: im.height })),
        annotations: scoredGt.annotations,
        categories: scoredGt.categories,
      },
      scored,
    );
    repos.evaluations.finish(evaluationId, { stats: result.stats, perCategory: result.per_category }, (performance.now() - started) / 1000);
    return repos.evaluations.get(evaluationId);
  } catch (err) {
    const cancelled = ctx.signal.aborted;
    const seconds = (performance.now() - started) / 1000;
    // the abort's own text ("This operation was aborted") says nothing an analyst can use
    const message = cancelled
      ? `cancelled after ${imagesDone} of ${gt.images.length} images; nothing was scored`
      : err instanceof Error
        ? err.message
        : String(err);
    repos.evaluations.fail(evaluationId, cancelled ? 'cancelled' : 'failed', message, seconds);
    throw cancelled ? new OdraError('CANCELLED', `evaluation ${evaluationId} ${message}`, { evaluationId }) : err;
  } finally {
    await detector?.dispose();
  }
}
