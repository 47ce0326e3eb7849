/**
 * Evaluations in the store: the run's provenance (model hash, dataset hash, tool
 * version, execution provider, class map), its detections and its metrics rows.
 *
 * Detections: every detection the model made, with its own class index; category_id
 * is the evaluation category it scored as (src/shared/class-map.ts), NULL when its
 * class is not scored. Scoring reads the rows with a category, as before schema 4,
 * when only those were stored (without the class index). Metrics rows are keyed by
 * evaluation category id (the smallest dataset category id of a merge).
 *
 * The recorded class map (params_json) may be in the first format (evaluations made
 * before schema 4): it is converted when read, never rewritten.
 */
import type { Db } from '../store/database';
import { readClassMap, scoringLayout } from '../../shared/class-map';
import { type ClassMap, type DetectionDto, type EvaluationDto, type PerCategoryDto } from '../../shared/schemas';
import { OdraError } from '../../shared/errors';

export const STAT_KEYS = ['AP', 'AP50', 'AP75', 'APs', 'APm', 'APl', 'AR1', 'AR10', 'AR100', 'ARs', 'ARm', 'ARl'] as const;

interface EvalRow {
  id: number;
  model_id: number;
  dataset_id: number;
  status: EvaluationDto['status'];
  params_json: string;
  tool_version: string;
  execution_provider: string | null;
  requested_provider: string | null;
  provider_warning: string | null;
  started_at: string;
  finished_at: string | null;
  seconds: number | null;
  error: string | null;
  model_name: string;
  model_sha256: string;
  dataset_name: string;
  dataset_hash: string;
}

export interface EvaluationParams {
  classMap: ClassMap;
  unmappedCategories: string[];
  threads: number | null;
  adapter: unknown;
}

export interface StoredDetection {
  imageId: number;
  /** the evaluation category it scored as; null: not scored */
  categoryId: number | null;
  classIndex: number;
  bbox: [number, number, number, number];
  score: number;
}

/** What an evaluation ran with, as the views need it to re-match one image. */
export interface RecordedScoring {
  datasetId: number;
  classMap: ClassMap;
  /** the model's class names when it ran (from its recorded adapter) */
  classNames: string[];
  /** the dataset's categories (names of GT labels) */
  categories: { id: number; name: string }[];
}

export class EvaluationRepo {
  constructor(private readonly db: Db) {}

  start(modelId: number, datasetId: number, params: EvaluationParams, toolVersion: string): number {
    const res = this.db
      .prepare(
        `INSERT INTO evaluations (model_id, dataset_id, status, params_json, tool_version, started_at)
         VALUES (?, ?, 'running', ?, ?, ?)`,
      )
      .run(modelId, datasetId, JSON.stringify(params), toolVersion, new Date().toISOString());
    return Number(res.lastInsertRowid);
  }

  /** What actually ran, what was asked for, and the fallback warning when they differ. */
  setExecutionProvider(id: number, provider: string, requested: string | null = null, warning: string | null = null): void {
    this.db
      .prepare('UPDATE evaluations SET execution_provider = ?, requested_provider = ?, provider_warning = ? WHERE id = ?')
      .run(provider, requested, warning, id);
  }

