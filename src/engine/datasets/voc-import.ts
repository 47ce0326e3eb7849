/**
 * Reading a Pascal VOC folder (`Annotations/*.xml` + `JPEGImages/`, optionally
 * `ImageSets/Main/<split>.txt`) into the canonical form.
 *
 * Which annotations: the `split` option's ImageSets/Main/<split>.txt, else val.txt if
 * there is one (VOC2007/2012 trainval ship train, val and trainval), else every XML in
 * Annotations/. The image of `Annotations/<id>.xml` is `JPEGImages/<id>.<ext>` (jpg
 * first, as torchvision and mmdet assume), else the XML's <filename>.
 *
 * Coordinates: VOC's xmin..xmax, ymin..ymax are 1-based pixel indices, both ends
 * included. They are converted the way detectron2 converts them:
 * x = xmin - 1, y = ymin - 1, w = xmax - xmin + 1, h = ymax - ymin + 1, so a box from 1
 * to W covers the whole image [0, W]. Then the common box policy (box-policy.ts)
 * against the XML's <size>, which is required and must equal the image's size.
 *
 * Attributes: `difficult` is kept on the annotation as `difficult: true` and
 * `ignore: true`; iscrowd stays false, because a crowd region matches any number of
 * detections, which a difficult object does not. The COCO evaluator (like
 * pycocotools, where iscrowd overrides an `ignore` field) scores difficult objects as
 * ordinary ground truth, so AP here can be lower than under the VOC protocol, which
 * skips them; the count is in the import notes. `truncated`, `pose`, `occluded` and
 * any other plain value of an <object> are kept as attributes.
 *
 * Categories: the 20 VOC classes (ids 1..20 in VOC's order, with their COCO names as
 * cocoEquivalent) when every object's name is one of them; otherwise the names found,
 * sorted, ids from 1.
 */
import path from 'node:path';
import { badInput, OdraError, type Problem } from '../../shared/errors';
import { checkBox, clippedNote, type Box } from './box-policy';
import type { CanonicalAnnotation, CanonicalCategory, CanonicalDataset } from './canonical';
import {
  checkImages,
  compareNames,
  isFile,
  isImageFile,
  listFiles,
  parseDecimal,
  problemsError,
  quote,
  readText,
  requireDirectory,
  textLines,
  type ImageCandidate,
  type ImportOptions,
  yieldToEventLoop,
} from './import-common';
import { child, childText, children, parseXml, type XmlElement } from './xml-tree';
import { IMAGE_EXTENSIONS } from '../images/decode';

export const VOC_ANNOTATION_DIR = 'Annotations';
export const VOC_IMAGE_DIR = 'JPEGImages';
export const VOC_IMAGESETS_DIR = path.join('ImageSets', 'Main');

/** The 20 Pascal VOC classes in VOC's order, with the COCO class each one is. */
export const VOC_CLASSES: readonly { name: string; coco: string }[] = [
  { name: 'aeroplane', coco: 'airplane' },
  { name: 'bicycle', coco: 'bicycle' },
  { name: 'bird', coco: 'bird' },
  { name: 'boat', coco: 'boat' },
  { name: 'bottle', coco: 'bottle' },
  { name: 'bus', coco: 'bus' },
  { name: 'car', coco: 'car' },
  { name: 'cat', coco: 'cat' },
  { name: 'chair', coco: 'chair' },
  { name: 'cow', coco: 'cow' },
  { name: 'diningtable', coco: 'dining table' },
  { name: 'dog', coco: 'dog' },
  { name: 'horse', coco: 'horse' },
  { name: 'motorbike', coco: 'motorcycle' },
  { name: 'person', coco: 'person' },
  { name: 'pottedplant', coco: 'potted plant' },
  { name: 'sheep', coco: 'sheep' },
  { name: 'sofa', coco: 'couch' },
  { name: 'train', coco: 'train' },
  { name: 'tvmonitor', coco: 'tv' },
];

export interface VocObject {
  name: string;
  line: number;
  bbox: Box;
  clipped: boolean;
  difficult: boolean;
  extra: Record<string, unknown>;
}

export interface VocAnnotation {
  filename: string | null;
  width: number;
  height: number;
  objects: VocObject[];
  extra: Record<string, unknown>;
}

/** Object children that are structure, not attributes. */
const OBJECT_STRUCTURE = new Set(['name', 'bndbox', 'part', 'actions', 'point', 'difficult']);

