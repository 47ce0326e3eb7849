/**
 * Is a stored dataset's folder, or a stored model's file, still where the store says?
 * (datasets.fileStatus / models.fileStatus; the state is FileStatus in shared/schemas.ts.)
 *
 * From stat() alone, so the lists can show it for every item: no file is opened.
 *   dataset: its folder is not a folder                -> missing (every image counted
 *                                                          missing, none stat'ed)
 *            an image is not a regular file             -> missing
 *            an image's size differs from the size a run last verified it at
 *            (file_checks, recorded with its hash)       -> changed
 *   model:   the file is not a regular file             -> missing
 *            its size differs from the imported size     -> changed
 * Missing wins over changed; counts cover every file, `problems` lists the first
 * FILE_STATUS_PROBLEMS by path. An image a run never verified has no recorded size and
 * counts as present: the next run re-hashes it anyway (audits/verify-files.ts).
 * Images are stat'ed a few at a time on libuv threads, so the engine keeps answering.
 */
import { stat } from 'node:fs/promises';
import { kindOf, kindProblem } from '../../platform/node/files';
import { FILE_STATUS_PROBLEMS, type FileStatus } from '../../shared/schemas';
import type { Db } from './database';

const CONCURRENCY = 16;

export interface StoredFile {
  path: string;
  /** what the file is, for the problem: "image 12" */
  what: string;
  /** the size it had when last known to hold its bytes; null when not known */
  size: number | null;
}

interface Finding {
  file: string;
  problem: string;
  missing: boolean;
}

async function inspect(file: StoredFile): Promise<Finding | null> {
  const s = await stat(file.path).catch(() => null);
  const problem = kindProblem(kindOf(s));
  if (problem) return { file: file.path, problem: `${file.what} ${problem}`, missing: true };
  if (s && file.size !== null && s.size !== file.size) {
    return { file: file.path, problem: `${file.what} is ${s.size} bytes, not the ${file.size} it had: it holds other bytes now`, missing: false };
  }
  return null;
}

/** The status of `files` under `root` (the dataset's folder or the model's file), from what stat() says of each. */
export async function filesStatus(kind: 'dataset' | 'model', root: string, files: readonly StoredFile[]): Promise<FileStatus> {
  const findings: Finding[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < files.length) {
      const found = await inspect(files[next++]);
      if (found) findings.push(found);
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, files.length) }, worker));
  return summarise(kind, root, files.length, findings);
}

/** A dataset whose folder is gone: every image is missing, none is stat'ed. */
export function folderMissing(root: string, files: number, problem: string): FileStatus {
  return {
    state: 'missing',
    path: root,
    files,
    missing: files,
    changed: 0,
    problems: [{ file: root, problem: `the dataset's folder ${problem}` }],
    message: `${root}: the dataset's folder ${problem} (moved or deleted?): relocate the dataset to the folder it was moved to, or remove it`,
  };
}

function summarise(kind: 'dataset' | 'model', root: string, files: number, findings: Finding[]): FileStatus {
  const missing = findings.filter((f) => f.missing).length;
  const changed = findings.length - missing;
  const problems = findings
    .sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0))
    .slice(0, FILE_STATUS_PROBLEMS)
    .map(({ file, problem }) => ({ file, problem }));
  const state = missing > 0 ? 'missing' : changed > 0 ? 'changed' : 'present';
  return { state, path: root, files, missing, changed, problems, message: statusMessage(kind, root, state, files, missing, changed) };
}

function statusMessage(kind: 'dataset' | 'model', root: string, state: FileStatus['state'], files: number, missing: number, changed: number): string | null {
  if (state === 'present') return null;
  const mend =
    kind === 'model'
      ? 'relocate the model to the file holding its bytes, or import the new file as a new model'
      : 'relocate the dataset to the folder holding its images, or import the new folder as a new dataset';
  if (kind === 'model') return `${root} ${state === 'missing' ? 'is missing (moved or deleted?)' : 'has changed since it was imported (another size)'}: ${mend}`;
  const parts = [missing > 0 ? `${missing} missing` : null, changed > 0 ? `${changed} changed (another size)` : null].filter((p) => p !== null);
  return `${root}: ${parts.join(' and ')} of the dataset's ${files} images: ${mend}`;
}

/** The size each image had when a run last verified it held its hash (file_checks), for the images that have one. */
export function verifiedSizes(db: Db, files: readonly { path: string; sha256: string }[]): Map<string, number> {
  const known = db.prepare('SELECT size FROM file_checks WHERE path = ? AND sha256 = ?');
  const sizes = new Map<string, number>();
  for (const f of files) {
    const row = known.get(f.path, f.sha256) as { size: number } | undefined;
    if (row) sizes.set(f.path, row.size);
  }
  return sizes;
}
