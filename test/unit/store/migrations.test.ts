import { existsSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrate, openDatabase, schemaVersion, type Db } from '../../../src/engine/store/database';
import { MIGRATIONS, type Migration } from '../../../src/engine/store/migrations';
import { AuditRepo } from '../../../src/engine/audits/audit-repo';
import { EvaluationView } from '../../../src/engine/audits/evaluation-view';
import { DatasetRepo } from '../../../src/engine/datasets/dataset-repo';
import { classMapSchema } from '../../../src/shared/schemas';
import { makeTempDir, removeDir } from '../../helpers/broken-datasets';

const NEWEST = MIGRATIONS[MIGRATIONS.length - 1].version;
const EXPECTED_TABLES = [
  'annotations',
  'attribute_index',
  'audit_cell_categories',
  'audit_cells',
  'audit_conditions',
  'audit_images',
  'audit_input_digests',
  'audit_models',
  'audit_results',
  'audit_units',
  'audits',
  'categories',
  'class_maps',
  'datasets',
  'file_checks',
  'images',
  'legacy_detections',
  'models',
  'schema_version',
];

function tables(db: Db): string[] {
  return (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[]).map((r) => r.name);
}

function versionRows(db: Db): { version: number; applied_at: string }[] {
  return db.prepare('SELECT version, applied_at FROM schema_version ORDER BY version').all() as { version: number; applied_at: string }[];
}

