/**
 * A real audit made in the test process, without the store or the runner process (the
 * report of a stored audit is tested through the CLI in
 * test/integration/reports/audit-report.test.ts): the shared models run on the first images of a shared
 * dataset under a few corruption conditions, through the engine's own pieces (importer,
 * model import and adapter detection, the suggested class map, corruption kernels with
 * the audit seed function, the ORT detector, the COCO evaluator per image, cell match
 * records, analyseAudit). Output: a ReportSource (engine/reports/report-source.ts) with
 * the analysis, a provenance, the canonical JSON in the shape `odra audit --json`
 * prints (issue 9: audit, models, conditions, classes), and matched detections for the
 * gallery. Every number is computed, none is written down.
 */
import os from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { analyseAudit } from '../../src/engine/analytics/analyse-audit';
import { buildCellMatches, type CellMatches } from '../../src/engine/analytics/cell-matches';
import { accumulate, createEvalSetup, evaluateImage, summarize, type CocoDetection, type GtAnnotation, type ImageEval } from '../../src/engine/cocoeval/cocoeval';
import { applyCorruption } from '../../src/engine/corruptions/registry';
import { corruptionSeed, imageKey } from '../../src/engine/corruptions/seed';
import { datasetContentHash } from '../../src/engine/datasets/content-hash';
import { importDataset } from '../../src/engine/datasets/import-dataset';
import { suggestClassMap } from '../../src/engine/evaluations/class-map';
import { detectionsFor, groundTruthFor, resolveClassMap } from '../../src/shared/class-map';
import { matchImage } from '../../src/engine/evaluations/image-matches';
import { decodeImage } from '../../src/engine/images/decode';
import type { RgbImage } from '../../src/engine/images/rgb-image';
import { Detector } from '../../src/engine/inference/detector';
import { importModel } from '../../src/engine/models/import-model';
import type { MatchedImage, ReportSource } from '../../src/engine/reports/report-source';
import { ODRA_VERSION } from '../../src/engine/util/version';
import type { AuditAnalysis, ConditionRef } from '../../src/shared/audit-results';
import type { ModelTags, ReportProvenanceInput } from '../../src/shared/report';

export interface FixtureModel {
  path: string;
  name: string;
  tags?: Partial<ModelTags>;
}

export interface FixtureAuditOptions {
  id?: number;
  name?: string;
  models: FixtureModel[];
  /** index of the baseline in models (default 0) */
  baseline?: number;
  dataset: string;
  /** the first N images by id */
  images: number;
  conditions: ConditionRef[];
  seed: number;
  resamples: number;
}

interface Det { categoryId: number; bbox: [number, number, number, number]; score: number }

export interface FixtureAudit {
  source: ReportSource;
  analysis: AuditAnalysis;
  canonical: Record<string, unknown>;
  /** seconds spent making it (inference, corruption, scoring) */
  seconds: number;
}

