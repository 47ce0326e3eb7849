/**
 * The engine's AuditReportReader (audit-report-source.ts): a stored audit read through
 * the audit repo, the audit service and the dataset repo, the same objects the
 * contract's audits.* handlers use (engine.ts), so a report shows what `odra audit
 * --json` prints for the same analysis request.
 *
 * Detections are the stored units unpacked (audits/packing.ts) and turned into scored
 * COCO detections by the audit's class map (audits/scoring-map.ts, the one seam where a
 * class map meets scoring), the GT likewise; both per model, since each model of an
 * audit has its own class map. Model tags are read from the model files' ONNX metadata
 * when the file is still the audited one (audit-report.ts readModelTags).
 *
 *   writeEngineAuditReport(engine, auditId, options)   the demo's and the CLI's one call
 */
import type { GtAnnotation } from '../cocoeval/cocoeval';
import type { AuditRepo } from '../audits/audit-repo';
import type { AuditService } from '../audits/audit-service';
import { unpackDetections } from '../audits/packing';
import { scoringMap, type ScoringMap } from '../audits/scoring-map';
import type { DatasetRepo } from '../datasets/dataset-repo';
import { readModelTags, writeAuditReport, type AuditReportOptions } from './audit-report';
import type { AuditReportReader, ScoredDetection, ScoredGt, StoredProvenance } from './audit-report-source';
import type { WrittenReport } from './write-report';

/** What of the engine the reader needs (the Engine has these as public fields). */
export interface AuditStore {
  audits: AuditRepo;
  auditService: AuditService;
  datasets: DatasetRepo;
}

export function engineAuditReader(store: AuditStore): AuditReportReader {
  const maps = new Map<string, ScoringMap>();
  const mapOf = (id: number, model: number): ScoringMap => {
    const key = `${id}/${model}`;
    let map = maps.get(key);
    if (!map) {
      const m = store.audits.models(id)[model];
      if (!m) throw new Error(`audit ${id} has no model at position ${model}`);
      map = scoringMap(m.classMap, m.adapter.classNames, store.datasets.get(store.audits.get(id).datasetId).categories);
      maps.set(key, map);
    }
    return map;
  };
  return {
    audit: (id) => {
      const d = store.auditService.detail(id);
      return {
        id: d.id,
        name: d.name,
        status: d.status,
        createdAt: d.createdAt,
        seed: d.seed,
        datasetHash: d.datasetHash,
        conditions: d.conditions,
        provenance: d.provenance as StoredProvenance | null,
      };
    },
    executionProviders: (id) => store.audits.models(id).map((m) => m.executionProvider),
    result: (id, request) => store.auditService.result(id, request),
    analysis: (id, request) => store.auditService.analysis(id, request),
    imageIds: (id) => store.audits.imageIds(id),
    imagePath: (id, imageId) => store.datasets.imagePath(store.audits.get(id).datasetId, imageId).path,
    groundTruth: (id, model, imageId): ScoredGt[] => {
      const image = store.datasets.image(store.audits.get(id).datasetId, imageId);
      const coco: GtAnnotation[] = image.annotations.map((a) => ({
        id: a.id,
        image_id: imageId,
        category_id: a.categoryId,
        bbox: a.bbox,
        area: a.bbox[2] * a.bbox[3],
        iscrowd: a.iscrowd ? 1 : 0,
      }));
      return mapOf(id, model)
        .groundTruth(coco)
        .map((g) => ({ id: g.id, categoryId: g.category_id, bbox: g.bbox, iscrowd: Boolean(g.iscrowd), ignoreRegion: g.ignore_region === true }));
    },
    detections: (id, model, condition, imageId): ScoredDetection[] => {
      const pos = store.audits.imagePosition(id, imageId);
      if (pos === null) throw new Error(`image ${imageId} is not in audit ${id}`);
      const blob = store.audits.unit(id, condition, model, pos);
      if (!blob) throw new Error(`audit ${id} has no detections of model ${model} under condition ${condition} on image ${imageId}`);
      return mapOf(id, model)
        .detections(imageId, unpackDetections(blob))
        .map((d) => ({ categoryId: d.category_id, bbox: d.bbox, score: d.score }));
    },
    modelTags: readModelTags,
  };
}

/** The report of a stored audit of this engine: store + audit id + options -> files. */
export function writeEngineAuditReport(store: AuditStore, auditId: number, options: AuditReportOptions): Promise<WrittenReport> {
  return writeAuditReport(engineAuditReader(store), auditId, options);
}
