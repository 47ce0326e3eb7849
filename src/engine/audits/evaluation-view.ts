/**
 * Clean evaluations as views over audits: an evaluation is an audit of kind
 * 'evaluation' (one model, the clean condition, every image), so it has the same
 * pipeline, store layout and scorer as any audit. This keeps the `evaluations.*`
 * contract (the Evaluate view, the image view, `odra eval`) answering from audits:
 * its stats are the one cell's, its detections the stored raw ones mapped through the
 * audit's class map (scoring-map.ts), exactly what was scored.
 *
 * Evaluations migrated from before raw detections (legacy) keep their numbers and
 * their by-category detections (legacy_detections).
 */
import type { DetectionDto, EvaluationDto } from '../../shared/schemas';
import { OdraError } from '../../shared/errors';
import type { DatasetRepo } from '../datasets/dataset-repo';
import type { AuditRepo, AuditRow } from './audit-repo';
import { unpackDetections } from './packing';
import { scoringMap } from './scoring-map';

export class EvaluationView {
  constructor(
    private readonly audits: AuditRepo,
    private readonly datasets: DatasetRepo,
  ) {}

  list(filter: { modelId?: number; datasetId?: number }): EvaluationDto[] {
    return this.audits.list({ kind: 'evaluation', ...filter }).map((a) => this.toDto(a));
  }

  get(id: number): EvaluationDto {
    return this.toDto(this.row(id));
  }

  detections(id: number, imageId?: number): DetectionDto[] {
    const audit = this.row(id);
    if (audit.legacy) return this.audits.legacyDetections(id, imageId);
    const [model] = this.audits.models(id);
    const categories = this.datasets.get(audit.datasetId).categories;
    const map = scoringMap(model.classMap, model.adapter.classNames, categories);
    const imageIds = this.audits.imageIds(id);
    const positions = imageId === undefined ? imageIds.map((_, i) => i) : [this.audits.imagePosition(id, imageId)].filter((p): p is number => p !== null);
    const out: DetectionDto[] = [];
    for (const pos of positions) {
      const blob = this.audits.unit(id, 0, 0, pos);
      if (!blob) continue;
      for (const d of map.detections(imageIds[pos], unpackDetections(blob))) {
        out.push({ imageId: d.image_id, categoryId: d.category_id, bbox: d.bbox, score: d.score });
      }
    }
    return out;
  }

  private row(id: number): AuditRow {
    let audit: AuditRow;
    try {
      audit = this.audits.get(id);
    } catch (err) {
      if (err instanceof OdraError && err.code === 'NOT_FOUND') throw new OdraError('NOT_FOUND', `no evaluation with id ${id}`);
      throw err;
    }
    if (audit.kind !== 'evaluation') throw new OdraError('NOT_FOUND', `no evaluation with id ${id} (${id} is an audit)`);
    return audit;
  }

  private toDto(a: AuditRow): EvaluationDto {
    const [model] = this.audits.models(a.id);
    const categories = this.datasets.get(a.datasetId).categories;
    const withGt = new Set(categories.filter((c) => c.count > 0).map((c) => c.id));
    const unmapped = scoringMap(model.classMap, model.adapter.classNames, categories).unmapped.filter((c) => withGt.has(c.id)).map((c) => c.name);
    const stats = a.status === 'done' ? this.audits.cellStats(a.id, 0, 0) : null;
    return {
      id: a.id,
      modelId: model.modelId,
      datasetId: a.datasetId,
      modelName: model.name,
      datasetName: a.datasetName,
      modelSha256: model.sha256,
      datasetHash: a.datasetHash,
      status: a.status,
      executionProvider: model.executionProvider,
      requestedProvider: model.requestedProvider,
      providerWarning: model.providerWarning,
      toolVersion: a.toolVersion,
      classMap: model.classMap,
      unmappedCategories: unmapped,
      startedAt: a.startedAt ?? a.createdAt,
      finishedAt: a.finishedAt,
      seconds: a.status === 'done' ? a.seconds : a.seconds || null,
      error: a.error,
      stats,
      perCategory: a.status === 'done' ? this.audits.cellCategories(a.id, 0, 0) : [],
    };
  }
}
