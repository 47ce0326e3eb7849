/**
 * One clean evaluation: a model over every image of a dataset, scored with COCO metrics.
 *
 *   decode image (once) -> detector (adapter preprocessing, ORT run, decode, NMS)
 *     -> model classes mapped to dataset categories -> detections stored per batch
 *   after the last image: COCO evaluation over the mapped categories -> metrics rows
 *
 * Pipelined: while ORT runs batch i (it blocks this thread), sharp decodes and resizes
 * the next batches on its own threads (Detector.detectEach), so only the short JS steps
 * stay in series with inference. The evaluation row records model hash, dataset hash,
 * tool version, class map and the execution provider that actually ran, so every
 * number can be traced.
 */
import path from 'node:path';
import type { ClassMap, EvaluationDto, Progress } from '../../shared/schemas';
import { OdraError } from '../../shared/errors';
import { evaluateCoco } from '../cocoeval/cocoeval';
import { decodeImage } from '../images/decode';
import { Detector } from '../inference/detector';
import type { DatasetRepo } from '../datasets/dataset-repo';
import type { ModelRepo } from '../models/model-repo';
import { progressReporter } from '../util/progress';
import { ODRA_VERSION } from '../util/version';
import { resolveClassMap, suggestClassMap } from './class-map';
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
  const classMap = input.classMap ?? (repos.classMaps ? classMapInForce(repos.classMaps, pair).classMap : suggestClassMap(pair.classNames, pair.categories));
  const { byClass, mapped, unmapped } = resolveClassMap(classMap, model.adapter.classNames, gt.categories);
  const withGt = new Set(gt.annotations.map((a) => a.category_id));
  if (!mapped.some((id) => withGt.has(id))) {
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
      unmappedCategories: unmapped.filter((c) => withGt.has(c.id)).map((c) => c.name),
      threads: input.threads ?? null,
      adapter: model.adapter,
    },
    ODRA_VERSION,
  );
  const started = performance.now();
  let detector: Detector | null = null;
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
    const all: StoredDetection[] = [];
    let pending: StoredDetection[] = [];
    const images = gt.images;
    await detector.detectEach(
      images.length,
      (i) => decodeImage(path.join(gt.imageRoot, images[i].fileName)),
      (i, dets) => {
        const imageId = images[i].id;
        for (const d of dets) {
          for (const categoryId of byClass.get(d.classIndex) ?? []) {
            pending.push({ imageId, categoryId, bbox: d.bbox, score: d.score });
          }
        }
        if ((i + 1) % STORE_BATCH_IMAGES === 0 || i + 1 === images.length) {
          repos.evaluations.addDetections(evaluationId, pending);
          for (const d of pending) all.push(d);
          pending = [];
        }
        report(i + 1);
      },
      { prefetch: 2, signal: ctx.signal },
    );

    ctx.progress({ stage: 'scoring', done: gt.images.length, total: gt.images.length, etaSeconds: 0 });
    const result = evaluateCoco(
      {
        images: gt.images.map((im) => ({ id: im.id, width: im.width, height: im.height })),
        annotations: gt.annotations.filter((a) => mapped.includes(a.category_id)),
        categories: gt.categories.filter((c) => mapped.includes(c.id)).map((c) => ({ id: c.id, name: c.name })),
      },
      all.map((d) => ({ image_id: d.imageId, category_id: d.categoryId, bbox: d.bbox, score: d.score })),
    );
    repos.evaluations.finish(evaluationId, { stats: result.stats, perCategory: result.per_category }, (performance.now() - started) / 1000);
    return repos.evaluations.get(evaluationId);
  } catch (err) {
    const cancelled = ctx.signal.aborted;
    repos.evaluations.fail(evaluationId, cancelled ? 'cancelled' : 'failed', err instanceof Error ? err.message : String(err));
    throw cancelled ? new OdraError('CANCELLED', 'evaluation cancelled') : err;
  } finally {
    await detector?.dispose();
  }
}
