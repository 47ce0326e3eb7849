/**
 * The dataset's identity: SHA-256 over a canonical text of everything that can change
 * a metric (categories, images by content hash and size, annotations), sorted by id
 * so that file order and JSON formatting do not matter.
 */
import { createHash } from 'node:crypto';
import type { CanonicalAnnotation, CanonicalCategory, CanonicalImage } from './canonical';

export function datasetContentHash(
  categories: readonly CanonicalCategory[],
  images: readonly CanonicalImage[],
  annotations: readonly CanonicalAnnotation[],
): string {
  const h = createHash('sha256');
  h.update('odra-dataset-v1\n');
  for (const c of [...categories].sort((a, b) => a.id - b.id)) {
    h.update(`c ${c.id} ${JSON.stringify(c.name)} ${JSON.stringify(c.cocoEquivalent)}\n`);
  }
  for (const im of [...images].sort((a, b) => a.id - b.id)) {
    h.update(`i ${im.id} ${im.width} ${im.height} ${im.sha256}\n`);
  }
  for (const a of [...annotations].sort((x, y) => x.id - y.id)) {
    h.update(`a ${a.id} ${a.imageId} ${a.categoryId} ${a.bbox.join(' ')} ${a.area} ${a.iscrowd ? 1 : 0}\n`);
  }
  return h.digest('hex');
}
