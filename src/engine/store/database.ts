/**
 * Opening the store: one better-sqlite3 connection per engine (the only writer),
 * WAL so readers never block it, foreign keys on, 16 KiB pages for new stores, and
 * migrations applied on open.
 *
 * better-sqlite3 is a native module that is not ABI-stable: under Electron the engine
 * host passes the path of a build made for Electron's ABI (nativeBinding); under
 * Node the package's own build is used.
 */
import Database from 'better-sqlite3';
import { MIGRATIONS, type Migration } from './migrations';

export type Db = Database.Database;

export interface OpenOptions {
  nativeBinding?: string;
  migrations?: readonly Migration[];
}

export function openDatabase(file: string, options: OpenOptions = {}): Db {
  const db = new Database(file, options.nativeBinding ? { nativeBinding: options.nativeBinding } : {});
  // 16 KiB pages for a new store (an existing one keeps its own): a unit's packed
  // detections (about 2.2 KB for 100) then fit in a B-tree page of audit_units with six
  // others, where 4 KiB pages would spill each into a mostly empty overflow page
  db.pragma('page_size = 16384');
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  db.pragma('synchronous = NORMAL');
  try {
    migrate(db, options.migrations ?? MIGRATIONS);
  } catch (err) {
    // A refused or failed store must not stay open (and locked) behind the error.
    db.close();
    throw err;
  }
  return db;
}

export function schemaVersion(db: Db): number {
  db.exec('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL, applied_at TEXT NOT NULL)');
  const row = db.prepare('SELECT MAX(version) AS v FROM schema_version').get() as { v: number | null };
  return row.v ?? 0;
}

/** Applies every migration above the store's version, each in its own transaction. */
export function migrate(db: Db, migrations: readonly Migration[]): number {
  let current = schemaVersion(db);
  const newest = migrations.length ? migrations[migrations.length - 1].version : 0;
  if (current > newest) {
    throw new Error(`the store is at schema version ${current}, newer than this Odra (${newest}); update Odra`);
  }
  for (const m of migrations) {
    if (m.version <= current) continue;
    if (m.version !== current + 1) throw new Error(`migration ${m.version} does not follow version ${current}`);
    try {
      db.transaction(() => {
        db.exec(m.sql);
        db.prepare('INSERT INTO schema_version (version, applied_at) VALUES (?, ?)').run(m.version, new Date().toISOString());
      })();
    } catch (err) {
      throw new Error(`store migration ${m.version} (${m.description}) failed and was rolled back; the store stays at version ${current}: ${(err as Error).message}`);
    }
    current = m.version;
  }
  return current;
}
