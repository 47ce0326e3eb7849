/**
 * Golden values that pin the dataset content hash (src/engine/datasets/content-hash.ts),
 * the identity every stored metric and every corruption seed names.
 *
 * - A small dataset built here: its canonical text is written out below, and the
 *   expected digest was computed from that text outside Odra (`printf '...' | sha256sum`).
 * - The shared coco128_val2017_driving, imported by Odra's COCO importer: the hash
 *   ../shared/fixtures/corruptions/ap_under_reference.json records for it.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { CanonicalAnnotation, CanonicalCategory, CanonicalImage } from '../../../src/engine/datasets/canonical';
import { datasetContentHash } from '../../../src/engine/datasets/content-hash';
import { importDataset } from '../../../src/engine/datasets/import-dataset';
import { sharedPath } from '../../helpers/shared';

const categories: CanonicalCategory[] = [
  { id: 3, name: 'person "ped"', supercategory: 'human', cocoEquivalent: null },
  { id: 1, name: 'car', supercategory: null, cocoEquivalent: 'car' },
];
const images: CanonicalImage[] = [
  { id: 9, fileName: 'b/9.jpg', width: 1280, height: 720, sha256: 'b'.repeat(64), extra: { weather: 'rainy' } },
  { id: 5, fileName: 'a/5.jpg', width: 640, height: 480, sha256: 'a'.repeat(64), extra: {} },
];
const annotations: CanonicalAnnotation[] = [
  { id: 11, imageId: 5, categoryId: 1, bbox: [10, 20, 0.1 * 3 * 100, 40], area: 1200, iscrowd: false, extra: {} },
  { id: 2, imageId: 9, categoryId: 3, bbox: [0.5, 1e-7, 100.25, 33], area: 3309.5, iscrowd: true, extra: { occluded: 1 } },
];

/** The canonical text: sorted by id, one line per record; names as JSON, numbers as JavaScript prints them. */
const CANONICAL_TEXT = [
  'odra-dataset-v1',
  'c 1 "car" "car"',
  'c 3 "person \\"ped\\"" null',
  `i 5 640 480 ${'a'.repeat(64)}`,
  `i 9 1280 720 ${'b'.repeat(64)}`,
  'a 2 9 3 0.5 1e-7 100.25 33 3309.5 1',
  'a 11 5 1 10 20 30.000000000000004 40 1200 0',
  '',
].join('\n');
const SMALL_DATASET_HASH = '86e70b551849bf5dd1dfef0ab2155e3002a736f9c08acd7cee4b4adea523e4e9';

describe('datasetContentHash', () => {
  it('equals the golden digest of a small dataset', () => {
    expect(datasetContentHash(categories, images, annotations)).toBe(SMALL_DATASET_HASH);
    expect(createHash('sha256').update(CANONICAL_TEXT).digest('hex')).toBe(SMALL_DATASET_HASH);
  });

  it('ignores record order, file names, supercategories and extra attributes', () => {
    const renamed = images.map((im) => ({ ...im, fileName: `elsewhere/${im.id}.png`, extra: {} }));
    const plain = categories.map((c) => ({ ...c, supercategory: null }));
    expect(datasetContentHash([...plain].reverse(), renamed, [...annotations].reverse())).toBe(SMALL_DATASET_HASH);
  });

  it('changes with anything that can change a metric', () => {
    const moved: CanonicalAnnotation[] = annotations.map((a) => (a.id === 2 ? { ...a, bbox: [0.5, 0, 100.25, 33] } : a));
    const crowd = annotations.map((a) => ({ ...a, iscrowd: false }));
    const pixels = images.map((im) => (im.id === 5 ? { ...im, sha256: 'c'.repeat(64) } : im));
    const mapped = categories.map((c) => (c.id === 3 ? { ...c, cocoEquivalent: 'person' } : c));
    const hashes = [
      datasetContentHash(categories, images, moved),
      datasetContentHash(categories, images, crowd),
      datasetContentHash(categories, pixels, annotations),
      datasetContentHash(mapped, images, annotations),
    ];
    expect(new Set([SMALL_DATASET_HASH, ...hashes]).size).toBe(5);
  });

  it("gives coco128_val2017_driving the hash the shared reference fixtures were made for", async () => {
    const reference = JSON.parse(readFileSync(sharedPath('fixtures', 'corruptions', 'ap_under_reference.json'), 'utf8')) as {
      dataset_content_hash_as_odra_computes_it: string;
    };
    expect(reference.dataset_content_hash_as_odra_computes_it).toBe('389b4ef6e9193c6b7b57a69001f05d479df87dea61920f40265ce82de9b8089f');
    const ds = await importDataset(sharedPath('data', 'datasets', 'coco128_val2017_driving'));
    expect(datasetContentHash(ds.categories, ds.images, ds.annotations)).toBe(reference.dataset_content_hash_as_odra_computes_it);
  });
});
