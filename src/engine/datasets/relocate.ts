/**
 * Relocating a stored dataset: its folder was moved (or copied elsewhere) and the store
 * should read it from the new place, keeping its id, content hash and evaluations.
 *
 * Input: the stored root, image root and each image's file name and SHA-256; the new
 * folder. The image root keeps its place relative to the root (COCO `images/`, KITTI
 * `image_2/`, ...). Every image is re-hashed at the new place (SHA-256, streamed, a few
 * at a time) and must be a regular file with the stored hash, so nothing run later reads
 * other bytes than the results name. Output: the new root and image root; or BAD_INPUT
 * listing the images that are missing, not regular files or different (all of them,
 * sorted, so one pass tells the analyst everything).
 *
 * Label files are not re-read: the dataset's boxes live in the store, and the images are
 * what later runs read.
 */
import path from 'node:path';
import { badInput, type Problem } from '../../shared/errors';
import { regularFileProblem } from '../../platform/node/files';
import { isInsideOrAt } from '../../platform/node/paths';
import { sha256File } from '../images/file-hash';
import { mapLimit, requireDirectory, sortProblems } from './import-common';

export interface StoredLayout {
  root: string;
  imageRoot: string;
  images: readonly { id: number; fileName: string; sha256: string }[];
}

export async function verifyRelocation(
  stored: StoredLayout,
  newDir: string,
  options: { signal?: AbortSignal; onProgress?: (done: number, total: number) => void } = {},
): Promise<{ root: string; imageRoot: string }> {
  const root = path.resolve(newDir);
  await requireDirectory(root, 'the folder the dataset was moved to');
  if (!isInsideOrAt(stored.root, stored.imageRoot)) {
    throw badInput(
      `the dataset's images are not inside its folder (${stored.imageRoot} is outside ${stored.root}), so moving the folder does not move them; re-import it instead`,
      [],
      stored.imageRoot,
    );
  }
  const imageRoot = path.join(root, path.relative(stored.root, stored.imageRoot));
  const problems: Problem[] = [];
  let done = 0;
  await mapLimit(stored.images, 4, async (im) => {
    options.signal?.throwIfAborted();
    const file = path.join(imageRoot, im.fileName);
    const kind = await regularFileProblem(file);
    if (kind) problems.push({ file, problem: `image ${im.id} ${kind}` });
    else {
      const actual = await sha256File(file);
      if (actual !== im.sha256) {
        problems.push({ file, problem: `image ${im.id} is not the imported image (SHA-256 ${actual.slice(0, 12)}…, imported ${im.sha256.slice(0, 12)}…)` });
      }
    }
    options.onProgress?.(++done, stored.images.length);
  });
  if (problems.length) {
    throw badInput(`${root} does not hold this dataset's images: ${problems.length} of ${stored.images.length} differ`, sortProblems(problems), root);
  }
  return { root, imageRoot };
}
