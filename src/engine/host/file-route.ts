/**
 * Serving dataset images to the renderer: only files that the store lists as images of
 * a registered dataset, only if their real path (symlinks resolved) lies inside that
 * dataset's registered root, and only image types. Shared by the browser-mode HTTP
 * route and (through the same checks) by Electron's custom protocol.
 */
import { realpath } from 'node:fs/promises';
import path from 'node:path';

export const IMAGE_CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.png': 'image/png',
  '.bmp': 'image/bmp',
  '.webp': 'image/webp',
  '.tif': 'image/tiff',
  '.tiff': 'image/tiff',
};

export function isInside(root: string, candidate: string): boolean {
  const rel = path.relative(root, candidate);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}

/** Resolves and checks a file; null when it must not be served. */
export async function servableImage(file: string, root: string): Promise<{ path: string; contentType: string } | null> {
  const contentType = IMAGE_CONTENT_TYPES[path.extname(file).toLowerCase()];
  if (!contentType) return null;
  try {
    const [realFile, realRoot] = await Promise.all([realpath(file), realpath(root)]);
    return isInside(realRoot, realFile) ? { path: realFile, contentType } : null;
  } catch {
    return null;
  }
}
