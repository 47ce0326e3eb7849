/**
 * Clean evaluations as views over audits: an evaluation is an audit of kind
 * 'evaluation' (one model, the clean condition, every image), so it has the same
 * pipeline, store layout and scorer as any audit. This keeps the `evaluations.*`
 * contract (the Evaluate view, the image view, `odra eval`) answering from audits:
 * its stats are the one cell's, its detections the stored raw ones labelled through the
 * audit's class map (scoring-map.ts): what was scored, and the not-scored ones with a
 * null category (the image view shows them).
 *
 * Evaluations migrated from before raw detections (legacy) keep their numbers and
 * their by-category detections (legacy_detections).
 */
import type { CategoryRef } from '../../shared/class-map';
import type { ClassMap, DetectionDto, EvaluationDto } from '../../shared/schemas';
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

  /**
   * Every stored detection, with the model's class index; categoryId is the evaluation
   * category it scores as under the recorded class map, null when its class is not scored.
   */
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
      for (const d of unpackDetections(blob)) {
        out.push({ imageId: imageIds[pos], categoryId: map.categoryOf(d.classIndex), classIndex: d.classIndex, bbox: d.bbox, score: d.score });
      }
    }
    return out;
  }

  /** What an evaluation ran with, as the image view needs it to re-match one image. */
  recordedScoring(id: number): { datasetId: number; classMap: ClassMap; classNames: string[]; categories: CategoryRef[] } {
    const audit = this.row(id);
    const [model] = this.audits.models(id);
    const categories = this.datasets.get(audit.datasetId).categories.map((c) => ({ id: c.id, name: c.name }));
    return { datasetId: audit.datasetId, classMap: model.classMap, classNames: model.adapter.classNames, categories };
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
