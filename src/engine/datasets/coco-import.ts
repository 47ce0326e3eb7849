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
import { badInput, type OdraError, type Problem } from '../../shared/errors';
import { checkBox, clippedNote } from './box-policy';
import type { CanonicalAnnotation, CanonicalCategory, CanonicalDataset } from './canonical';
import { cocoAnnotationSchema, cocoCategorySchema, cocoFileSchema, cocoImageSchema } from './coco-schema';
import { checkImages, drainAsync, drainSync, requireDirectory, requireFile, type ImportOptions } from './import-common';
import { streamJsonFile, type JsonShape, type JsonType, type StreamOptions } from './json-stream';
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

  const parsed = await streamCocoFile(annFile, options);

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

export interface ParsedCoco {
  categories: CanonicalCategory[];
  imagesMeta: Map<number, { width: number; height: number }>;
  images: { id: number; fileName: string; width: number; height: number; extra: Record<string, unknown> }[];
  annotations: CanonicalAnnotation[];
  notes: string[];
  info: Record<string, unknown>;
}

/** The arrays of a COCO instances file, streamed (json-stream.ts). */
export const COCO_STREAM_SPEC = { arrays: ['images', 'annotations', 'categories'], values: ['info'] } as const;

/**
 * Reads and validates a COCO instances file as a stream: each entry is checked as it
 * arrives (and its segmentation dropped), cross-references once the file is read, in
 * slices that yield to the event loop. Same problems, in the same order, as
 * parseCocoJson on the parsed file.
 */
export async function streamCocoFile(
  file: string,
  options: Pick<ImportOptions, 'signal' | 'onProgress'> & Pick<StreamOptions, 'chunkBytes'> = {},
): Promise<ParsedCoco> {
  const reader = new CocoReader(file);
  const shape = await streamJsonFile(file, COCO_STREAM_SPEC, (key, index, value) => reader.entry(key, index, value), {
    signal: options.signal,
    chunkBytes: options.chunkBytes,
    onBytes: (read, total) => options.onProgress?.(read, total, 'reading labels'),
  });
  reader.shape(stand_in(shape));
  return drainAsync(reader.finish(), options.signal);
}

/** Validates the JSON structure and cross-references; pure, so it is tested without files. */
export function parseCocoJson(json: unknown, file: string): ParsedCoco {
  const reader = new CocoReader(file);
  reader.shape(json);
  reader.throwIfBadShape();
  const top = json as Record<string, unknown[]>;
  for (const key of ['categories', 'images', 'annotations'] as const) top[key].forEach((raw, i) => reader.entry(key, i, raw));
  return drainSync(reader.finish());
}

/**
 * The root-level shape of a streamed file as a small stand-in value: each array the
 * spec streamed becomes [] (its entries were checked one by one), any other member a
 * value of its JSON type, so the zod schema reports a wrong shape in its usual words.
 */
function stand_in(shape: JsonShape): unknown {
  const of = (type: JsonType | null | undefined): unknown =>
    type === 'object' ? {} : type === 'array' ? [] : type === 'string' ? '' : type === 'number' ? 0 : type === 'boolean' ? false : type === 'null' ? null : undefined;
  if (shape.root !== 'object') return of(shape.root);
  const out: Record<string, unknown> = {};
  for (const [key, type] of shape.members) out[key] = of(type);
  for (const [key, value] of shape.values) out[key] = value;
  return out;
}

/**
 * The COCO checks, one entry at a time: `shape` (the top level), `entry` for each
 * element of categories, images and annotations in any interleaving, then `finish`,
 * which yields every SLICE annotations so a caller can give the thread back.
 */
class CocoReader {
  private readonly categoryProblems: Problem[] = [];
  private readonly imageProblems: Problem[] = [];
  /** [annotation index, problem]: reported in index order */
  private readonly annotationProblems: [number, Problem][] = [];
  private readonly rejectedCategoryIds = new Set<number>();
  private readonly rejectedImageIds = new Set<number>();
  private readonly categories: CanonicalCategory[] = [];
  private readonly categoryIds = new Set<number>();
  private readonly images: ParsedCoco['images'] = [];
  private readonly imagesMeta = new Map<number, { width: number; height: number }>();
  private readonly fileNames = new Set<string>();
  private readonly annotationIds = new Set<number>();
  /** annotations that passed the schema and the id check, with their index */
  private readonly pending: { index: number; data: z.infer<typeof cocoAnnotationSchema> }[] = [];
  private info: Record<string, unknown> = {};
  private schemaError: OdraError | null = null;

  constructor(private readonly file: string) {}

  shape(top: unknown): void {
    const parsed = cocoFileSchema.safeParse(top);
    if (!parsed.success) {
      this.schemaError = badInput(`${this.file} is not a COCO instances file`, zodProblems(parsed.error, this.file, ''), this.file);
      return;
    }
    const info = (top as { info?: unknown }).info;
    this.info = typeof info === 'object' && info !== null ? (info as Record<string, unknown>) : {};
  }

  entry(key: string | null, i: number, raw: unknown): void {
    if (key === 'categories') this.category(i, raw);
    else if (key === 'images') this.image(i, raw);
    else if (key === 'annotations') this.annotation(i, raw);
  }

