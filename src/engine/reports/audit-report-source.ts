/**
 * A ReportSource (report-source.ts) over a stored audit, read through AuditReportReader:
 * the few things a report reads from the audit store, as plain data. The engine's
 * adapter (engine-audit-reader.ts, over the audit repo, the audit service and the
 * dataset repo) implements it; anything else that holds audits can too.
 *
 *   canonical   reader.result(id, request): the object `odra audit --json` prints for
 *               the same analysis request (bootstrap resamples, class counts)
 *   analysis    reader.analysis(id, request): the same analysis (the audit service
 *               stores one per request, so both are the same numbers)
 *   provenance  the audit's stored provenance read through reportProvenanceSchema's
 *               input: executionProviders are the union over its runs; each model's
 *               tags come from reader.modelTags (its ONNX metadata odra.* keys) when given
 *   pictures    the audit's images (ascending id), each model's scored GT (the class
 *               map's scoring: unmapped categories dropped, ignore regions flagged) and
 *               its scored detections per (condition, image), matched here by
 *               evaluations/image-matches.ts at one IoU and score threshold
 *
 * An audit that is not done cannot be reported (its analysis would be partial): that is
 * bad input naming the audit and its state. A provenance missing on the audit (audits
 * migrated from old evaluations) is bad input too: a report without provenance could
 * not say what its numbers are traceable to.
 */
import type { AuditAnalysis, ConditionRef } from '../../shared/audit-results';
import { badInput } from '../../shared/errors';
import type { ModelTags, ReportProvenanceInput } from '../../shared/report';
import { matchImage } from '../evaluations/image-matches';
import type { Box, MatchedImage, ReportSource } from './report-source';

/** The analysis request a report is made for (the audit service's AnalysisRequest). */
export interface AuditReportRequest {
  bootstrap?: number;
  minGt?: number;
  classCounts?: Record<string, number>;
}

export interface StoredAudit {
  id: number;
  name: string;
  status: string;
  createdAt: string | null;
  seed: number;
  datasetHash: string;
  conditions: readonly ConditionRef[];
  /** the audit's provenance (src/shared/audits.ts provenanceSchema), null when it has none */
  provenance: StoredProvenance | null;
}

/** The parts of the audit engine's Provenance the report reads. */
export interface StoredProvenance {
  odraVersion: string;
  corruptionCatalogueVersion: string;
  onnxruntime: string;
  seed: number;
  dataset: { name: string; format: string; contentHash: string; imageCount: number; auditedImages: number };
  models: {
    name: string;
    path: string;
    sha256: string;
    fileSize: number;
    baseline: boolean;
    adapter: { family: string } | null;
    fingerprint: unknown;
  }[];
  requestedProvider: string;
  machine: { cpuModel: string; cores: number; ramBytes: number; os: string; gpu: string | null };
  runs: { executionProviders: readonly string[] }[];
}

export interface ScoredGt {
  id: number;
  categoryId: number;
  bbox: Box;
  iscrowd: boolean;
  /** a box of a class-map "ignore for" rule: matched like a crowd region, never GT */
  ignoreRegion?: boolean;
}

export interface ScoredDetection {
  categoryId: number;
  bbox: Box;
  score: number;
}

export interface AuditReportReader {
  audit(id: number): StoredAudit;
  /** per model (audit order), the provider that ran it, null before it ran */
  executionProviders(id: number): (string | null)[];
  result(id: number, request: AuditReportRequest): Promise<unknown>;
  analysis(id: number, request: AuditReportRequest): Promise<AuditAnalysis>;
  /** the audit's images, ascending id */
  imageIds(id: number): readonly number[];
  imagePath(id: number, imageId: number): string;
  /** the image's GT as model `model` scores it */
  groundTruth(id: number, model: number, imageId: number): readonly ScoredGt[];
  /** model `model`'s scored detections on the image under condition `condition` (index in the audit's conditions) */
  detections(id: number, model: number, condition: number, imageId: number): readonly ScoredDetection[];
  /** the model's tags from its ONNX metadata, null when it has none or the file is not the audited one */
  modelTags?(path: string, sha256: string): Promise<ModelTags | null>;
}

