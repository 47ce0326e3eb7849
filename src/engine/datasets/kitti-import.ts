/**
 * Reading a KITTI object folder (`image_2/` + `label_2/*.txt`) into the canonical form.
 *
 * Every frame needs both files: `label_2/<frame>.txt` and `image_2/<frame>.<ext>` (png
 * in KITTI, jpg in re-encoded copies); a label without an image or an image without a
 * label is an error, since a missing label file would silently turn every detection
 * on that frame into a false positive.
 *
 * A label line is `type truncated occluded alpha x1 y1 x2 y2 h w l x y z rotation_y`
 * (15 columns; 16 with a trailing score, as KITTI result files have): anything else
 * is an error naming the file and line. Box: KITTI's corners are 0-based pixel
 * coordinates, so [x1, y1, x2 - x1, y2 - y1], then the common box policy
 * (box-policy.ts); area = the stored box's area.
 *
 * `DontCare` lines are regions left unlabelled, not objects of a class: they are NOT
 * annotations. They are kept per image in `extra.dontcare_boxes` ([x, y, w, h], as
 * written) for tools that ignore detections there; the COCO evaluator does not use
 * them, so a detection inside one counts as a false positive there, as in any
 * COCO-style scoring of KITTI. truncated, occluded, alpha, the 3D box (dimensions
 * [h, w, l], location [x, y, z], rotation_y) and a score are kept as attributes.
 *
 * Categories: the 8 KITTI classes (ids 1..8 in KITTI's order, each with the COCO class
 * it corresponds to) when every type is one of them; otherwise the types found (KITTI's
 * first, then the others sorted; tools such as NVIDIA TAO write their own class names
 * in this format), ids from 1.
 */
import path from 'node:path';
import type { Problem } from '../../shared/errors';
import { badInput } from '../../shared/errors';
import { checkBox, clippedNote, type Box } from './box-policy';
import type { CanonicalAnnotation, CanonicalCategory, CanonicalDataset } from './canonical';
import {
  checkImages,
  compareNames,
  isImageFile,
  listFiles,
  parseDecimal,
  problemsError,
  quote,
  readText,
  requireDirectory,
  textLines,
  type ImportOptions,
  yieldToEventLoop,
} from './import-common';

export const KITTI_LABEL_DIR = 'label_2';
export const KITTI_IMAGE_DIR = 'image_2';
export const KITTI_DONTCARE = 'DontCare';

/** KITTI's classes in the devkit's order, with the COCO class each corresponds to (Cyclist: the rider). */
export const KITTI_CLASSES: readonly { name: string; coco: string | null }[] = [
  { name: 'Car', coco: 'car' },
  { name: 'Van', coco: 'car' },
  { name: 'Truck', coco: 'truck' },
  { name: 'Pedestrian', coco: 'person' },
  { name: 'Person_sitting', coco: 'person' },
  { name: 'Cyclist', coco: 'person' },
  { name: 'Tram', coco: 'train' },
  { name: 'Misc', coco: null },
];

export interface KittiObject {
  type: string;
  line: number;
  /** [x1, y1, x2 - x1, y2 - y1] as written, before the box policy */
  bbox: Box;
  extra: Record<string, unknown>;
}

const COLUMNS = 'type truncated occluded alpha x1 y1 x2 y2 h w l x y z rotation_y';

/** Parses one label file; problems name the file and line. Pure. */
export function parseKittiLabels(text: string, file: string): { objects: KittiObject[]; dontcare: Box[]; problems: Problem[] } {
  const objects: KittiObject[] = [];
  const dontcare: Box[] = [];
  const problems: Problem[] = [];
  for (const { line, text: raw } of textLines(text)) {
    const cols = raw.trim().split(/\s+/).filter(Boolean);
    if (!cols.length) continue;
    const at = (problem: string): void => void problems.push({ file, line, problem });
    if (cols.length !== 15 && cols.length !== 16) {
      at(`${cols.length} columns; a KITTI label line has 15 (${COLUMNS}) or 16 (with a score)`);
      continue;
    }
    const values = cols.slice(1).map(parseDecimal);
    const bad = values.findIndex((v) => v === null);
    if (bad >= 0) {
      at(`column ${bad + 2} (${COLUMNS.split(' ')[bad + 1] ?? 'score'}) is ${quote(cols[bad + 1])}, not a number`);
      continue;
    }
    const v = values as number[];
    const [x1, y1, x2, y2] = v.slice(3, 7);
    const bbox: Box = [x1, y1, x2 - x1, y2 - y1];
    const type = cols[0];
    if (!(x2 > x1 && y2 > y1)) {
      at(`${type}: box x1 ${x1}, y1 ${y1}, x2 ${x2}, y2 ${y2} has a non-positive width or height`);
      continue;
    }
    if (type === KITTI_DONTCARE) {
      dontcare.push(bbox);
      continue;
    }
    objects.push({
      type,
      line,
      bbox,
      extra: {
        truncated: v[0],
        occluded: v[1],
        alpha: v[2],
        dimensions: v.slice(7, 10),
        location: v.slice(10, 13),
        rotation_y: v[13],
        ...(v.length === 15 ? { score: v[14] } : {}),
      },
    });
  }
  return { objects, dontcare, problems };
}

