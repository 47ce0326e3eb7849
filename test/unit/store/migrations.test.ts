import { existsSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrate, openDatabase, schemaVersion, type Db } from '../../../src/engine/store/database';
import { MIGRATIONS, type Migration } from '../../../src/engine/store/migrations';
import { EvaluationRepo } from '../../../src/engine/evaluations/evaluation-repo';
import { classMapSchema } from '../../../src/shared/schemas';
import { makeTempDir, removeDir } from '../../helpers/broken-datasets';

const NEWEST = MIGRATIONS[MIGRATIONS.length - 1].version;
const EXPECTED_TABLES = ['annotations', 'categories', 'class_maps', 'datasets', 'detections', 'evaluations', 'images', 'metrics', 'models', 'schema_version'];

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

  it('refuses a migration list with a gap', () => {
    const gap: Migration[] = [
      { version: 1, description: 'one', sql: 'CREATE TABLE one (x INTEGER)' },
      { version: 3, description: 'three', sql: 'CREATE TABLE three (x INTEGER)' },
    ];
    expect(() => openDatabase(file, { migrations: gap })).toThrow(/migration 3 does not follow version 1/);
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
    const db = openDatabase(file);
    try {
      expect(schemaVersion(db)).toBe(NEWEST);
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
      // an evaluation recorded in the first format still reads, as it ran
      const repo = new EvaluationRepo(db);
      const ev = repo.get(1);
      expect(ev.classMap.categories.map((c) => [c.name, c.modelClasses])).toEqual([
        ['Car', ['car']],
        ['Van', ['car']],
        ['Pedestrian', []],
      ]);
      expect(ev.perCategory).toEqual([{ id: 2, name: 'Van', AP: 0.02, AP50: null, num_gt: 20, num_dets: 0 }]);
      expect(repo.detections(1, 7).map((d) => [d.categoryId, d.classIndex])).toEqual([
        [1, null],
        [2, null],
        [null, 0],
      ]);
      expect(repo.recordedScoring(1).classNames).toEqual(['person', 'car']);
      db.prepare('DELETE FROM evaluations WHERE id = 1').run();
      expect(db.prepare('SELECT COUNT(*) AS n FROM detections').get()).toEqual({ n: 0 });
    } finally {
      db.close();
    }
  });
});
