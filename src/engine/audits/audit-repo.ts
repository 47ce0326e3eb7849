/**
 * Audits in the store (migration 6; shards: migration 8): the plan (models with the adapter and class map
 * they were audited with, conditions, images in plan order), one row per done unit
 * holding its packed raw detections, and per cell its progress counter and scores.
 *
 * Invariants:
 *   - a unit row exists iff the unit is done; writeUnits inserts units and bumps their
 *     cells' units_done in ONE transaction, so units_done always equals the cell's rows
 *     (progress and resume never scan the detections);
 *   - a cell is scored (stats_json set) only when units_done equals the audit's images;
 *   - every query the views make is bounded by an audit id and served by a primary key.
 */
import type { Statement } from 'better-sqlite3';
import type {
  AuditCell,
  AuditMetricRow,
  AuditShard,
  AuditStatus,
  AuditSummary,
  Condition,
  Provenance,
} from '../../shared/audits';
import { provenanceSchema } from '../../shared/audits';
import { adapterConfigSchema, type AdapterConfig } from '../../shared/adapter';
import { OdraError } from '../../shared/errors';
import { readClassMap, scoringLayout, type CategoryRef } from '../../shared/class-map';
import { cocoStatsSchema, type ClassMap, type CocoStatsDto, type PerCategoryDto } from '../../shared/schemas';
import type { Db } from '../store/database';

export interface NewAuditModel {
  modelId: number;
  baseline: boolean;
  adapter: AdapterConfig;
  classMap: ClassMap;
}

export interface NewAudit {
  kind: 'audit' | 'evaluation';
  name: string;
  datasetId: number;
  seed: number;
  sample: number | null;
  settings: AuditSettings;
  fingerprint: string;
  toolVersion: string;
  models: NewAuditModel[];
  conditions: Condition[];
  imageIds: number[];
  /** a shard of a plan (index set) or a merge of its shards (index null) */
  shard?: NewAuditShard;
}

export interface NewAuditShard {
  planFingerprint: string;
  count: number;
  index: number | null;
  merged: number[];
}

/** How an audit runs; none of it changes a number. */
export interface AuditSettings {
  executionProvider: string | null;
  threads: number | null;
  batchSize: number | null;
  workers: number | null;
  recordInputDigests: boolean;
}

export interface AuditModelRow {
  position: number;
  modelId: number;
  name: string;
  path: string;
  sha256: string;
  fileSize: number;
  baseline: boolean;
  adapter: AdapterConfig;
  classMap: ClassMap;
  executionProvider: string | null;
  requestedProvider: string | null;
  providerWarning: string | null;
}

export interface AuditRow {
  id: number;
  kind: 'audit' | 'evaluation';
  name: string;
  datasetId: number;
  datasetName: string;
  datasetHash: string;
  status: AuditStatus;
  seed: number;
  sample: number | null;
  settings: AuditSettings;
  fingerprint: string;
  provenance: Provenance | null;
  toolVersion: string;
  unitsTotal: number;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  seconds: number;
  error: string | null;
  legacy: boolean;
}

export interface CellProgress {
  modelPos: number;
  conditionPos: number;
  unitsDone: number;
  scored: boolean;
}

export interface UnitWrite {
  conditionPos: number;
  modelPos: number;
  imagePos: number;
  detections: Uint8Array;
}

interface RawAuditRow {
  id: number;
  kind: 'audit' | 'evaluation';
  name: string;
  dataset_id: number;
  dataset_name: string;
  dataset_hash: string;
  status: AuditStatus;
  seed: number;
  sample: number | null;
  plan_json: string;
  fingerprint: string;
  provenance_json: string | null;
  tool_version: string;
  units_total: number;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  seconds: number;
  error: string | null;
  legacy: number;
}

const SELECT_AUDIT = `SELECT a.*, d.name AS dataset_name, d.content_hash AS dataset_hash FROM audits a JOIN datasets d ON d.id = a.dataset_id`;

export class AuditRepo {
  private insertUnit: Statement | null = null;
  private bumpCell: Statement | null = null;
  private insertDigest: Statement | null = null;

  constructor(private readonly db: Db) {}

