/**
 * Reading a COCO dataset folder (`annotations.json` + `images/`) into the canonical form.
 *
 * Every problem is collected (not just the first) and reported together, each naming
 * the file and, for JSON, the entry; nothing is written to the store here, so a bad
 * dataset leaves no trace.
 *
 * Boxes follow the common policy in box-policy.ts; a clipped box keeps its `area` field
 * as given (COCO's area is the mask area, which already lies inside the image), or the
 * clipped box's area if the file has none.
 */
import path from 'node:path';
import { badInput, type Problem } from '../../shared/errors';
import { checkBox, clippedNote } from './box-policy';
import type { CanonicalAnnotation, CanonicalCategory, CanonicalDataset } from './canonical';
import { cocoAnnotationSchema, cocoCategorySchema, cocoFileSchema, cocoImageSchema } from './coco-schema';
import { checkImages, readJson, requireDirectory, requireFile, type ImportOptions } from './import-common';
import type { z } from 'zod';

// Kept importable from here: the CLI and older tests reach them through this module.
export { checkBox } from './box-policy';
export { readJson, type ImportProgress } from './import-common';

export const COCO_ANNOTATION_FILE = 'annotations.json';
export const COCO_IMAGE_DIR = 'images';

export async function readCocoDataset(
  dir: string,
  options: Omit<ImportOptions, 'split'> = {},
): Promise<CanonicalDataset> {
  const root = path.resolve(dir);
  const annFile = path.join(root, COCO_ANNOTATION_FILE);
  const imageRoot = path.join(root, COCO_IMAGE_DIR);
  await requireDirectory(root, 'dataset folder');
  await requireFile(annFile, `the dataset folder must hold ${COCO_ANNOTATION_FILE}`);
  await requireDirectory(imageRoot, `the dataset folder must hold an ${COCO_IMAGE_DIR}/ folder`);

  const json = await readJson(annFile);
  const parsed = parseCocoJson(json, annFile);

  const images = await checkImages(
    root,
    imageRoot,
    parsed.images.map((im) => ({ ...im, stated: { width: im.width, height: im.height, by: COCO_ANNOTATION_FILE } })),
    options,
  );
  return {
    name: options.name ?? path.basename(root),
    format: 'coco',
    root,
    imageRoot,
    categories: parsed.categories,
    images,
    annotations: parsed.annotations,
    notes: parsed.notes,
    info: parsed.info,
  };
}

interface ParsedCoco {
  categories: CanonicalCategory[];
  imagesMeta: Map<number, { width: number; height: number }>;
  images: { id: number; fileName: string; width: number; height: number; extra: Record<string, unknown> }[];
  annotations: CanonicalAnnotation[];
  notes: string[];
  info: Record<string, unknown>;
}