export async function fixtureAudit(o: FixtureAuditOptions): Promise<FixtureAudit> {
  const started = performance.now();
  const dataset = await importDataset(o.dataset);
  const hash = datasetContentHash(dataset.categories, dataset.images, dataset.annotations);
  const images = [...dataset.images].sort((a, b) => a.id - b.id).slice(0, o.images);
  const imageIds = images.map((im) => im.id);
  const inAudit = new Set(imageIds);
  const annotations = dataset.annotations.filter((a) => inAudit.has(a.imageId));

  const imported: Awaited<ReturnType<typeof importModel>>[] = [];
  for (const m of o.models) imported.push(await importModel(m.path));
  const maps = imported.map((im) => resolveClassMap(suggestClassMap(im.adapter.classNames, dataset.categories).classMap, im.adapter.classNames, dataset.categories));
  // every cell scores the same evaluation categories and GT (the suggested maps of COCO-named models agree; checked)
  const asCoco = annotations.map((a) => ({ id: a.id, image_id: a.imageId, category_id: a.categoryId, bbox: a.bbox, area: a.area, iscrowd: a.iscrowd ? 1 : 0 }) as GtAnnotation);
  const scoredGt = maps.map((m) => groundTruthFor(m, asCoco));
  const layoutKey = (i: number): string => JSON.stringify(scoredGt[i].categories);
  for (let i = 1; i < maps.length; i++) {
    if (layoutKey(i) !== layoutKey(0)) throw new Error(`fixture audit: model ${o.models[i].name} scores other categories than ${o.models[0].name}`);
  }
  const withGt = new Set(scoredGt[0].annotations.filter((a) => !a.ignore_region).map((a) => a.category_id));
  const scored = scoredGt[0].categories.filter((c) => withGt.has(c.id));
  const scoredIds = new Set(scored.map((c) => c.id));
  const gts: GtAnnotation[] = scoredGt[0].annotations.filter((a) => scoredIds.has(a.category_id));
  const gtByImage = new Map<number, GtAnnotation[]>(imageIds.map((id) => [id, []]));
  for (const g of gts) gtByImage.get(g.image_id)?.push(g);

  const baseline = o.baseline ?? 0;
  const detectors = [];
  for (let m = 0; m < o.models.length; m++) {
    detectors.push(await Detector.load(o.models[m].path, imported[m].adapter, { threads: 1, spinning: false }));
  }
  const condKey = (c: ConditionRef): string => `${c.corruption}/${c.severity}`;
  /** [model][condition key] -> image id -> detections */
  const dets: Map<string, Map<number, Det[]>>[] = o.models.map(() => new Map(o.conditions.map((c) => [condKey(c), new Map()])));
  try {
    for (const im of images) {
      const clean = await decodeImage(path.join(dataset.imageRoot, im.fileName));
      for (const c of o.conditions) {
        const pixels: RgbImage =
          c.corruption === 'clean'
            ? clean
            : await applyCorruption(clean, c.corruption, c.severity as 1 | 2 | 3 | 4 | 5, corruptionSeed(o.seed, imageKey(hash, im.id), c.corruption, c.severity));
        for (let m = 0; m < o.models.length; m++) {
          const [raw] = await detectors[m].detect([pixels]);
          const out: Det[] = [];
          for (const d of detectionsFor(maps[m], raw).scored) if (scoredIds.has(d.categoryId)) out.push({ categoryId: d.categoryId, bbox: d.bbox, score: d.score });
          dets[m].get(condKey(c))?.set(im.id, out);
        }
      }
    }
  } finally {
    for (const d of detectors) await d.dispose();
  }

  const setup = createEvalSetup({ images: imageIds.map((id) => ({ id })), categories: scored.map((c) => ({ id: c.id, name: c.name })) });
  const records: CellMatches[][] = [];
  const cellStats: { stats: Record<string, number>; per_category: unknown[] }[][] = [];
  for (let m = 0; m < o.models.length; m++) {
    records.push([]);
    cellStats.push([]);
    for (const c of o.conditions) {
      const evals: ImageEval[] = imageIds.map((id) => {
        const list: CocoDetection[] = (dets[m].get(condKey(c))?.get(id) ?? []).map((d) => ({ image_id: id, category_id: d.categoryId, bbox: d.bbox, score: d.score }));
        return evaluateImage(setup, id, gtByImage.get(id) ?? [], list);
      });
      records[m].push(buildCellMatches(setup, evals));
      const summary = summarize(accumulate(evals, setup));
      cellStats[m].push({ stats: { ...summary.stats }, per_category: summary.per_category });
    }
  }

  const sha = imported.map((im) => im.fingerprint.sha256);
  const analysis = analyseAudit({
    models: o.models.map((m, i) => ({ id: i + 1, name: m.name, sha256: sha[i], baseline: i === baseline })),
    conditions: o.conditions,
    categories: scored.map((c) => ({ id: c.id, name: c.name })),
    cell: (m, c) => records[m][c],
    options: { resamples: o.resamples, seed: o.seed },
  });

  const machine = { cpuModel: os.cpus()[0]?.model ?? 'unknown', cores: os.cpus().length, ramBytes: os.totalmem(), os: `${os.type()} ${os.release()}`, gpu: null };
  const provenance: ReportProvenanceInput = {
    odraVersion: ODRA_VERSION,
    corruptionCatalogueVersion: `odra ${ODRA_VERSION} catalogue`,
    onnxruntime: ort.env.versions.common,
    seed: o.seed,
    dataset: { name: dataset.name, format: dataset.format, contentHash: hash, imageCount: dataset.images.length, auditedImages: images.length, annotationCount: annotations.length },
    models: o.models.map((m, i) => ({
      name: m.name,
      path: m.path,
      sha256: sha[i],
      fileSize: imported[i].fingerprint.fileSize,
      baseline: i === baseline,
      adapter: { family: imported[i].adapter.family },
      fingerprint: imported[i].fingerprint,
      tags: m.tags ? { method: null, rate: null, rate_unit: null, training: null, note: null, ...m.tags } : null,
      executionProvider: 'cpu',
    })),
    requestedProvider: 'cpu',
    executionProviders: ['cpu'],
    machine,
  };
  const id = o.id ?? 1;
  const name = o.name ?? `${o.models.map((m) => m.name).join(' vs ')} on ${dataset.name}`;
  const canonical = canonicalJson(id, name, o, analysis, provenance, cellStats);

  const source: ReportSource = {
    audit: { id, name, createdAt: new Date().toISOString(), seed: o.seed },
    canonical,
    analysis,
    provenance,
    images: {
      datasetHash: hash,
      imageIds,
      imagePath: (imageId) => {
        const im = images.find((x) => x.id === imageId);
        if (!im) throw new Error(`image ${imageId} is not in the audit`);
        return path.join(dataset.imageRoot, im.fileName);
      },
      gtCounts: (imageId) => {
        const counts = new Map<number, number>();
        for (const g of gtByImage.get(imageId) ?? []) if (!g.ignore_region && !g.iscrowd) counts.set(g.category_id, (counts.get(g.category_id) ?? 0) + 1);
        return counts;
      },
      matches: async (model, condition, imageId, t): Promise<MatchedImage> => {
        const list = dets[model].get(condKey(condition))?.get(imageId);
        if (!list) throw new Error(`no detections of model ${model} under ${condKey(condition)} on image ${imageId}`);
        const m = matchImage(
          (gtByImage.get(imageId) ?? []).map((g) => ({ id: g.id, categoryId: g.category_id, bbox: g.bbox, iscrowd: Boolean(g.iscrowd), ignoreRegion: g.ignore_region === true })),
          list,
          { iouThreshold: t.iou, scoreThreshold: t.score, scoredCategories: scoredIds },
        );
        return {
          gts: m.groundTruth.map((g) => ({ categoryId: g.categoryId, bbox: g.bbox, status: g.status })),
          detections: m.detections.map((d) => ({ categoryId: d.categoryId, bbox: d.bbox, score: d.score, status: d.status })),
        };
      },
    },
  };
  return { source, analysis, canonical, seconds: (performance.now() - started) / 1000 };
}

