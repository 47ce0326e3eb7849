/**
 * What kind of thing a path names, checked with stat() BEFORE anything opens it.
 *
 * Opening a FIFO for reading blocks until a writer appears (forever, for a pipe nobody
 * writes), and a character device such as /dev/zero never ends: so every file Odra reads
 * on a user's word (a model, an image, a label file, `--input`) and every file it serves
 * is checked to be a regular file first. stat() follows symlinks, so a link to a regular
 * file is a regular file. Node-common layer (main, the engine and the CLI share it); only
 * Node's own modules.
 *
 * Output: null for a regular file, else the problem in words, e.g. "is a folder, not a
 * file" or "is a FIFO (named pipe), not a regular file", to follow the path in a message.
 */
import { stat } from 'node:fs/promises';
import type { Stats } from 'node:fs';

export type FileKind = 'file' | 'missing' | 'directory' | 'fifo' | 'socket' | 'character device' | 'block device' | 'other';

export function kindOf(s: Stats | null): FileKind {
  if (!s) return 'missing';
  if (s.isFile()) return 'file';
  if (s.isDirectory()) return 'directory';
  if (s.isFIFO()) return 'fifo';
  if (s.isSocket()) return 'socket';
  if (s.isCharacterDevice()) return 'character device';
  if (s.isBlockDevice()) return 'block device';
  return 'other';
}

/** The kind of `file` (symlinks followed); 'missing' when it cannot be stat'ed. */
export async function fileKind(file: string): Promise<FileKind> {
  return kindOf(await stat(file).catch(() => null));
}

const WORDS: Readonly<Record<Exclude<FileKind, 'file'>, string>> = {
  missing: 'does not exist',
  directory: 'is a folder, not a file',
  fifo: 'is a FIFO (named pipe), not a regular file',
  socket: 'is a socket, not a regular file',
  'character device': 'is a character device, not a regular file',
  'block device': 'is a block device, not a regular file',
  other: 'is not a regular file',
};

/** The problem with reading `file` as a regular file, in words; null when it is one. */
export function kindProblem(kind: FileKind): string | null {
  return kind === 'file' ? null : WORDS[kind];
}

/** stat() + kindProblem: null for a regular file. */
export async function regularFileProblem(file: string): Promise<string | null> {
  return kindProblem(await fileKind(file));
}
