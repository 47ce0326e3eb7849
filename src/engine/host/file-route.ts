/**
 * Serving dataset images to the renderer in browser mode: only files that the store lists
 * as images of a registered dataset, only if their real path (symlinks resolved) lies
 * inside that dataset's registered root, and only image types. Electron main's
 * `odra-file:` protocol applies the same checks through the same two modules
 * (shared/image-files for the types, platform/node/paths for containment).
 */
import { realPathInside } from '../../platform/node/paths';
import { imageContentType } from '../../shared/image-files';

/** Resolves and checks a file; null when it must not be served. */
export async function servableImage(file: string, root: string): Promise<{ path: string; contentType: string } | null> {
  if (!imageContentType(file)) return null;
  const real = await realPathInside(file, root);
  if (!real.ok) return null;
  const contentType = imageContentType(real.path);
  return contentType ? { path: real.path, contentType } : null;
}