/** Validates the JSON structure and cross-references; pure, so it is tested without files. */
export function parseCocoJson(json: unknown, file: string): ParsedCoco {
  const top = cocoFileSchema.safeParse(json);
  if (!top.success) {
    throw badInput(`${file} is not a COCO instances file`, zodProblems(top.error, file, ''), file);
  }
  const problems: Problem[] = [];
  const at = (where: string, problem: string): void => {
    problems.push({ file, problem: `${where}: ${problem}` });
  };

  // Entries already reported as bad: what refers to them is not reported again, so the
  // one real problem is not buried under one "not among the images" per annotation.
  const rejectedCategoryIds = new Set<number>();
  const rejectedImageIds = new Set<number>();

  const categories: CanonicalCategory[] = [];
  const categoryIds = new Set<number>();
  top.data.categories.forEach((raw, i) => {
    const c = cocoCategorySchema.safeParse(raw);
    if (!c.success) {
      rejectIdOf(raw, categoryIds, rejectedCategoryIds);
      return void problems.push(...zodProblems(c.error, file, `categories[${i}]`));
    }
    if (categoryIds.has(c.data.id)) return at(`categories[${i}]`, `duplicate category id ${c.data.id}`);
    categoryIds.add(c.data.id);
    categories.push({
      id: c.data.id,
      name: c.data.name,
      supercategory: c.data.supercategory ?? null,
      cocoEquivalent: c.data.coco_equivalent ?? null,
    });
  });

  const images: ParsedCoco['images'] = [];
  const imagesMeta = new Map<number, { width: number; height: number }>();
  const fileNames = new Set<string>();
  top.data.images.forEach((raw, i) => {
    const im = cocoImageSchema.safeParse(raw);
    if (!im.success) {
      rejectIdOf(raw, imagesMeta, rejectedImageIds);
      return void problems.push(...zodProblems(im.error, file, `images[${i}]`));
    }
    const { id, file_name, width, height, ...extra } = im.data;
    if (imagesMeta.has(id)) return at(`images[${i}]`, `duplicate image id ${id}`);
    const unsafe = path.isAbsolute(file_name) || file_name.split(/[\\/]/).includes('..');
    if (unsafe) {
      rejectedImageIds.add(id);
      return at(`images[${i}] (id ${id})`, `file_name "${file_name}" must be a path inside images/`);
    }
    if (fileNames.has(file_name)) {
      rejectedImageIds.add(id);
      return at(`images[${i}] (id ${id})`, `file_name "${file_name}" is listed twice`);
    }
    fileNames.add(file_name);
    imagesMeta.set(id, { width, height });
    images.push({ id, fileName: file_name, width, height, extra });
  });

  const annotations: CanonicalAnnotation[] = [];
  const annotationIds = new Set<number>();
  let clipped = 0;
  top.data.annotations.forEach((raw, i) => {
    const a = cocoAnnotationSchema.safeParse(raw);
    if (!a.success) return void problems.push(...zodProblems(a.error, file, `annotations[${i}]`));
    const { id, image_id, category_id, bbox, area, iscrowd, ...extra } = a.data;
    delete extra.segmentation; // masks are not used for bbox metrics and dominate the size
    const where = `annotations[${i}] (id ${id})`;
    if (annotationIds.has(id)) return at(where, `duplicate annotation id ${id}`);
    annotationIds.add(id);
    const meta = imagesMeta.get(image_id);
    if (!meta) return rejectedImageIds.has(image_id) ? undefined : at(where, `image_id ${image_id} is not among the images`);
    if (!categoryIds.has(category_id)) {
      return rejectedCategoryIds.has(category_id) ? undefined : at(where, `category_id ${category_id} is not among the categories`);
    }
    const box = checkBox(bbox, meta.width, meta.height);
    if ('problem' in box) return at(where, box.problem);
    if (box.clipped) clipped++;
    if (area !== undefined && !(Number.isFinite(area) && area >= 0)) return at(where, `area ${area} is not a finite non-negative number`);
    annotations.push({
      id,
      imageId: image_id,
      categoryId: category_id,
      bbox: box.bbox,
      area: area ?? box.bbox[2] * box.bbox[3],
      iscrowd: iscrowd === 1 || iscrowd === true,
      extra,
    });
  });

  if (problems.length) throw badInput(`${file}: ${problems.length} problem(s) in the annotations`, problems, file);
  const notes = clippedNote(clipped);
  const info = typeof (json as { info?: unknown }).info === 'object' ? ((json as { info: Record<string, unknown> }).info ?? {}) : {};
  return { categories, imagesMeta, images, annotations, notes, info };
}

/** Remembers the id of an entry that failed validation, unless a valid entry already has it. */
function rejectIdOf(raw: unknown, valid: { has(id: number): boolean }, rejected: Set<number>): void {
  const id = typeof raw === 'object' && raw !== null ? (raw as { id?: unknown }).id : undefined;
  if (typeof id === 'number' && !valid.has(id)) rejected.add(id);
}

function zodProblems(error: z.ZodError, file: string, where: string): Problem[] {
  return error.issues.slice(0, 20).map((issue) => {
    const field = [where, ...issue.path.map(String)].filter(Boolean).join('.');
    return { file, problem: `${field || 'top level'}: ${issue.message}` };
  });
}
