/**
 * The dataset's identity: SHA-256 over a canonical text of everything that can change
 * a metric (categories, images by content hash and size, annotations), sorted by id
 * so that file order and JSON formatting do not matter.
 *
 * `contentHashSteps` is the one implementation, written as a pass that yields between
 * slices so a large import gives the thread back; `datasetContentHash` runs it in one
 * go. The text hashed is the same either way (a golden test pins a shared dataset's).
 */
import { createHash } from 'node:crypto';
import type { CanonicalAnnotation, CanonicalCategory, CanonicalImage } from './canonical';
import { drainSync } from './import-common';

const SLICE = 2000;

export function datasetContentHash(
  categories: readonly CanonicalCategory[],
  images: readonly CanonicalImage[],
  annotations: readonly CanonicalAnnotation[],
): string {
  return drainSync(contentHashSteps(categories, images, annotations));
}

/** Sorted by id, without a copy when the input already is (the usual case). */
function byId<T extends { id: number }>(items: readonly T[]): readonly T[] {
  for (let i = 1; i < items.length; i++) if (items[i - 1].id > items[i].id) return [...items].sort((a, b) => a.id - b.id);
  return items;
}

export function* contentHashSteps(
  categories: readonly CanonicalCategory[],
  images: readonly CanonicalImage[],
  annotations: readonly CanonicalAnnotation[],
): Generator<void, string> {
  const h = createHash('sha256');
  h.update('odra-dataset-v1\n');
  for (const c of byId(categories)) {
    h.update(`c ${c.id} ${JSON.stringify(c.name)} ${JSON.stringify(c.cocoEquivalent)}\n`);
  }
  const sortedImages = byId(images);
  yield;
  for (let i = 0; i < sortedImages.length; i++) {
    if (i % SLICE === SLICE - 1) yield;
    const im = sortedImages[i];
    h.update(`i ${im.id} ${im.width} ${im.height} ${im.sha256}\n`);
  }
  const sortedAnnotations = byId(annotations);
  yield;
  let text = '';
  for (let i = 0; i < sortedAnnotations.length; i++) {
    if (i % SLICE === SLICE - 1) {
      h.update(text);
      text = '';
      yield;
    }
    const a = sortedAnnotations[i];
    text += `a ${a.id} ${a.imageId} ${a.categoryId} ${a.bbox.join(' ')} ${a.area} ${a.iscrowd ? 1 : 0}\n`;
  }
  h.update(text);
  return h.digest('hex');
}