describe('store migrations', () => {
  let dir: string;
  let file: string;
  const open: Db[] = [];
  const track = (db: Db): Db => {
    open.push(db);
    return db;
  };

  beforeEach(async () => {
    dir = await makeTempDir('store');
    file = path.join(dir, 'odra.db');
  });
  afterEach(async () => {
    for (const db of open.splice(0)) if (db.open) db.close();
    await removeDir(dir);
  });

  it('migrations are numbered 1..n without gaps', () => {
    expect(MIGRATIONS.map((m) => m.version)).toEqual(MIGRATIONS.map((_, i) => i + 1));
  });

  it('creates the schema and records every version on a new store', () => {
    const db = track(openDatabase(file));
    expect(tables(db)).toEqual(EXPECTED_TABLES);
    expect(schemaVersion(db)).toBe(NEWEST);
    expect(versionRows(db).map((r) => r.version)).toEqual(MIGRATIONS.map((m) => m.version));
    // the schema is the one the repos write to: a dataset row and a category referencing it
    db.prepare("INSERT INTO datasets (name, root, format, content_hash, info_json, created_at) VALUES ('d', '/r', 'coco', 'h', '{}', 't')").run();
    db.prepare("INSERT INTO categories (dataset_id, id, name) VALUES (1, 1, 'car')").run();
    expect(() => db.prepare("INSERT INTO categories (dataset_id, id, name) VALUES (99, 1, 'car')").run()).toThrow(/FOREIGN KEY/);
  });

  it('turns on WAL and foreign keys', () => {
    const db = track(openDatabase(file));
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(existsSync(`${file}-wal`)).toBe(true);
  });

  it('reopening a current store changes nothing and keeps the data', () => {
    const first = track(openDatabase(file));
    first.prepare("INSERT INTO datasets (name, root, format, content_hash, info_json, created_at) VALUES ('d', '/r', 'coco', 'h', '{}', 't')").run();
    const before = versionRows(first);
    first.close();
    const again = track(openDatabase(file));
    expect(versionRows(again)).toEqual(before);
    expect(again.prepare('SELECT name FROM datasets').all()).toEqual([{ name: 'd' }]);
    expect(migrate(again, MIGRATIONS)).toBe(NEWEST);
    expect(versionRows(again)).toEqual(before);
  });

  it('refuses a store written by a newer Odra, with a clear message, and leaves it as it was', () => {
    const db = track(openDatabase(file));
    db.prepare('INSERT INTO schema_version (version, applied_at) VALUES (?, ?)').run(NEWEST + 7, 'future');
    db.close();
    expect(() => openDatabase(file)).toThrow(new RegExp(`schema version ${NEWEST + 7}, newer than this Odra \\(${NEWEST}\\); update Odra`));
    const raw = track(new Database(file, { readonly: true }));
    expect(raw.prepare('SELECT MAX(version) AS v FROM schema_version').get()).toEqual({ v: NEWEST + 7 });
  });

  it('closes the connection when it refuses a store (the file is not left locked)', () => {
    const db = track(openDatabase(file));
    db.prepare('INSERT INTO schema_version (version, applied_at) VALUES (?, ?)').run(NEWEST + 1, 'future');
    db.close();
    expect(() => openDatabase(file)).toThrow(/newer than this Odra/);
    // leaving WAL needs the only connection: it fails while a leaked one is still open
    const raw = track(new Database(file));
    expect(raw.pragma('journal_mode = DELETE', { simple: true })).toBe('delete');
  });

  it('rolls back a failing migration and leaves the version where it was', () => {
    track(openDatabase(file)).close();
    const bad: Migration[] = [
      ...MIGRATIONS,
      {
        version: NEWEST + 1,
        description: 'half-good migration',
        sql: 'CREATE TABLE half_done (x INTEGER); ALTER TABLE datasets ADD COLUMN extra TEXT; INSERT INTO no_such_table VALUES (1);',
      },
    ];
    expect(() => openDatabase(file, { migrations: bad })).toThrow(
      new RegExp(`migration ${NEWEST + 1} \\(half-good migration\\) failed and was rolled back; the store stays at version ${NEWEST}: .*no such table: no_such_table`),
    );
    const db = track(openDatabase(file));
    expect(schemaVersion(db)).toBe(NEWEST);
    expect(tables(db)).toEqual(EXPECTED_TABLES);
    const columns = (db.prepare('PRAGMA table_info(datasets)').all() as { name: string }[]).map((c) => c.name);
    expect(columns).not.toContain('extra');
  });

  it('applies the migrations before a failing one on a new store and stops there', () => {
    const list: Migration[] = [
      { version: 1, description: 'one', sql: 'CREATE TABLE one (x INTEGER)' },
      { version: 2, description: 'two', sql: 'CREATE TABLE two (x INTEGER)' },
      { version: 3, description: 'three', sql: 'CREATE TABLE three (x INTEGER); SELECT * FROM nowhere' },
    ];
    expect(() => openDatabase(file, { migrations: list })).toThrow(/migration 3 \(three\) failed.*stays at version 2/);
    const raw = track(new Database(file));
    expect(tables(raw)).toEqual(['one', 'schema_version', 'two']);
    expect(schemaVersion(raw)).toBe(2);
  });

  it('applies only the new migrations to an older store, in order', () => {
    track(openDatabase(file)).close();
    const next: Migration[] = [
      ...MIGRATIONS,
      { version: NEWEST + 1, description: 'add a note column', sql: 'ALTER TABLE datasets ADD COLUMN note TEXT' },
      { version: NEWEST + 2, description: 'fill it', sql: "UPDATE datasets SET note = 'n'" },
    ];
    const db = track(openDatabase(file, { migrations: next }));
    expect(versionRows(db).map((r) => r.version)).toEqual(next.map((m) => m.version));
    const columns = (db.prepare('PRAGMA table_info(datasets)').all() as { name: string }[]).map((c) => c.name);
    expect(columns).toContain('note');
  });

  it('the dataset-summary migration fills the counts of datasets stored before it and keeps them visible', () => {
    const before = MIGRATIONS.findIndex((m) => m.sql.includes('box_count'));
    expect(before).toBeGreaterThan(0);
    const old = track(openDatabase(file, { migrations: MIGRATIONS.slice(0, before) }));
    old.prepare("INSERT INTO datasets (name, root, format, content_hash, info_json, created_at) VALUES ('d', '/r', 'coco', 'h', '{}', 't')").run();
    old.prepare("INSERT INTO categories (dataset_id, id, name) VALUES (1, 1, 'car'), (1, 2, 'bus')").run();
    old.prepare('INSERT INTO images (dataset_id, id, file_name, width, height, sha256) VALUES (1, 1, ?, 10, 10, ?), (1, 2, ?, 10, 10, ?)').run('a.jpg', 'x', 'b.jpg', 'y');
    const ann = old.prepare('INSERT INTO annotations (dataset_id, id, image_id, category_id, x, y, w, h, area, iscrowd) VALUES (1, ?, ?, ?, 0, 0, 1, 1, 1, 0)');
    for (const [id, image, category] of [[1, 1, 1], [2, 1, 1], [3, 2, 1], [4, 2, 2]]) ann.run(id, image, category);
    old.close();
    const db = track(openDatabase(file));
    expect(db.prepare('SELECT state, image_count, annotation_count, attributes_json, attributes_indexed FROM datasets').get()).toEqual({
      state: 'ready',
      image_count: 2,
      annotation_count: 4,
      attributes_json: null,
      attributes_indexed: 0,
    });
    expect(db.prepare('SELECT id, box_count FROM categories ORDER BY id').all()).toEqual([
      { id: 1, box_count: 3 },
      { id: 2, box_count: 1 },
    ]);
  });

  it('refuses a migration list with a gap', () => {
    const gap: Migration[] = [
      { version: 1, description: 'one', sql: 'CREATE TABLE one (x INTEGER)' },
      { version: 3, description: 'three', sql: 'CREATE TABLE three (x INTEGER)' },
    ];
    expect(() => openDatabase(file, { migrations: gap })).toThrow(/migration 3 does not follow version 1/);
  });

  it('turns each evaluation of a version-3 store into a clean audit with the same id and numbers', () => {
    const v3 = track(openDatabase(file, { migrations: MIGRATIONS.slice(0, 3) }));
    v3.exec(`
      INSERT INTO datasets (id, name, root, format, content_hash, info_json, created_at) VALUES (1, 'kitti', '/d', 'coco', 'h', '{}', 't0');
      INSERT INTO categories (dataset_id, id, name) VALUES (1, 1, 'Car'), (1, 2, 'Van');
      INSERT INTO images (dataset_id, id, file_name, width, height, sha256) VALUES (1, 10, 'a.png', 8, 8, 's'), (1, 4, 'b.png', 8, 8, 's');
      INSERT INTO models (id, name, path, sha256, file_size, io_json, adapter_json, adapter_source, detect_confidence, detect_reason, created_at)
        VALUES (1, 'm', '/m.onnx', 'ms', 1, '{}', '{"family":"yolox"}', 'auto', 1, 'r', 't0');
      INSERT INTO evaluations (id, model_id, dataset_id, status, params_json, tool_version, execution_provider, started_at, finished_at, seconds, requested_provider)
        VALUES (7, 1, 1, 'done', '{"classMap":{"1":["car"],"2":[]},"unmappedCategories":["Van"],"threads":2,"adapter":{"family":"yolox","classNames":["car"]}}', '0.1.0', 'cpu', 't1', 't2', 3.5, 'cpu'),
               (8, 1, 1, 'running', '{"classMap":{"1":["car"]}}', '0.1.0', NULL, 't3', NULL, NULL, NULL);
      INSERT INTO metrics (evaluation_id, category_id, metric, value) VALUES
        (7, NULL, 'AP', 0.5), (7, NULL, 'AP50', 0.75), (7, 1, 'AP', 0.5), (7, 1, 'AP50', 0.75), (7, 1, 'num_gt', 3), (7, 1, 'num_dets', 4);
      INSERT INTO detections (evaluation_id, image_id, category_id, x, y, w, h, score) VALUES (7, 10, 1, 1, 2, 3, 4, 0.9), (8, 4, 1, 1, 1, 1, 1, 0.1);
    `);
    v3.close();
    const db = track(openDatabase(file));
    expect(db.prepare('SELECT id, kind, status, legacy, units_total, seconds, error FROM audits ORDER BY id').all()).toEqual([
      { id: 7, kind: 'evaluation', status: 'done', legacy: 1, units_total: 2, seconds: 3.5, error: null },
      { id: 8, kind: 'evaluation', status: 'interrupted', legacy: 1, units_total: 2, seconds: 0, error: 'the evaluation was still running when Odra stopped' },
    ]);
    expect(db.prepare('SELECT audit_id, position, image_id FROM audit_images WHERE audit_id = 7 ORDER BY position').all()).toEqual([
      { audit_id: 7, position: 0, image_id: 4 },
      { audit_id: 7, position: 1, image_id: 10 },
    ]);
    expect(db.prepare("SELECT corruption, severity FROM audit_conditions WHERE audit_id = 8").all()).toEqual([{ corruption: 'clean', severity: 0 }]);
    const model = db.prepare('SELECT baseline, class_map_json, adapter_json, execution_provider FROM audit_models WHERE audit_id = 7').get() as Record<string, unknown>;
    expect(model.baseline).toBe(1);
    expect(JSON.parse(model.class_map_json as string)).toEqual({ 1: ['car'], 2: [] });
    expect(JSON.parse(model.adapter_json as string)).toEqual({ family: 'yolox', classNames: ['car'] });
    const cells = db.prepare('SELECT audit_id, units_done, stats_json FROM audit_cells ORDER BY audit_id').all() as { audit_id: number; units_done: number; stats_json: string | null }[];
    expect(cells.map((c) => [c.audit_id, c.units_done])).toEqual([
      [7, 2],
      [8, 0],
    ]);
    expect(JSON.parse(cells[0].stats_json!)).toEqual({ AP: 0.5, AP50: 0.75 });
    expect(cells[1].stats_json).toBeNull();
    expect(db.prepare('SELECT category_id, ap, ap50, num_gt, num_dets FROM audit_cell_categories WHERE audit_id = 7').all()).toEqual([
      { category_id: 1, ap: 0.5, ap50: 0.75, num_gt: 3, num_dets: 4 },
    ]);
    // the running evaluation's partial detections are dropped; the finished one's are kept
    expect(db.prepare('SELECT audit_id, image_id, score FROM legacy_detections ORDER BY audit_id').all()).toEqual([{ audit_id: 7, image_id: 10, score: 0.9 }]);
    expect(db.pragma('foreign_key_check')).toEqual([]);
    // deleting the model deletes the audits it took part in, with their rows
    db.prepare('DELETE FROM models WHERE id = 1').run();
    expect(db.prepare('SELECT COUNT(*) AS n FROM audits').get()).toEqual({ n: 0 });
    expect(db.prepare('SELECT COUNT(*) AS n FROM legacy_detections').get()).toEqual({ n: 0 });
  });

  it('works in memory too (the CLI default)', () => {
    const db = track(openDatabase(':memory:'));
    expect(tables(db)).toEqual(EXPECTED_TABLES);
    expect(schemaVersion(db)).toBe(NEWEST);
  });
});