export function toReportProvenance(p: StoredProvenance, providers: readonly (string | null)[], tags: readonly (ModelTags | null)[]): ReportProvenanceInput {
  const used = new Set<string>();
  for (const run of p.runs) for (const ep of run.executionProviders) used.add(ep);
  return {
    odraVersion: p.odraVersion,
    corruptionCatalogueVersion: p.corruptionCatalogueVersion,
    onnxruntime: p.onnxruntime,
    seed: p.seed,
    dataset: { ...p.dataset },
    models: p.models.map((m, i) => ({
      name: m.name,
      path: m.path,
      sha256: m.sha256,
      fileSize: m.fileSize,
      baseline: m.baseline,
      adapter: m.adapter ? { ...m.adapter } : null,
      fingerprint: (m.fingerprint ?? null) as ReportProvenanceInput['models'][number]['fingerprint'],
      tags: tags[i] ?? null,
      executionProvider: providers[i] ?? null,
    })),
    requestedProvider: p.requestedProvider,
    executionProviders: [...used].sort(),
    machine: { ...p.machine },
  };
}

export async function auditReportSource(reader: AuditReportReader, auditId: number, request: AuditReportRequest = {}): Promise<ReportSource> {
  const audit = reader.audit(auditId);
  if (audit.status !== 'done') throw badInput(`audit ${auditId} is ${audit.status}: only a finished audit can be reported (resume it with odra audit on the same --db)`);
  if (!audit.provenance) throw badInput(`audit ${auditId} has no provenance (made before Odra recorded it): run the audit again to report it`);
  const provenance = audit.provenance;
  const analysis = await reader.analysis(auditId, request);
  const canonical = await reader.result(auditId, request);
  const tags = await Promise.all(provenance.models.map((m) => (reader.modelTags ? reader.modelTags(m.path, m.sha256) : Promise.resolve(null))));
  const conditionIndex = (c: ConditionRef): number => {
    const i = audit.conditions.findIndex((x) => x.corruption === c.corruption && x.severity === c.severity);
    if (i < 0) throw new Error(`condition ${c.corruption}/${c.severity} is not in audit ${auditId}`);
    return i;
  };
  const scoredIds = new Set(analysis.categories.map((c) => c.id));
  const imageIds = [...reader.imageIds(auditId)].sort((a, b) => a - b);
  return {
    audit: { id: audit.id, name: audit.name, createdAt: audit.createdAt, seed: audit.seed },
    canonical,
    analysis,
    provenance: toReportProvenance(provenance, reader.executionProviders(auditId), tags),
    images: {
      datasetHash: audit.datasetHash,
      imageIds,
      imagePath: (imageId) => reader.imagePath(auditId, imageId),
      gtCounts: (imageId) => {
        const counts = new Map<number, number>();
        for (const g of reader.groundTruth(auditId, 0, imageId)) {
          if (!g.iscrowd && g.ignoreRegion !== true && scoredIds.has(g.categoryId)) counts.set(g.categoryId, (counts.get(g.categoryId) ?? 0) + 1);
        }
        return counts;
      },
      matches: (model, condition, imageId, t): Promise<MatchedImage> => {
        const m = matchImage(reader.groundTruth(auditId, model, imageId), reader.detections(auditId, model, conditionIndex(condition), imageId), {
          iouThreshold: t.iou,
          scoreThreshold: t.score,
          scoredCategories: scoredIds,
        });
        return Promise.resolve({
          gts: m.groundTruth.map((g) => ({ categoryId: g.categoryId, bbox: g.bbox, status: g.status })),
          detections: m.detections.map((d) => ({ categoryId: d.categoryId, bbox: d.bbox, score: d.score, status: d.status })),
        });
      },
    },
  };
}
