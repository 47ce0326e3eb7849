/**
 * Before a run, every model file and dataset image of the audit is checked to still be
 * the bytes it was imported as, so a result always describes the bytes it names:
 *
 *   not a regular file (missing, a folder, a FIFO)   -> BAD_INPUT naming it (never opened)
 *   size and mtime as recorded in file_checks        -> trusted (no read)
 *   otherwise                                        -> re-hashed (SHA-256, streamed);
 *       the expected hash -> recorded in file_checks; another hash -> BAD_INPUT naming the
 *       file ("changed since it was imported: re-import it")
 *
 * The first run over a dataset hashes every image once (import did not record mtimes);
 * later runs only stat them. Checks run a few at a time on libuv threads, so the engine
 * keeps answering requests meanwhile.
 */
import { stat } from 'node:fs/promises';
import { badInput } from '../../shared/errors';
import { sha256File } from '../images/file-hash';
import type { Db } from '../store/database';

export interface FileToVerify {
  path: string;
  sha256: string;
  /** what the file is, for the message: "model yolox_nano", "image 000010.png of kitti" */
  what: string;
}

const CONCURRENCY = 8;

export async function verifyFiles(
  db: Db,
  files: readonly FileToVerify[],
  onProgress?: (done: number, total: number) => void,
  signal?: AbortSignal,
): Promise<void> {
  const known = db.prepare('SELECT size, mtime_ms, sha256 FROM file_checks WHERE path = ?');
  const record = db.prepare('INSERT OR REPLACE INTO file_checks (path, size, mtime_ms, sha256, checked_at) VALUES (?, ?, ?, ?, ?)');
  let next = 0;
  let done = 0;
  const problems: { file: string; problem: string }[] = [];
  const worker = async (): Promise<void> => {
    while (next < files.length && problems.length === 0) {
      signal?.throwIfAborted();
      const f = files[next++];
      const s = await stat(f.path).catch(() => null);
      if (!s) {
        problems.push({ file: f.path, problem: `${f.what} is missing (moved or deleted since it was imported)` });
        break;
      }
      if (!s.isFile()) {
        problems.push({ file: f.path, problem: `${f.what} is not a regular file` });
        break;
      }
      const seen = known.get(f.path) as { size: number; mtime_ms: number; sha256: string } | undefined;
      if (!(seen && seen.size === s.size && seen.mtime_ms === s.mtimeMs && seen.sha256 === f.sha256)) {
        const actual = await sha256File(f.path);
        if (actual !== f.sha256) {
          problems.push({
            file: f.path,
            problem: `${f.what} changed since it was imported (sha256 ${f.sha256.slice(0, 12)}…, now ${actual.slice(0, 12)}…): re-import it`,
          });
          break;
        }
        record.run(f.path, s.size, s.mtimeMs, actual, new Date().toISOString());
      }
      done++;
      onProgress?.(done, files.length);
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, files.length) }, worker));
  if (problems.length) throw badInput(`${problems[0].file}: ${problems[0].problem}`, problems, problems[0].file);
}
