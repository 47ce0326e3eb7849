/**
 * Opening the store: one better-sqlite3 connection per engine (the only writer),
 * WAL so readers never block it, foreign keys on, 16 KiB pages for new stores, and
 * migrations applied on open.
 *
 * better-sqlite3 is a native module that is not ABI-stable: under Electron the engine
 * host passes the path of a build made for Electron's ABI (nativeBinding); under
 * Node the package's own build is used.
 *
 * A store path that cannot work is a BAD_INPUT naming it and the problem, checked before
 * SQLite touches it and again on SQLite's own refusal (storeProblem): its folder missing,
 * a folder or FIFO in its place, a file that is not an SQLite database, a read-only file
 * or folder. ':memory:' (and '') is SQLite's in-memory store.
 */
import { closeSync, openSync, readSync, statSync, type Stats } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { kindOf, kindProblem } from '../../platform/node/files';
import { OdraError } from '../../shared/errors';
import { MIGRATIONS, type Migration } from './migrations';

export type Db = Database.Database;

export interface OpenOptions {
  nativeBinding?: string;
  migrations?: readonly Migration[];
}

const SQLITE_MAGIC = 'SQLite format 3\0';

function storeError(file: string, problem: string): OdraError {
  return new OdraError('BAD_INPUT', `the store ${file} cannot be used: ${problem}`, { file, problems: [{ file, problem }] });
}

/** What is wrong with `file` as a store before SQLite opens it, in words; null when nothing is seen. */
export function storeProblem(file: string): string | null {
  if (file === ':memory:' || file === '') return null;
  const dir = path.dirname(path.resolve(file));
  const parent = kindOf(statOrNull(dir));
  if (parent === 'missing') return `its folder ${dir} does not exist (create it, or choose another place)`;
  if (parent !== 'directory') return `${dir} is not a folder`;
  const kind = kindOf(statOrNull(file));
  if (kind === 'missing') return null;
  if (kind === 'directory') return `it is a folder; give a file name inside it (e.g. ${path.join(file, 'odra.db')})`;
  if (kind !== 'file') return `it ${kindProblem(kind)}`;
  const head = Buffer.alloc(16);
  let read = 0;
  try {
    const fd = openSync(file, 'r');
    try {
      read = readSync(fd, head, 0, 16, 0);
    } finally {
      closeSync(fd);
    }
  } catch (err) {
    return `it cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`;
  }
  if (read > 0 && head.subarray(0, read).toString('latin1') !== SQLITE_MAGIC.slice(0, read)) return 'it is not an Odra store (not an SQLite database)';
  return null;
}

function statOrNull(p: string): Stats | null {
  try {
    return statSync(p);
  } catch {
    return null;
  }
}

/** SQLite's refusal in words, for the errors a user's path can cause. */
function sqliteProblem(err: unknown): string | null {
  const code = (err as { code?: unknown }).code;
  if (typeof code !== 'string') return null;
  if (code.startsWith('SQLITE_READONLY')) return 'it is read-only (the file, its folder or the file system): choose a writable place';
  if (code.startsWith('SQLITE_CANTOPEN')) return 'SQLite cannot open or create it there (a read-only or missing folder?)';
  if (code === 'SQLITE_NOTADB') return 'it is not an Odra store (not an SQLite database)';
  if (code === 'SQLITE_CORRUPT') return 'it is damaged (SQLite reports corruption)';
  if (code === 'SQLITE_FULL') return 'the disk is full';
  if (code.startsWith('SQLITE_IOERR')) return `reading or writing it failed (${code})`;
  return null;
}

export function openDatabase(file: string, options: OpenOptions = {}): Db {
  const before = storeProblem(file);
  if (before) throw storeError(file, before);
  let db: Db;
  try {
    db = new Database(file, options.nativeBinding ? { nativeBinding: options.nativeBinding } : {});
  } catch (err) {
    const problem = sqliteProblem(err) ?? (err instanceof TypeError ? (err as Error).message : null);
    if (problem) throw storeError(file, problem);
    throw err;
  }
  try {
    // 16 KiB pages for a new store (an existing one keeps its own): a unit's packed
    // detections (about 2.2 KB for 100) then fit in a B-tree page of audit_units with six
    // others, where 4 KiB pages would spill each into a mostly empty overflow page
    db.pragma('page_size = 16384');
    db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    db.pragma('synchronous = NORMAL');
    migrate(db, options.migrations ?? MIGRATIONS);
  } catch (err) {
    // A refused or failed store must not stay open (and locked) behind the error.
    db.close();
    const problem = sqliteProblem(err);
    if (problem) throw storeError(file, problem);
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