  create(a: NewAudit): number {
    if (!a.models.length) throw new Error('an audit needs at least one model');
    if (a.conditions[0]?.corruption !== 'clean') throw new Error('the first condition of an audit is clean');
    return this.db.transaction(() => {
      const res = this.db
        .prepare(
          `INSERT INTO audits (kind, name, dataset_id, status, seed, sample, plan_json, fingerprint, tool_version, units_total, created_at)
           VALUES (?, ?, ?, 'paused', ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          a.kind,
          a.name,
          a.datasetId,
          a.seed >>> 0,
          a.sample,
          JSON.stringify(a.settings),
          a.fingerprint,
          a.toolVersion,
          a.imageIds.length * a.conditions.length * a.models.length,
          new Date().toISOString(),
        );
      const id = Number(res.lastInsertRowid);
      const model = this.db.prepare(
        'INSERT INTO audit_models (audit_id, position, model_id, baseline, adapter_json, class_map_json) VALUES (?, ?, ?, ?, ?, ?)',
      );
      a.models.forEach((m, i) => model.run(id, i, m.modelId, m.baseline ? 1 : 0, JSON.stringify(m.adapter), JSON.stringify(m.classMap)));
      const condition = this.db.prepare('INSERT INTO audit_conditions (audit_id, position, corruption, severity) VALUES (?, ?, ?, ?)');
      a.conditions.forEach((c, i) => condition.run(id, i, c.corruption, c.severity));
      const image = this.db.prepare('INSERT INTO audit_images (audit_id, position, image_id) VALUES (?, ?, ?)');
      a.imageIds.forEach((imageId, i) => image.run(id, i, imageId));
      const cell = this.db.prepare('INSERT INTO audit_cells (audit_id, model_pos, condition_pos) VALUES (?, ?, ?)');
      for (let m = 0; m < a.models.length; m++) for (let c = 0; c < a.conditions.length; c++) cell.run(id, m, c);
      if (a.shard) {
        this.db
          .prepare('INSERT INTO audit_shards (audit_id, plan_fingerprint, shard_count, shard_index, merged_json) VALUES (?, ?, ?, ?, ?)')
          .run(id, a.shard.planFingerprint, a.shard.count, a.shard.index, JSON.stringify(a.shard.merged));
      }
      return id;
    })();
  }

  get(id: number): AuditRow {
    const row = this.db.prepare(`${SELECT_AUDIT} WHERE a.id = ?`).get(id) as RawAuditRow | undefined;
    if (!row) throw new OdraError('NOT_FOUND', `no audit with id ${id}`);
    return toRow(row);
  }

  list(filter: { kind?: 'audit' | 'evaluation'; datasetId?: number; modelId?: number } = {}): AuditRow[] {
    const rows = this.db
      .prepare(
        `${SELECT_AUDIT}
         WHERE (? IS NULL OR a.kind = ?) AND (? IS NULL OR a.dataset_id = ?)
           AND (? IS NULL OR a.id IN (SELECT audit_id FROM audit_models WHERE model_id = ?))
         ORDER BY a.id DESC`,
      )
      .all(filter.kind ?? null, filter.kind ?? null, filter.datasetId ?? null, filter.datasetId ?? null, filter.modelId ?? null, filter.modelId ?? null) as RawAuditRow[];
    return rows.map(toRow);
  }

  /** The newest audit that computes this plan. */
  findByFingerprint(fingerprint: string): AuditRow | null {
    const row = this.db.prepare(`${SELECT_AUDIT} WHERE a.fingerprint = ? ORDER BY a.id DESC LIMIT 1`).get(fingerprint) as RawAuditRow | undefined;
    return row ? toRow(row) : null;
  }

  /** The shard an audit ran or the shards merged into it; null for an audit run whole. */
  shard(id: number): AuditShard | null {
    const row = this.db.prepare('SELECT plan_fingerprint, shard_count, shard_index, merged_json FROM audit_shards WHERE audit_id = ?').get(id) as
      | { plan_fingerprint: string; shard_count: number; shard_index: number | null; merged_json: string }
      | undefined;
    if (!row) return null;
    const merged = JSON.parse(row.merged_json) as number[];
    return {
      planFingerprint: row.plan_fingerprint,
      count: row.shard_count,
      index: row.shard_index,
      merged,
      partial: row.shard_index === null && merged.length < row.shard_count,
    };
  }

  /** Records the shards a merged audit now holds. */
  setMerged(id: number, merged: readonly number[]): void {
    const res = this.db
      .prepare('UPDATE audit_shards SET merged_json = ? WHERE audit_id = ? AND shard_index IS NULL')
      .run(JSON.stringify([...merged].sort((a, b) => a - b)), id);
    if (res.changes !== 1) throw new Error(`audit ${id} is not a merge of shards`);
  }

  /** Runs fn in one transaction (a merge copies units and records shards together). */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  delete(id: number): boolean {
    return this.db.prepare('DELETE FROM audits WHERE id = ?').run(id).changes > 0;
  }

  models(id: number): AuditModelRow[] {
    const categories = this.categoriesOf(id);
    const rows = this.db
      .prepare(
        `SELECT am.*, m.name, m.path, m.sha256, m.file_size FROM audit_models am JOIN models m ON m.id = am.model_id
         WHERE am.audit_id = ? ORDER BY am.position`,
      )
      .all(id) as {
      position: number;
      model_id: number;
      baseline: number;
      adapter_json: string;
      class_map_json: string;
      execution_provider: string | null;
      requested_provider: string | null;
      provider_warning: string | null;
      name: string;
      path: string;
      sha256: string;
      file_size: number;
    }[];
    return rows.map((r) => ({
      position: r.position,
      modelId: r.model_id,
      name: r.name,
      path: r.path,
      sha256: r.sha256,
      fileSize: r.file_size,
      baseline: r.baseline === 1,
      adapter: adapterConfigSchema.parse(JSON.parse(r.adapter_json)),
      // recorded maps may be in the first format (evaluations migrated from before format 2)
      classMap: readClassMap(JSON.parse(r.class_map_json), categories),
      executionProvider: r.execution_provider,
      requestedProvider: r.requested_provider,
      providerWarning: r.provider_warning,
    }));
  }

  conditions(id: number): Condition[] {
    return (
      this.db.prepare('SELECT corruption, severity FROM audit_conditions WHERE audit_id = ? ORDER BY position').all(id) as Condition[]
    ).map((c) => ({ corruption: c.corruption, severity: c.severity }));
  }

  /** Image ids in plan order. */
  imageIds(id: number): number[] {
    return (this.db.prepare('SELECT image_id FROM audit_images WHERE audit_id = ? ORDER BY position').all(id) as { image_id: number }[]).map(
      (r) => r.image_id,
    );
  }

  imageCount(id: number): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM audit_images WHERE audit_id = ?').get(id) as { n: number }).n;
  }

  /** The plan position of an image, or null when it is not in the audit. */
  imagePosition(id: number, imageId: number): number | null {
    const row = this.db.prepare('SELECT position FROM audit_images WHERE audit_id = ? AND image_id = ?').get(id, imageId) as
      | { position: number }
      | undefined;
    return row ? row.position : null;
  }

  cellProgress(id: number): CellProgress[] {
    return (
      this.db
        .prepare('SELECT model_pos, condition_pos, units_done, stats_json IS NOT NULL AS scored FROM audit_cells WHERE audit_id = ? ORDER BY model_pos, condition_pos')
        .all(id) as { model_pos: number; condition_pos: number; units_done: number; scored: number }[]
    ).map((r) => ({ modelPos: r.model_pos, conditionPos: r.condition_pos, unitsDone: r.units_done, scored: r.scored === 1 }));
  }

  /** Units done and cells scored, from the counters. */
  counts(id: number): { unitsDone: number; cellsDone: number; cellsTotal: number } {
    const r = this.db
      .prepare('SELECT COALESCE(SUM(units_done), 0) AS units, COALESCE(SUM(stats_json IS NOT NULL), 0) AS scored, COUNT(*) AS cells FROM audit_cells WHERE audit_id = ?')
      .get(id) as { units: number; scored: number; cells: number };
    return { unitsDone: r.units, cellsDone: r.scored, cellsTotal: r.cells };
  }

  /** Image positions done in one cell (only read when the cell is partly done: resume). */
  doneImages(id: number, conditionPos: number, modelPos: number): Set<number> {
    const rows = this.db
      .prepare('SELECT image_pos FROM audit_units WHERE audit_id = ? AND condition_pos = ? AND model_pos = ?')
      .all(id, conditionPos, modelPos) as { image_pos: number }[];
    return new Set(rows.map((r) => r.image_pos));
  }

  /** Stores units and counts them in their cells, in one transaction. */
  writeUnits(id: number, units: readonly UnitWrite[], digests: readonly { conditionPos: number; imagePos: number; sha256: string }[] = []): void {
    this.insertUnit ??= this.db.prepare(
      'INSERT INTO audit_units (audit_id, condition_pos, model_pos, image_pos, detections) VALUES (?, ?, ?, ?, ?)',
    );
    this.bumpCell ??= this.db.prepare(
      'UPDATE audit_cells SET units_done = units_done + ? WHERE audit_id = ? AND model_pos = ? AND condition_pos = ?',
    );
    this.insertDigest ??= this.db.prepare(
      'INSERT OR REPLACE INTO audit_input_digests (audit_id, condition_pos, image_pos, sha256) VALUES (?, ?, ?, ?)',
    );
    const insertUnit = this.insertUnit;
    const bumpCell = this.bumpCell;
    const insertDigest = this.insertDigest;
    this.db.transaction(() => {
      const perCell = new Map<string, { m: number; c: number; n: number }>();
      for (const u of units) {
        insertUnit.run(id, u.conditionPos, u.modelPos, u.imagePos, u.detections);
        const key = `${u.modelPos}:${u.conditionPos}`;
        const entry = perCell.get(key) ?? { m: u.modelPos, c: u.conditionPos, n: 0 };
        entry.n++;
        perCell.set(key, entry);
      }
      for (const e of perCell.values()) bumpCell.run(e.n, id, e.m, e.c);
      for (const d of digests) insertDigest.run(id, d.conditionPos, d.imagePos, d.sha256);
    })();
  }

  /** One page of a cell's units, by image position (keyset pagination: each page is one indexed query). */
  unitPage(id: number, conditionPos: number, modelPos: number, afterImagePos: number, limit: number): { imagePos: number; detections: Uint8Array }[] {
    const rows = this.db
      .prepare(
        `SELECT image_pos, detections FROM audit_units WHERE audit_id = ? AND condition_pos = ? AND model_pos = ? AND image_pos > ?
         ORDER BY image_pos LIMIT ?`,
      )
      .all(id, conditionPos, modelPos, afterImagePos, limit) as { image_pos: number; detections: Buffer }[];
    return rows.map((r) => ({ imagePos: r.image_pos, detections: new Uint8Array(r.detections.buffer, r.detections.byteOffset, r.detections.byteLength) }));
  }

  unit(id: number, conditionPos: number, modelPos: number, imagePos: number): Uint8Array | null {
    const row = this.db
      .prepare('SELECT detections FROM audit_units WHERE audit_id = ? AND condition_pos = ? AND model_pos = ? AND image_pos = ?')
      .get(id, conditionPos, modelPos, imagePos) as { detections: Buffer } | undefined;
    return row ? new Uint8Array(row.detections.buffer, row.detections.byteOffset, row.detections.byteLength) : null;
  }

  inputDigests(id: number): { conditionPos: number; imagePos: number; sha256: string }[] {
    return (
      this.db.prepare('SELECT condition_pos, image_pos, sha256 FROM audit_input_digests WHERE audit_id = ? ORDER BY condition_pos, image_pos').all(id) as {
        condition_pos: number;
        image_pos: number;
        sha256: string;
      }[]
    ).map((r) => ({ conditionPos: r.condition_pos, imagePos: r.image_pos, sha256: r.sha256 }));
  }

  /** The cell's scores, replacing earlier ones (re-scoring). */
  saveCell(id: number, modelPos: number, conditionPos: number, stats: CocoStatsDto, perCategory: readonly PerCategoryDto[], record: Uint8Array | null): void {
    this.db.transaction(() => {
      const res = this.db
        .prepare('UPDATE audit_cells SET stats_json = ?, record = ?, scored_at = ? WHERE audit_id = ? AND model_pos = ? AND condition_pos = ?')
        .run(JSON.stringify(stats), record, new Date().toISOString(), id, modelPos, conditionPos);
      if (res.changes !== 1) throw new Error(`audit ${id} has no cell (${modelPos}, ${conditionPos})`);
      this.db.prepare('DELETE FROM audit_cell_categories WHERE audit_id = ? AND model_pos = ? AND condition_pos = ?').run(id, modelPos, conditionPos);
      const row = this.db.prepare(
        'INSERT INTO audit_cell_categories (audit_id, model_pos, condition_pos, category_id, ap, ap50, num_gt, num_dets) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      );
      for (const c of perCategory) row.run(id, modelPos, conditionPos, c.id, c.AP, c.AP50, c.num_gt, c.num_dets);
      this.db.prepare('DELETE FROM audit_results WHERE audit_id = ?').run(id);
    })();
  }

  /** Forgets every score (re-scoring with another class map); units stay. */
  clearScores(id: number): void {
    this.db.transaction(() => {
      this.db.prepare('UPDATE audit_cells SET stats_json = NULL, record = NULL, scored_at = NULL WHERE audit_id = ?').run(id);
      this.db.prepare('DELETE FROM audit_cell_categories WHERE audit_id = ?').run(id);
      this.db.prepare('DELETE FROM audit_results WHERE audit_id = ?').run(id);
    })();
  }

  cellRecords(id: number): { modelPos: number; conditionPos: number; record: Uint8Array | null }[] {
    return (
      this.db.prepare('SELECT model_pos, condition_pos, record FROM audit_cells WHERE audit_id = ? ORDER BY model_pos, condition_pos').all(id) as {
        model_pos: number;
        condition_pos: number;
        record: Buffer | null;
      }[]
    ).map((r) => ({ modelPos: r.model_pos, conditionPos: r.condition_pos, record: r.record ? new Uint8Array(r.record) : null }));
  }

  cells(id: number): AuditCell[] {
    const models = this.models(id);
    const conditions = this.conditions(id);
    return (
      this.db
        .prepare('SELECT model_pos, condition_pos, stats_json FROM audit_cells WHERE audit_id = ? ORDER BY model_pos, condition_pos')
        .all(id) as { model_pos: number; condition_pos: number; stats_json: string | null }[]
    ).map((r) => ({
      modelId: models[r.model_pos].modelId,
      modelPosition: r.model_pos,
      conditionIndex: r.condition_pos,
      corruption: conditions[r.condition_pos].corruption,
      severity: conditions[r.condition_pos].severity,
      stats: r.stats_json ? parseStats(r.stats_json) : null,
    }));
  }

  /** Per (cell, category) rows, filtered and bounded. */
  metrics(filter: {
    id: number;
    modelId?: number;
    corruption?: Condition['corruption'];
    severity?: number;
    categoryId?: number;
    offset: number;
    limit: number;
  }): AuditMetricRow[] {
    const audit = this.get(filter.id);
    const models = this.models(filter.id);
    const conditions = this.conditions(filter.id);
    const modelPos = filter.modelId === undefined ? null : models.find((m) => m.modelId === filter.modelId)?.position ?? -1;
    const wanted = conditions
      .map((c, i) => ({ c, i }))
      .filter(({ c }) => (filter.corruption === undefined || c.corruption === filter.corruption) && (filter.severity === undefined || c.severity === filter.severity))
      .map(({ i }) => i);
    if (!wanted.length || modelPos === -1) return [];
    const labels = models.map((m) => this.labels(m.classMap, audit.datasetId));
    const rows = this.db
      .prepare(
        `SELECT model_pos, condition_pos, category_id, ap, ap50, num_gt, num_dets FROM audit_cell_categories
         WHERE audit_id = ? AND (? IS NULL OR model_pos = ?) AND condition_pos IN (SELECT value FROM json_each(?))
           AND (? IS NULL OR category_id = ?)
         ORDER BY model_pos, condition_pos, category_id LIMIT ? OFFSET ?`,
      )
      .all(
        filter.id,
        modelPos,
        modelPos,
        JSON.stringify(wanted),
        filter.categoryId ?? null,
        filter.categoryId ?? null,
        filter.limit,
        filter.offset,
      ) as { model_pos: number; condition_pos: number; category_id: number; ap: number | null; ap50: number | null; num_gt: number; num_dets: number }[];
    return rows.map((r) => ({
      modelId: models[r.model_pos].modelId,
      modelPosition: r.model_pos,
      conditionIndex: r.condition_pos,
      corruption: conditions[r.condition_pos].corruption,
      severity: conditions[r.condition_pos].severity,
      id: r.category_id,
      name: labels[r.model_pos].get(r.category_id)?.name ?? String(r.category_id),
      AP: r.ap,
      AP50: r.ap50,
      num_gt: r.num_gt,
      num_dets: r.num_dets,
    }));
  }

  /** One cell's per-category rows (what a "cell done" event carries). */
  cellCategories(id: number, modelPos: number, conditionPos: number): PerCategoryDto[] {
    const audit = this.get(id);
    const model = this.models(id)[modelPos];
    const labels = this.labels(model.classMap, audit.datasetId);
    return (
      this.db
        .prepare('SELECT category_id, ap, ap50, num_gt, num_dets FROM audit_cell_categories WHERE audit_id = ? AND model_pos = ? AND condition_pos = ? ORDER BY category_id')
        .all(id, modelPos, conditionPos) as { category_id: number; ap: number | null; ap50: number | null; num_gt: number; num_dets: number }[]
    ).map((r) => ({
      id: r.category_id,
      AP: r.ap,
      AP50: r.ap50,
      num_gt: r.num_gt,
      num_dets: r.num_dets,
      ...(labels.get(r.category_id) ?? { name: String(r.category_id) }),
    }));
  }

  cellStats(id: number, modelPos: number, conditionPos: number): CocoStatsDto | null {
    const row = this.db.prepare('SELECT stats_json FROM audit_cells WHERE audit_id = ? AND model_pos = ? AND condition_pos = ?').get(id, modelPos, conditionPos) as
      | { stats_json: string | null }
      | undefined;
    return row?.stats_json ? parseStats(row.stats_json) : null;
  }

  /** Marks the audit running (first start sets started_at) and clears an old error. */
  markRunning(id: number): void {
    this.db.prepare("UPDATE audits SET status = 'running', error = NULL, started_at = COALESCE(started_at, ?) WHERE id = ?").run(new Date().toISOString(), id);
  }

  setStatus(id: number, status: AuditStatus, error: string | null = null, seconds = 0): void {
    this.db
      .prepare(
        `UPDATE audits SET status = ?, error = ?, seconds = seconds + ?,
           finished_at = CASE WHEN ? IN ('done', 'failed', 'cancelled') THEN ? ELSE finished_at END WHERE id = ?`,
      )
      .run(status, error, seconds, status, new Date().toISOString(), id);
  }

  setProvenance(id: number, provenance: Provenance): void {
    this.db.prepare('UPDATE audits SET provenance_json = ? WHERE id = ?').run(JSON.stringify(provenance), id);
  }

  setModelProvider(id: number, position: number, executionProvider: string, requested: string | null, warning: string | null): void {
    this.db
      .prepare('UPDATE audit_models SET execution_provider = ?, requested_provider = ?, provider_warning = ? WHERE audit_id = ? AND position = ?')
      .run(executionProvider, requested, warning, id, position);
  }

  setClassMap(id: number, position: number, classMap: ClassMap): void {
    this.db.prepare('UPDATE audit_models SET class_map_json = ? WHERE audit_id = ? AND position = ?').run(JSON.stringify(classMap), id, position);
  }

  /** Audits left `running` by a process that died: interrupted, resumable. Returns their ids. */
  interruptRunning(message: string): number[] {
    const ids = (this.db.prepare("SELECT id FROM audits WHERE status = 'running'").all() as { id: number }[]).map((r) => r.id);
    this.db.prepare("UPDATE audits SET status = 'interrupted', error = ? WHERE status = 'running'").run(message);
    return ids;
  }

  saveResult(id: number, key: string, json: string): void {
    this.db
      .prepare('INSERT OR REPLACE INTO audit_results (audit_id, options_key, result_json, created_at) VALUES (?, ?, ?, ?)')
      .run(id, key, json, new Date().toISOString());
  }

  result(id: number, key: string): string | null {
    const row = this.db.prepare('SELECT result_json FROM audit_results WHERE audit_id = ? AND options_key = ?').get(id, key) as
      | { result_json: string }
      | undefined;
    return row?.result_json ?? null;
  }

  /** Detections of a legacy (migrated) evaluation, already by category. */
  /**
   * Names of a model's evaluation categories under its class map, by evaluation category
   * id; a merge lists its dataset categories, an ignore rule the categories it ignores.
   */
  private labels(classMap: ClassMap, datasetId: number): Map<number, Pick<PerCategoryDto, 'name' | 'datasetCategories' | 'ignoring'>> {
    const categories = this.datasetCategories(datasetId);
    const names = new Map(categories.map((c) => [c.id, c.name]));
    const named = (ids: readonly number[]): string[] => ids.map((d) => names.get(d) ?? String(d));
    const out = new Map<number, Pick<PerCategoryDto, 'name' | 'datasetCategories' | 'ignoring'>>();
    for (const c of categories) out.set(c.id, { name: c.name });
    for (const c of scoringLayout(classMap, categories).categories) {
      out.set(c.id, {
        name: c.name,
        ...(c.datasetCategories.length > 1 ? { datasetCategories: named(c.datasetCategories) } : {}),
        ...(c.ignore.length > 0 ? { ignoring: named(c.ignore) } : {}),
      });
    }
    return out;
  }

  private datasetCategories(datasetId: number): CategoryRef[] {
    return this.db.prepare('SELECT id, name FROM categories WHERE dataset_id = ? ORDER BY id').all(datasetId) as CategoryRef[];
  }

  private categoriesOf(auditId: number): CategoryRef[] {
    const row = this.db.prepare('SELECT dataset_id FROM audits WHERE id = ?').get(auditId) as { dataset_id: number } | undefined;
    return row ? this.datasetCategories(row.dataset_id) : [];
  }

  legacyDetections(
    id: number,
    imageId?: number,
  ): { imageId: number; categoryId: number | null; classIndex: number | null; bbox: [number, number, number, number]; score: number }[] {
    const columns = 'SELECT image_id, category_id, class_index, x, y, w, h, score FROM legacy_detections';
    const rows = (
      imageId === undefined
        ? this.db.prepare(`${columns} WHERE audit_id = ? ORDER BY rowid`).all(id)
        : this.db.prepare(`${columns} WHERE audit_id = ? AND image_id = ? ORDER BY rowid`).all(id, imageId)
    ) as { image_id: number; category_id: number | null; class_index: number | null; x: number; y: number; w: number; h: number; score: number }[];
    return rows.map((r) => ({ imageId: r.image_id, categoryId: r.category_id, classIndex: r.class_index, bbox: [r.x, r.y, r.w, r.h], score: r.score }));
  }
}

function parseStats(json: string): CocoStatsDto {
  const raw = JSON.parse(json) as Record<string, number | null>;
  // a legacy row may lack a stat; -1 is pycocotools' "not computable"
  const filled = Object.fromEntries(Object.keys(cocoStatsSchema.shape).map((k) => [k, raw[k] ?? -1]));
  return cocoStatsSchema.parse(filled);
}

function toRow(r: RawAuditRow): AuditRow {
  const plan = JSON.parse(r.plan_json) as Partial<AuditSettings>;
  return {
    id: r.id,
    kind: r.kind,
    name: r.name,
    datasetId: r.dataset_id,
    datasetName: r.dataset_name,
    datasetHash: r.dataset_hash,
    status: r.status,
    seed: r.seed,
    sample: r.sample,
    settings: {
      executionProvider: plan.executionProvider ?? null,
      threads: plan.threads ?? null,
      batchSize: plan.batchSize ?? null,
      workers: plan.workers ?? null,
      recordInputDigests: plan.recordInputDigests ?? false,
    },
    fingerprint: r.fingerprint,
    provenance: r.provenance_json ? provenanceSchema.parse(JSON.parse(r.provenance_json)) : null,
    toolVersion: r.tool_version,
    unitsTotal: r.units_total,
    createdAt: r.created_at,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    seconds: r.seconds,
    error: r.error,
    legacy: r.legacy === 1,
  };
}

export type { AuditSummary };