  private category(i: number, raw: unknown): void {
    const { file } = this;
    const c = cocoCategorySchema.safeParse(raw);
    if (!c.success) {
      rejectIdOf(raw, this.categoryIds, this.rejectedCategoryIds);
      this.categoryProblems.push(...zodProblems(c.error, file, `categories[${i}]`));
      return;
    }
    if (this.categoryIds.has(c.data.id)) {
      this.categoryProblems.push({ file, problem: `categories[${i}]: duplicate category id ${c.data.id}` });
      return;
    }
    this.categoryIds.add(c.data.id);
    this.categories.push({
      id: c.data.id,
      name: c.data.name,
      supercategory: c.data.supercategory ?? null,
      cocoEquivalent: c.data.coco_equivalent ?? null,
    });
  }

  private image(i: number, raw: unknown): void {
    const { file } = this;
    const at = (where: string, problem: string): void => void this.imageProblems.push({ file, problem: `${where}: ${problem}` });
    const im = cocoImageSchema.safeParse(raw);
    if (!im.success) {
      rejectIdOf(raw, this.imagesMeta, this.rejectedImageIds);
      this.imageProblems.push(...zodProblems(im.error, file, `images[${i}]`));
      return;
    }
    const { id, file_name, width, height, ...extra } = im.data;
    if (this.imagesMeta.has(id)) return at(`images[${i}]`, `duplicate image id ${id}`);
    const unsafe = path.isAbsolute(file_name) || file_name.split(/[\\/]/).includes('..');
    if (unsafe) {
      this.rejectedImageIds.add(id);
      return at(`images[${i}] (id ${id})`, `file_name "${file_name}" must be a path inside images/`);
    }
    if (this.fileNames.has(file_name)) {
      this.rejectedImageIds.add(id);
      return at(`images[${i}] (id ${id})`, `file_name "${file_name}" is listed twice`);
    }
    this.fileNames.add(file_name);
    this.imagesMeta.set(id, { width, height });
    this.images.push({ id, fileName: file_name, width, height, extra });
  }

  private annotation(i: number, raw: unknown): void {
    const { file } = this;
    // masks are not used for bbox metrics and dominate the size: dropped on arrival
    if (typeof raw === 'object' && raw !== null && 'segmentation' in raw) delete (raw as { segmentation?: unknown }).segmentation;
    const a = cocoAnnotationSchema.safeParse(raw);
    if (!a.success) {
      for (const p of zodProblems(a.error, file, `annotations[${i}]`)) this.annotationProblems.push([i, p]);
      return;
    }
    if (this.annotationIds.has(a.data.id)) {
      this.annotationProblems.push([i, { file, problem: `annotations[${i}] (id ${a.data.id}): duplicate annotation id ${a.data.id}` }]);
      return;
    }
    this.annotationIds.add(a.data.id);
    this.pending.push({ index: i, data: a.data });
  }

  throwIfBadShape(): void {
    if (this.schemaError) throw this.schemaError;
  }

  /** Cross-references, SLICE annotations per step; returns the parse or throws all problems. */
  *finish(): Generator<void, ParsedCoco> {
    const { file } = this;
    this.throwIfBadShape();
    const annotations: CanonicalAnnotation[] = [];
    let clipped = 0;
    for (let k = 0; k < this.pending.length; k++) {
      if (k % SLICE === SLICE - 1) yield;
      const { index: i, data } = this.pending[k];
      const { id, image_id, category_id, bbox, area, iscrowd, ...extra } = data;
      const where = `annotations[${i}] (id ${id})`;
      const at = (problem: string): void => void this.annotationProblems.push([i, { file, problem: `${where}: ${problem}` }]);
      const meta = this.imagesMeta.get(image_id);
      if (!meta) {
        if (!this.rejectedImageIds.has(image_id)) at(`image_id ${image_id} is not among the images`);
        continue;
      }
      if (!this.categoryIds.has(category_id)) {
        if (!this.rejectedCategoryIds.has(category_id)) at(`category_id ${category_id} is not among the categories`);
        continue;
      }
      const box = checkBox(bbox, meta.width, meta.height);
      if ('problem' in box) {
        at(box.problem);
        continue;
      }
      if (box.clipped) clipped++;
      if (area !== undefined && !(Number.isFinite(area) && area >= 0)) {
        at(`area ${area} is not a finite non-negative number`);
        continue;
      }
      annotations.push({
        id,
        imageId: image_id,
        categoryId: category_id,
        bbox: box.bbox,
        area: area ?? box.bbox[2] * box.bbox[3],
        iscrowd: iscrowd === 1 || iscrowd === true,
        extra,
      });
    }
    const problems = [
      ...this.categoryProblems,
      ...this.imageProblems,
      ...this.annotationProblems.sort((x, y) => x[0] - y[0]).map(([, p]) => p),
    ];
    if (problems.length) throw badInput(`${file}: ${problems.length} problem(s) in the annotations`, problems, file);
    return { categories: this.categories, imagesMeta: this.imagesMeta, images: this.images, annotations, notes: clippedNote(clipped), info: this.info };
  }
}

/** Entries checked between two yields of a long synchronous pass. */
const SLICE = 1000;

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