/** Parses and checks one annotation XML; problems name the file and line. Pure. */
export function parseVocXml(text: string, file: string): { annotation: VocAnnotation | null; problems: Problem[] } {
  const problems: Problem[] = [];
  const at = (line: number, problem: string): void => void problems.push({ file, line, problem });
  let root: XmlElement;
  try {
    root = parseXml(text, file);
  } catch (err) {
    // reported with the other files' problems, not alone
    if (err instanceof OdraError && err.details?.problems?.length) return { annotation: null, problems: err.details.problems };
    throw err;
  }
  if (root.name !== 'annotation') {
    at(root.line, `the root element is <${root.name}>, not <annotation>`);
    return { annotation: null, problems };
  }
  const size = child(root, 'size');
  const width = size ? positiveInteger(childText(size, 'width')) : null;
  const height = size ? positiveInteger(childText(size, 'height')) : null;
  if (!size) {
    at(root.line, 'no <size>: the image size the boxes were drawn on is required (<size><width>..</width><height>..</height></size>)');
    return { annotation: null, problems };
  }
  if (width === null || height === null) {
    at(size.line, `<size> must hold a positive integer <width> and <height> (found ${quote(childText(size, 'width') ?? null)} x ${quote(childText(size, 'height') ?? null)})`);
    return { annotation: null, problems };
  }

  const objects: VocObject[] = [];
  for (const obj of children(root, 'object')) {
    const name = childText(obj, 'name');
    if (!name) {
      at(obj.line, '<object> without a <name>');
      continue;
    }
    const box = vocBox(obj);
    if ('problem' in box) {
      at(box.line, `object "${name}": ${box.problem}`);
      continue;
    }
    const checked = checkBox(box.bbox, width, height);
    if ('problem' in checked) {
      at(box.line, `object "${name}": ${checked.problem} (from xmin, ymin, xmax, ymax = ${box.raw.join(', ')})`);
      continue;
    }
    const difficult = flag(childText(obj, 'difficult'));
    objects.push({
      name,
      line: obj.line,
      bbox: checked.bbox,
      clipped: checked.clipped,
      difficult,
      extra: { ...plainValues(obj, OBJECT_STRUCTURE), difficult, ...(difficult ? { ignore: true } : {}) },
    });
  }
  const segmented = childText(root, 'segmented');
  const filename = childText(root, 'filename') || null;
  return {
    annotation: { filename, width, height, objects, extra: segmented !== undefined ? { segmented: flag(segmented) } : {} },
    problems,
  };
}

/** VOC's inclusive 1-based corners -> COCO [x, y, w, h] (detectron2's conversion). */
export function vocToCoco(xmin: number, ymin: number, xmax: number, ymax: number): Box {
  return [xmin - 1, ymin - 1, xmax - xmin + 1, ymax - ymin + 1];
}

function vocBox(obj: XmlElement): { bbox: Box; raw: number[]; line: number } | { problem: string; line: number } {
  const bndbox = child(obj, 'bndbox');
  if (!bndbox) return { problem: 'no <bndbox>', line: obj.line };
  const keys = ['xmin', 'ymin', 'xmax', 'ymax'] as const;
  const raw = keys.map((k) => childText(bndbox, k));
  const values = raw.map((v) => (v === undefined ? null : parseDecimal(v)));
  const bad = values.findIndex((v) => v === null);
  if (bad >= 0) {
    const found = raw[bad] === undefined ? 'missing' : `${quote(raw[bad])}, not a number`;
    return { problem: `<bndbox> <${keys[bad]}> is ${found}`, line: bndbox.line };
  }
  const [xmin, ymin, xmax, ymax] = values as number[];
  return { bbox: vocToCoco(xmin, ymin, xmax, ymax), raw: [xmin, ymin, xmax, ymax], line: bndbox.line };
}

function positiveInteger(text: string | undefined): number | null {
  const v = text === undefined ? null : parseDecimal(text);
  return v !== null && Number.isInteger(v) && v > 0 ? v : null;
}

/** VOC writes 0/1; some tools write true/false. */
function flag(text: string | undefined): boolean {
  return text === '1' || text?.toLowerCase() === 'true';
}

/** Children holding only text, as attributes: numbers as numbers. */
function plainValues(el: XmlElement, skip: ReadonlySet<string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const c of el.children) {
    if (skip.has(c.name) || c.children.length) continue;
    const t = c.text.trim();
    const n = parseDecimal(t);
    out[c.name] = n !== null ? n : t;
  }
  return out;
}