export function kittiCategories(types: readonly string[]): CanonicalCategory[] {
  const present = new Set(types);
  const kitti = new Map(KITTI_CLASSES.map((c) => [c.name, c.coco]));
  const names = [...present].every((t) => kitti.has(t))
    ? KITTI_CLASSES.map((c) => c.name)
    : [...KITTI_CLASSES.map((c) => c.name).filter((n) => present.has(n)), ...[...present].filter((t) => !kitti.has(t)).sort(compareNames)];
  return names.map((name, i) => ({ id: i + 1, name, supercategory: null, cocoEquivalent: kitti.get(name) ?? null }));
}

export async function readKittiDataset(dir: string, options: ImportOptions = {}): Promise<CanonicalDataset> {
  const root = path.resolve(dir);
  const labelDir = path.join(root, KITTI_LABEL_DIR);
  const imageRoot = path.join(root, KITTI_IMAGE_DIR);
  await requireDirectory(root, 'dataset folder');
  await requireDirectory(labelDir, `a KITTI folder holds ${KITTI_LABEL_DIR}/`);
  await requireDirectory(imageRoot, `a KITTI folder holds ${KITTI_IMAGE_DIR}/`);
  if (options.split !== undefined) {
    throw badInput(`a KITTI folder has no splits (asked for "${options.split}"): choose the folder holding label_2/ and image_2/`, [], root);
  }

  const labelFiles = await listFiles(labelDir, { recursive: false, filter: (n) => n.toLowerCase().endsWith('.txt') });
  const imageFiles = await listFiles(imageRoot, { recursive: false, filter: isImageFile });
  const imageOf = new Map<string, string>();
  const problems: Problem[] = [];
  for (const name of imageFiles) {
    const frame = name.slice(0, name.length - path.extname(name).length);
    if (imageOf.has(frame)) problems.push({ file: path.join(imageRoot, name), problem: `frame ${frame} has two images (${imageOf.get(frame)}, ${name})` });
    else imageOf.set(frame, name);
  }
  const frames = labelFiles.map((n) => n.slice(0, -4));
  const labelled = new Set(frames);
  for (const [frame, name] of imageOf) {
    if (!labelled.has(frame)) problems.push({ file: path.join(imageRoot, name), problem: `no label file ${KITTI_LABEL_DIR}/${frame}.txt for this image` });
  }
  if (!frames.length) throw badInput(`${labelDir} holds no label files`, [{ file: labelDir, problem: 'no .txt files' }], labelDir);

  const parsed: { frame: string; file: string; fileName: string; objects: KittiObject[]; dontcare: Box[] }[] = [];
  let done = 0;
  for (const frame of frames) {
    options.signal?.throwIfAborted();
    const file = path.join(labelDir, `${frame}.txt`);
    const result = parseKittiLabels(await readText(file), file);
    problems.push(...result.problems);
    options.onProgress?.(++done, frames.length, 'reading labels');
    const fileName = imageOf.get(frame);
    if (!fileName) {
      problems.push({ file, problem: `no image for frame ${frame} in ${imageRoot} (looked for ${frame}.png, ${frame}.jpg, ...)` });
      continue;
    }
    parsed.push({ frame, file, fileName, objects: result.objects, dontcare: result.dontcare });
  }
  if (problems.length) throw problemsError(`${problems.length} problem(s) in the KITTI labels of ${root}`, problems, labelDir);

  const images = await checkImages(
    root,
    imageRoot,
    parsed.map((p, i) => ({ id: i + 1, fileName: p.fileName, extra: { kitti_frame: p.frame, dontcare_boxes: p.dontcare } })),
    options,
  );
  const categories = kittiCategories(parsed.flatMap((p) => p.objects.map((o) => o.type)));
  const categoryId = new Map(categories.map((c) => [c.name, c.id]));
  const annotations: CanonicalAnnotation[] = [];
  let clipped = 0;
  let dontcare = 0;
  for (const [i, p] of parsed.entries()) {
    if (i % 500 === 499) await yieldToEventLoop(); // a long pass gives the thread back
    const im = images[i];
    dontcare += p.dontcare.length;
    for (const o of p.objects) {
      const box = checkBox(o.bbox, im.width, im.height);
      if ('problem' in box) {
        problems.push({ file: p.file, line: o.line, problem: `${o.type}: ${box.problem}` });
        continue;
      }
      if (box.clipped) clipped++;
      annotations.push({
        id: annotations.length + 1,
        imageId: im.id,
        categoryId: categoryId.get(o.type)!,
        bbox: box.bbox,
        area: box.bbox[2] * box.bbox[3],
        iscrowd: false,
        extra: o.extra,
      });
    }
  }
  if (problems.length) throw problemsError(`${problems.length} problem(s) in the KITTI labels of ${root}`, problems, labelDir);
  const notes = [
    ...clippedNote(clipped),
    ...(dontcare ? [`${dontcare} DontCare region(s) kept per image as dontcare_boxes, not as annotations`] : []),
  ];
  return {
    name: options.name ?? path.basename(root),
    format: 'kitti',
    root,
    imageRoot,
    categories,
    images,
    annotations,
    notes,
    info: {},
  };
}