  /** One transaction per batch of images keeps the store consistent and fast. */
  addDetections(id: number, detections: readonly StoredDetection[]): void {
    const stmt = this.db.prepare(
      'INSERT INTO detections (evaluation_id, image_id, category_id, class_index, x, y, w, h, score) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    this.db.transaction(() => {
      for (const d of detections) stmt.run(id, d.imageId, d.categoryId, d.classIndex, ...d.bbox, d.score);
    })();
  }

  finish(
    id: number,
    result: { stats: Record<(typeof STAT_KEYS)[number], number>; perCategory: PerCategoryDto[] },
    seconds: number,
  ): void {
    const metric = this.db.prepare('INSERT INTO metrics (evaluation_id, category_id, metric, value) VALUES (?, ?, ?, ?)');
    this.db.transaction(() => {
      for (const k of STAT_KEYS) metric.run(id, null, k, result.stats[k]);
      for (const c of result.perCategory) {
        metric.run(id, c.id, 'AP', c.AP);
        metric.run(id, c.id, 'AP50', c.AP50);
        metric.run(id, c.id, 'num_gt', c.num_gt);
        metric.run(id, c.id, 'num_dets', c.num_dets);
      }
      this.db
        .prepare("UPDATE evaluations SET status = 'done', finished_at = ?, seconds = ? WHERE id = ?")
        .run(new Date().toISOString(), seconds, id);
    })();
  }

  /** `seconds`: how long it ran before it stopped. */
  fail(id: number, status: 'failed' | 'cancelled', error: string, seconds: number | null = null): void {
    this.db
      .prepare('UPDATE evaluations SET status = ?, error = ?, finished_at = ?, seconds = ? WHERE id = ?')
      .run(status, error, new Date().toISOString(), seconds, id);
  }

  list(filter: { modelId?: number; datasetId?: number }): EvaluationDto[] {
    const rows = this.db
      .prepare(
        `${SELECT} WHERE (? IS NULL OR e.model_id = ?) AND (? IS NULL OR e.dataset_id = ?) ORDER BY e.id DESC`,
      )
      .all(filter.modelId ?? null, filter.modelId ?? null, filter.datasetId ?? null, filter.datasetId ?? null) as EvalRow[];
    return rows.map((r) => this.toDto(r));
  }

  get(id: number): EvaluationDto {
    const row = this.db.prepare(`${SELECT} WHERE e.id = ?`).get(id) as EvalRow | undefined;
    if (!row) throw new OdraError('NOT_FOUND', `no evaluation with id ${id}`);
    return this.toDto(row);
  }

  detections(id: number, imageId?: number): DetectionDto[] {
    this.get(id);
    // Two statements, not `(? IS NULL OR image_id = ?)`: SQLite cannot use the
    // (evaluation_id, image_id) index for that form and would scan the whole evaluation.
    const columns = 'SELECT image_id, category_id, class_index, x, y, w, h, score FROM detections';
    const rows = (
      imageId === undefined
        ? this.db.prepare(`${columns} WHERE evaluation_id = ? ORDER BY rowid`).all(id)
        : this.db.prepare(`${columns} WHERE evaluation_id = ? AND image_id = ? ORDER BY rowid`).all(id, imageId)
    ) as { image_id: number; category_id: number | null; class_index: number | null; x: number; y: number; w: number; h: number; score: number }[];
    return rows.map((r) => ({
      imageId: r.image_id,
      categoryId: r.category_id,
      classIndex: r.class_index,
      bbox: [r.x, r.y, r.w, r.h],
      score: r.score,
    }));
  }

  recordedScoring(id: number): RecordedScoring {
    const row = this.db.prepare('SELECT dataset_id, params_json FROM evaluations WHERE id = ?').get(id) as
      | { dataset_id: number; params_json: string }
      | undefined;
    if (!row) throw new OdraError('NOT_FOUND', `no evaluation with id ${id}`);
    const params = JSON.parse(row.params_json) as Partial<EvaluationParams>;
    const categories = this.categoryNames(row.dataset_id);
    const adapter = params.adapter as { classNames?: unknown } | undefined;
    const classNames = Array.isArray(adapter?.classNames) ? adapter.classNames.map(String) : [];
    return { datasetId: row.dataset_id, classMap: readClassMap(params.classMap ?? {}, categories), classNames, categories };
  }

  private categoryNames(datasetId: number): { id: number; name: string }[] {
    return this.db.prepare('SELECT id, name FROM categories WHERE dataset_id = ? ORDER BY id').all(datasetId) as { id: number; name: string }[];
  }

  private toDto(r: EvalRow): EvaluationDto {
    const params = JSON.parse(r.params_json) as Partial<EvaluationParams>;
    const metricRows = this.db
      .prepare('SELECT category_id, metric, value FROM metrics WHERE evaluation_id = ?')
      .all(r.id) as { category_id: number | null; metric: string; value: number | null }[];
    const overall = new Map<string, number>();
    const perCat = new Map<number, Partial<Record<string, number | null>>>();
    for (const m of metricRows) {
      if (m.category_id === null) overall.set(m.metric, m.value ?? -1);
      else {
        const entry = perCat.get(m.category_id) ?? {};
        entry[m.metric] = m.value;
        perCat.set(m.category_id, entry);
      }
    }
    const categories = this.categoryNames(r.dataset_id);
    const names = new Map(categories.map((c) => [c.id, c.name]));
    const classMap = readClassMap(params.classMap ?? {}, categories);
    const scored = new Map(scoringLayout(classMap, categories).categories.map((c) => [c.id, c]));
    const stats =
      r.status === 'done'
        ? (Object.fromEntries(STAT_KEYS.map((k) => [k, overall.get(k) ?? -1])) as Record<(typeof STAT_KEYS)[number], number>)
        : null;
    const perCategory: PerCategoryDto[] = [...perCat.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([id, m]) => {
        const c = scored.get(id);
        const merged = c && c.datasetCategories.length > 1 ? { datasetCategories: c.datasetCategories.map((d) => names.get(d) ?? String(d)) } : {};
        const ignoring = c && c.ignore.length > 0 ? { ignoring: c.ignore.map((d) => names.get(d) ?? String(d)) } : {};
        return {
          id,
          name: c?.name ?? names.get(id) ?? String(id),
          AP: m.AP ?? null,
          AP50: m.AP50 ?? null,
          num_gt: m.num_gt ?? 0,
          num_dets: m.num_dets ?? 0,
          ...merged,
          ...ignoring,
        };
      });
    return {
      id: r.id,
      modelId: r.model_id,
      datasetId: r.dataset_id,
      modelName: r.model_name,
      datasetName: r.dataset_name,
      modelSha256: r.model_sha256,
      datasetHash: r.dataset_hash,
      status: r.status,
      executionProvider: r.execution_provider,
      requestedProvider: r.requested_provider,
      providerWarning: r.provider_warning,
      toolVersion: r.tool_version,
      classMap,
      unmappedCategories: params.unmappedCategories ?? [],
      startedAt: r.started_at,
      finishedAt: r.finished_at,
      seconds: r.seconds,
      error: r.error,
      stats,
      perCategory,
    };
  }
}

const SELECT = `SELECT e.*, m.name AS model_name, m.sha256 AS model_sha256, d.name AS dataset_name, d.content_hash AS dataset_hash
  FROM evaluations e JOIN models m ON m.id = e.model_id JOIN datasets d ON d.id = e.dataset_id`;
