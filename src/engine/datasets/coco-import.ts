/**
 * Reading a COCO dataset folder (`annotations.json` + `images/`) into the canonical form.
 *
 * Every problem is collected (not just the first) and reported together, each naming
 * the file and, for JSON, the entry; nothing is written to the store here, so a bad
 * dataset leaves no trace.
 *
 * Box policy (documented for the analyst):
 *   - a bbox that is not 4 finite numbers, or has w <= 0 or h <= 0, is REJECTED;
 *   - a bbox lying entirely outside its image is REJECTED;
 *   - a bbox that crosses the image border is CLIPPED to the image and counted in the
 *     import notes; its `area` field is kept as given (COCO's area is the mask area,
 *     which already lies inside the image), or computed from the clipped box if absent.
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { badInput, type Problem } from '../../shared/errors';
import { decodeImage } from '../images/decode';
import { sha256File } from '../images/file-hash';
import type { CanonicalAnnotation, CanonicalCategory, CanonicalDataset, CanonicalImage } from './canonical';
import { cocoAnnotationSchema, cocoCategorySchema, cocoFileSchema, cocoImageSchema } from './coco-schema';
import { locateJsonError } from './json-location';
import type { z } from 'zod';

export interface ImportProgress {
  (done: number, total: number, stage: string): void;
}

export const COCO_ANNOTATION_FILE = 'annotations.json';
export const COCO_IMAGE_DIR = 'images';

export async function readCocoDataset(
  dir: string,
  options: { name?: string; onProgress?: ImportProgress; signal?: AbortSignal } = {},
): Promise<CanonicalDataset> {
  const root = path.resolve(dir);
  const annFile = path.join(root, COCO_ANNOTATION_FILE);
  const imageRoot = path.join(root, COCO_IMAGE_DIR);
  await requireDirectory(root, 'dataset folder');
  await requireFile(annFile, `the dataset folder must hold ${COCO_ANNOTATION_FILE}`);
  await requireDirectory(imageRoot, `the dataset folder must hold an ${COCO_IMAGE_DIR}/ folder`);

  const json = await readJson(annFile);
  const parsed = parseCocoJson(json, annFile);

  const images: CanonicalImage[] = [];
  const problems: Problem[] = [];
  let done = 0;
  const total = parsed.images.length;
  // Two at a time: libvips already spreads one decode over the cores.
  await mapLimit(parsed.images, 2, async (im) => {
    options.signal?.throwIfAborted();
    const result = await checkImage(imageRoot, im);
    if ('problem' in result) problems.push(result.problem);
    else images.push(result.image);
    options.onProgress?.(++done, total, 'checking images');
  });
  if (problems.length) {
    throw badInput(`${problems.length} image(s) of ${root} cannot be used`, problems, imageRoot);
  }
  images.sort((a, b) => a.id - b.id);
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
  const notes = clipped ? [`${clipped} box(es) crossing the image border were clipped to the image`] : [];
  const info = typeof (json as { info?: unknown }).info === 'object' ? ((json as { info: Record<string, unknown> }).info ?? {}) : {};
  return { categories, imagesMeta, images, annotations, notes, info };
}

/** Remembers the id of an entry that failed validation, unless a valid entry already has it. */
function rejectIdOf(raw: unknown, valid: { has(id: number): boolean }, rejected: Set<number>): void {
  const id = typeof raw === 'object' && raw !== null ? (raw as { id?: unknown }).id : undefined;
  if (typeof id === 'number' && !valid.has(id)) rejected.add(id);
}

/** Applies the box policy in this module's header. */
export function checkBox(
  bbox: unknown[],
  width: number,
  height: number,
): { bbox: [number, number, number, number]; clipped: boolean } | { problem: string } {
  if (bbox.length !== 4 || !bbox.every((v) => typeof v === 'number' && Number.isFinite(v))) {
    return { problem: `bbox ${showBox(bbox)} must be [x, y, w, h] of 4 finite numbers` };
  }
  const [x, y, w, h] = bbox as number[];
  if (w <= 0 || h <= 0) return { problem: `bbox ${showBox(bbox)} has a non-positive width or height` };
  const x1 = Math.max(0, x);
  const y1 = Math.max(0, y);
  const x2 = Math.min(width, x + w);
  const y2 = Math.min(height, y + h);
  if (x2 <= x1 || y2 <= y1) {
    return { problem: `bbox ${showBox(bbox)} lies outside its ${width}x${height} image` };
  }
  const clipped = x1 !== x || y1 !== y || x2 !== x + w || y2 !== y + h;
  return { bbox: clipped ? [x1, y1, x2 - x1, y2 - y1] : [x, y, w, h], clipped };
}

/** JSON.stringify would print 1e999 (parsed as Infinity) as null, hiding what the file says. */
function showBox(bbox: unknown[]): string {
  return `[${bbox.map((v) => (typeof v === 'number' ? String(v) : JSON.stringify(v))).join(', ')}]`;
}

async function checkImage(
  imageRoot: string,
  im: ParsedCoco['images'][number],
): Promise<{ image: CanonicalImage } | { problem: Problem }> {
  const file = path.join(imageRoot, im.fileName);
  try {
    await stat(file);
  } catch {
    return { problem: { file, problem: `image ${im.id} is missing (no such file)` } };
  }
  let decoded;
  try {
    decoded = await decodeImage(file);
  } catch (err) {
    const reason = err instanceof Error ? err.message.split('\n')[0] : String(err);
    return { problem: { file, problem: `image ${im.id} cannot be decoded: ${reason}` } };
  }
  if (decoded.width !== im.width || decoded.height !== im.height) {
    return {
      problem: {
        file,
        problem: `image ${im.id} is ${decoded.width}x${decoded.height} but annotations.json says ${im.width}x${im.height}`,
      },
    };
  }
  const sha256 = await sha256File(file);
  return { image: { id: im.id, fileName: im.fileName, width: im.width, height: im.height, sha256, extra: im.extra } };
}

export async function readJson(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw badInput(`cannot read ${file}: ${(err as Error).message}`, [], file);
  }
  // Editors on Windows may save a byte-order mark; it is not part of the JSON text.
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  try {
    return JSON.parse(text);
  } catch (err) {
    // V8 gives no position for some errors and quotes the text with raw line breaks.
    const at = locateJsonError(text);
    if (!at) {
      const message = (err as Error).message.split('\n')[0];
      throw badInput(`${file} is not valid JSON: ${message}`, [{ file, problem: message }], file);
    }
    const problem = `${at.reason} (column ${at.column})`;
    throw badInput(`${file} is not valid JSON (line ${at.line}, column ${at.column}): ${at.reason}`, [{ file, line: at.line, problem }], file);
  }
}

function zodProblems(error: z.ZodError, file: string, where: string): Problem[] {
  return error.issues.slice(0, 20).map((issue) => {
    const field = [where, ...issue.path.map(String)].filter(Boolean).join('.');
    return { file, problem: `${field || 'top level'}: ${issue.message}` };
  });
}

async function requireFile(file: string, hint: string): Promise<void> {
  const s = await stat(file).catch(() => null);
  if (!s?.isFile()) throw badInput(`${file} not found: ${hint}`, [{ file, problem: 'not found' }], file);
}

async function requireDirectory(dir: string, what: string): Promise<void> {
  const s = await stat(dir).catch(() => null);
  if (!s?.isDirectory()) throw badInput(`${dir} is not a folder (${what})`, [{ file: dir, problem: 'not a folder' }], dir);
}

async function mapLimit<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await fn(items[next++]);
  });
  await Promise.all(workers);
}