describe('store migration 4: class maps in format 2, every detection with its model class', () => {
  let dir: string;
  let file: string;

  beforeEach(async () => {
    dir = await makeTempDir('store-v4');
    file = path.join(dir, 'odra.db');
  });
  afterEach(async () => {
    await removeDir(dir);
  });

  /** A store at version 3 with a saved first-format map (one-to-many, as the old suggestion made it) and an evaluation. */
  function version3Store(): void {
    const db = openDatabase(file, { migrations: MIGRATIONS.filter((m) => m.version <= 3) });
    db.prepare(
      `INSERT INTO models (id, name, path, sha256, file_size, io_json, adapter_json, adapter_source, detect_confidence, detect_reason, created_at)
       VALUES (1, 'm', '/m.onnx', 'abc', 1, '{}', ?, 'auto', 1, 'r', 't')`,
    ).run(JSON.stringify({ classNames: ['person', 'car'] }));
    db.prepare("INSERT INTO datasets (id, name, root, format, content_hash, info_json, created_at) VALUES (1, 'kitti', '/k', 'kitti', 'h', '{}', 't')").run();
    for (const [id, name] of [[1, 'Car'], [2, 'Van'], [3, 'Pedestrian']] as const) {
      db.prepare('INSERT INTO categories (dataset_id, id, name) VALUES (1, ?, ?)').run(id, name);
    }
    db.prepare("INSERT INTO class_maps (model_id, dataset_id, map_json, updated_at) VALUES (1, 1, ?, 't')").run(
      JSON.stringify({ '1': ['car'], '2': ['car'], '3': [] }),
    );
    db.prepare(
      `INSERT INTO evaluations (id, model_id, dataset_id, status, params_json, tool_version, started_at, finished_at, seconds)
       VALUES (1, 1, 1, 'done', ?, '0.1.0', 't', 't', 1.5)`,
    ).run(JSON.stringify({ classMap: { '1': ['car'], '2': ['car'], '3': [] }, unmappedCategories: ['Pedestrian'], threads: null, adapter: { classNames: ['person', 'car'] } }));
    const det = db.prepare('INSERT INTO detections (evaluation_id, image_id, category_id, x, y, w, h, score) VALUES (1, 7, ?, 1, 2, 3, 4, 0.5)');
    det.run(1);
    det.run(2);
    db.prepare("INSERT INTO metrics (evaluation_id, category_id, metric, value) VALUES (1, NULL, 'AP', 0.25), (1, 2, 'AP', 0.02), (1, 2, 'num_gt', 20)").run();
    db.close();
  }

  it('converts saved maps without changing what they say (a one-to-many one stays so, to be refused), keeps old detections', () => {
    version3Store();
    const db = openDatabase(file, { migrations: MIGRATIONS.filter((m) => m.version <= 4) });
    try {
      expect(schemaVersion(db)).toBe(4);
      const { map_json } = db.prepare('SELECT map_json FROM class_maps').get() as { map_json: string };
      const map = classMapSchema.parse(JSON.parse(map_json));
      expect(map).toEqual({
        version: 2,
        categories: [
          { name: 'Car', datasetCategories: [1], modelClasses: ['car'], ignore: [] },
          { name: 'Van', datasetCategories: [2], modelClasses: ['car'], ignore: [] },
          { name: 'Pedestrian', datasetCategories: [3], modelClasses: [], ignore: [] },
        ],
      });
      const rows = db.prepare('SELECT evaluation_id, image_id, category_id, class_index, x, score FROM detections ORDER BY rowid').all();
      expect(rows).toEqual([
        { evaluation_id: 1, image_id: 7, category_id: 1, class_index: null, x: 1, score: 0.5 },
        { evaluation_id: 1, image_id: 7, category_id: 2, class_index: null, x: 1, score: 0.5 },
      ]);
      // the rebuilt table keeps its index and its cascade, and takes unscored detections
      expect(db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'detections'").all()).toEqual([{ name: 'detections_by_image' }]);
      db.prepare('INSERT INTO detections (evaluation_id, image_id, category_id, class_index, x, y, w, h, score) VALUES (1, 7, NULL, 0, 1, 1, 1, 1, 0.2)').run();
    } finally {
      db.close();
    }
  });

  it('an evaluation recorded in the first format reads, as it ran, once it is a clean audit (migration 6)', () => {
    version3Store();
    const v4 = openDatabase(file, { migrations: MIGRATIONS.filter((m) => m.version <= 4) });
    // an audit reads its models' adapters in full (the version-3 fixture records only the class names)
    const adapter = {
      family: 'yolox',
      input: { name: 'images', width: 416, height: 416, layout: 'NCHW' },
      preprocessing: { resize: 'letterbox', align: 'top-left', padValue: 114, channelOrder: 'BGR', scale: 1, mean: [0, 0, 0], std: [1, 1, 1] },
      postprocessing: { scoreThreshold: 0.25, nmsIou: 0.45, classAware: true, maxDetections: 100 },
      strides: [8, 16, 32],
      outputs: { combined: 'output' },
      classNames: ['person', 'car'],
    };
    v4.prepare("UPDATE evaluations SET params_json = json_set(params_json, '$.adapter', json(?))").run(JSON.stringify(adapter));
    v4.prepare('INSERT INTO detections (evaluation_id, image_id, category_id, class_index, x, y, w, h, score) VALUES (1, 7, NULL, 0, 1, 1, 1, 1, 0.2)').run();
    v4.close();
    const db = openDatabase(file);
    try {
      expect(schemaVersion(db)).toBe(NEWEST);
      const audits = new AuditRepo(db);
      const view = new EvaluationView(audits, new DatasetRepo(db));
      const ev = view.get(1);
      expect(ev.classMap.categories.map((c) => [c.name, c.modelClasses])).toEqual([
        ['Car', ['car']],
        ['Van', ['car']],
        ['Pedestrian', []],
      ]);
      expect(ev.perCategory).toEqual([{ id: 2, name: 'Van', AP: 0.02, AP50: null, num_gt: 20, num_dets: 0 }]);
      expect(view.detections(1, 7).map((d) => [d.categoryId, d.classIndex])).toEqual([
        [1, null],
        [2, null],
        [null, 0],
      ]);
      expect(view.recordedScoring(1).classNames).toEqual(['person', 'car']);
      db.prepare('DELETE FROM audits WHERE id = 1').run();
      expect(db.prepare('SELECT COUNT(*) AS n FROM legacy_detections').get()).toEqual({ n: 0 });
    } finally {
      db.close();
    }
  });
});