/** The object `odra audit --json` prints (issue 9's shape), from the analysis and the per-cell COCO stats. */
function canonicalJson(
  id: number,
  name: string,
  o: FixtureAuditOptions,
  a: AuditAnalysis,
  provenance: ReportProvenanceInput,
  cellStats: { stats: Record<string, number>; per_category: unknown[] }[][],
): Record<string, unknown> {
  const nameOf = new Map(a.categories.map((c) => [c.id, c.name]));
  return {
    audit: { id, name, seed: o.seed, conditions: o.conditions.length, images: a.images, bootstrap: a.bootstrap.resamples, provenance },
    models: a.models.map((m, i) => ({
      name: m.name,
      path: o.models[i].path,
      sha256: m.sha256,
      baseline: m.baseline,
      P: m.P.value,
      mPC: m.mPC.value,
      rPC: m.rPC.value,
      mPC_heldout: m.mPC_heldout.value,
      mPC_conditions: m.mPC.n_conditions,
      mPC_heldout_conditions: m.mPC_heldout.n_conditions,
      P_ci95: m.P.ci95,
      mPC_ci95: m.mPC.ci95,
      rPC_ci95: m.rPC.ci95,
      worst_class: m.worst_class.by_AP
        ? {
            name: m.worst_class.by_AP.name,
            AP: m.worst_class.by_AP.value.value,
            mPC: m.classes.find((c) => c.id === m.worst_class.by_AP?.id)?.mPC.value ?? null,
            rPC: m.classes.find((c) => c.id === m.worst_class.by_AP?.id)?.rPC.value ?? null,
          }
        : null,
      delta: m.delta ? { P: m.delta.P, mPC: m.delta.mPC, rPC: m.delta.rPC, worst_class_AP: m.delta.worst_class_AP } : null,
    })),
    conditions: a.models.flatMap((m, i) =>
      o.conditions.map((c, j) => ({ model_sha256: m.sha256, corruption: c.corruption, severity: c.severity, stats: cellStats[i][j].stats, per_category: cellStats[i][j].per_category })),
    ),
    classes: a.models.flatMap((m) =>
      m.classes.map((c) => ({
        model_sha256: m.sha256,
        id: c.id,
        name: nameOf.get(c.id) ?? String(c.id),
        P: c.P.value,
        mPC: c.mPC.value,
        rPC: c.rPC.value,
        gt_count: a.categories.find((x) => x.id === c.id)?.gt_count ?? 0,
        spearman_gt_AP: m.imbalance.spearman_AP,
        spearman_gt_rPC: m.imbalance.spearman_rPC,
      })),
    ),
  };
}
