/**
 * Path containment, the check behind every "files only from registered roots" rule:
 * the engine's image route, Electron main's `odra-file:` and `odra-app:` protocols and
 * the dataset importers. Node-common layer: main, the engine and the CLI may import it;
 * it imports only Node's own modules.
 *
 * Paths are compared after `path.relative`, so '..' segments cannot escape; symlinks
 * count only through `realPathInside`, which resolves both sides first.
 */
import { realpath } from 'node:fs/promises';
import path from 'node:path';

/** `candidate` lies strictly below `root` (the root itself does not count). */
export function isInside(root: string, candidate: string): boolean {
  const rel = path.relative(root, candidate);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}

/** `candidate` is `root` or lies below it. */
export function isInsideOrAt(root: string, candidate: string): boolean {
  const rel = path.relative(root, candidate);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

export type RealPathCheck = { ok: true; path: string } | { ok: false; reason: 'missing' | 'outside' };

/**
 * Resolves `file` and `root` (symlinks included) and checks that the real file lies
 * strictly below the real root: 'missing' when either cannot be resolved, 'outside'
 * when it escapes.
 */
export async function realPathInside(file: string, root: string): Promise<RealPathCheck> {
  let realFile: string;
  let realRoot: string;
  try {
    [realFile, realRoot] = await Promise.all([realpath(file), realpath(root)]);
  } catch {
    return { ok: false, reason: 'missing' };
  }
  return isInside(realRoot, realFile) ? { ok: true, path: realFile } : { ok: false, reason: 'outside' };
}