export async function readVocDataset(dir: string, options: ImportOptions = {}): Promise<CanonicalDataset> {
  const root = path.resolve(dir);
  const annDir = path.join(root, VOC_ANNOTATION_DIR);
  const imageRoot = path.join(root, VOC_IMAGE_DIR);
  await requireDirectory(root, 'dataset folder');
  await requireDirectory(annDir, `a Pascal VOC folder holds ${VOC_ANNOTATION_DIR}/`);
  await requireDirectory(imageRoot, `a Pascal VOC folder holds ${VOC_IMAGE_DIR}/`);

  const { split, ids, problems } = await chooseIds(root, annDir, options.split);
  if (problems.length) throw problemsError(`${problems.length} problem(s) in the image set of ${root}`, problems, root);
  if (!ids.length) throw badInput(`${root} has no annotations to import (${split ? `split "${split}" is empty` : `${annDir} is empty`})`, [], root);

  const imageFiles = await listFiles(imageRoot, { recursive: false, filter: isImageFile });
  // cameras and Windows tools write .JPG; the id in the XML name does not say which case
  const exact = new Set(imageFiles);
  const byLowerName = new Map(imageFiles.map((f) => [f.toLowerCase(), f]));
  const findImage = (name: string): string | undefined => (exact.has(name) ? name : byLowerName.get(name.toLowerCase()));
  const parsed: { id: string; file: string; annotation: VocAnnotation; fileName: string }[] = [];
  let done = 0;
  for (const id of ids) {
    options.signal?.throwIfAborted();
    const file = path.join(annDir, `${id}.xml`);
    const { annotation, problems: found } = parseVocXml(await readText(file), file);
    problems.push(...found);
    options.onProgress?.(++done, ids.length, 'reading annotations');
    if (!annotation) continue;
    const fileName = IMAGE_EXTENSIONS.map((ext) => findImage(`${id}${ext}`)).find((n) => n !== undefined) ?? (annotation.filename ? findImage(annotation.filename) : undefined);
    if (!fileName) {
      const also = annotation.filename ? ` or its <filename> ${annotation.filename}` : '';
      problems.push({ file, problem: `no image for it in ${imageRoot} (looked for ${id}.jpg, ${id}.png, ...${also})` });
      continue;
    }
    parsed.push({ id, file, annotation, fileName });
  }
  if (problems.length) throw problemsError(`${problems.length} problem(s) in the VOC annotations of ${root}`, problems, annDir);

  const candidates: ImageCandidate[] = parsed.map((p, i) => ({
    id: i + 1,
    fileName: p.fileName,
    stated: { width: p.annotation.width, height: p.annotation.height, by: `${VOC_ANNOTATION_DIR}/${p.id}.xml` },
    extra: { voc_id: p.id, ...p.annotation.extra },
  }));
  const images = await checkImages(root, imageRoot, candidates, options);

  const categories = vocCategories(parsed.flatMap((p) => p.annotation.objects.map((o) => o.name)));
  const categoryId = new Map(categories.map((c) => [c.name, c.id]));
  const annotations: CanonicalAnnotation[] = [];
  let clipped = 0;
  let difficult = 0;
  for (const [i, p] of parsed.entries()) {
    if (i % 500 === 499) await yieldToEventLoop(); // a long pass gives the thread back
    for (const o of p.annotation.objects) {
      if (o.clipped) clipped++;
      if (o.difficult) difficult++;
      annotations.push({
        id: annotations.length + 1,
        imageId: i + 1,
        categoryId: categoryId.get(o.name)!,
        bbox: o.bbox,
        area: o.bbox[2] * o.bbox[3],
        iscrowd: false,
        extra: o.extra,
      });
    }
  }
  const notes = [
    ...(split ? [`image set ImageSets/Main/${split}.txt`] : []),
    ...clippedNote(clipped),
    ...(difficult ? [`${difficult} object(s) marked difficult: kept as ground truth with ignore: true (the COCO metrics count them, the VOC protocol would skip them)`] : []),
  ];
  return {
    name: options.name ?? path.basename(root),
    format: 'voc',
    root,
    imageRoot,
    categories,
    images,
    annotations,
    notes,
    info: { split },
  };
}

export function vocCategories(names: readonly string[]): CanonicalCategory[] {
  const present = [...new Set(names)];
  const voc = new Map(VOC_CLASSES.map((c) => [c.name, c.coco]));
  if (present.every((n) => voc.has(n))) {
    return VOC_CLASSES.map((c, i) => ({ id: i + 1, name: c.name, supercategory: null, cocoEquivalent: c.coco }));
  }
  return present.sort(compareNames).map((name, i) => ({ id: i + 1, name, supercategory: null, cocoEquivalent: voc.get(name) ?? null }));
}

/** The annotation ids to import: from the split's image set, else every XML. */
async function chooseIds(root: string, annDir: string, wanted: string | undefined): Promise<{ split: string | null; ids: string[]; problems: Problem[] }> {
  const setsDir = path.join(root, VOC_IMAGESETS_DIR);
  const split = wanted ?? ((await isFile(path.join(setsDir, 'val.txt'))) ? 'val' : null);
  if (split === null) {
    const xmls = await listFiles(annDir, { recursive: false, filter: (n) => n.toLowerCase().endsWith('.xml') });
    return { split, ids: xmls.map((n) => n.slice(0, -4)), problems: [] };
  }
  const setFile = path.join(setsDir, `${split}.txt`);
  if (!(await isFile(setFile))) {
    // class-specific lists (car_val.txt) are not image sets of their own
    const have = (await listFiles(setsDir, { recursive: false, filter: (n) => n.endsWith('.txt') && !n.includes('_') }).catch(() => [])).map((n) => n.slice(0, -4));
    const hint = have.length ? `it has ${have.join(', ')}` : `there is no ${setsDir} folder`;
    throw badInput(`${setFile} not found: no image set "${split}" (${hint})`, [{ file: setFile, problem: 'not found' }], setFile);
  }
  const problems: Problem[] = [];
  const ids = new Set<string>();
  for (const { line, text } of textLines(await readText(setFile))) {
    const id = text.trim().split(/\s+/)[0];
    if (!id) continue;
    if (!(await isFile(path.join(annDir, `${id}.xml`)))) problems.push({ file: setFile, line, problem: `${id}: no ${VOC_ANNOTATION_DIR}/${id}.xml` });
    else ids.add(id);
  }
  return { split, ids: [...ids].sort(compareNames), problems };
}
