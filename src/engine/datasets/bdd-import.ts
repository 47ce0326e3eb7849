/**
 * Reading a BDD100K detection set (a JSON list of frames + an `images/` folder) into
 * the canonical form.
 *
 * The JSON: `[{name, attributes: {weather, timeofday, scene}, labels: [{id, category,
 * box2d: {x1, y1, x2, y2}, attributes: {occluded, truncated, trafficLightColor}}]}]`
 * (det_20 and the older bdd100k_labels_images_*.json), or Scalabel's `{frames: [...]}`.
 * It is the one *.json in the folder (or under labels/) that holds such frames; with
 * several, the one whose name contains the `split` option (default "val").
 * A frame's `name` is looked up under images/ as a path, else by file name anywhere
 * below images/ (the official layout is images/100k/<split>/).
 *
 * Categories: BDD100K's 10 detection classes (ids 1..10, the toolkit's order and
 * supercategories) with the COCO class each corresponds to. The toolkit's renames are
 * applied (bike, motor, person, caravan, van) and its ignored classes (other person,
 * other vehicle, trailer) become crowd regions (iscrowd) of pedestrian, car and truck,
 * as its COCO conversion does; a label with `crowd` or `ignored` set is a crowd region
 * too. Any other category on a box is an error naming the file and the frame. Labels
 * without box2d (lanes, drivable area) are skipped and counted in the notes.
 *
 * Box: Scalabel's box2d corners are inclusive pixel indices, so the toolkit's own
 * conversion [x1, y1, x2 - x1 + 1, y2 - y1 + 1] is used, then the common box policy
 * (box-policy.ts); area = the stored box's area. Frame attributes (weather,
 * timeofday, scene, ...) are kept on the image, label attributes on the annotation.
 */
import { open } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { badInput, type Problem } from '../../shared/errors';
import { checkBox, clippedNote, type Box } from './box-policy';
import { streamJsonFile, type StreamOptions } from './json-stream';
import type { CanonicalAnnotation, CanonicalCategory, CanonicalDataset } from './canonical';
import {
  checkImages,
  compareNames,
  isDirectory,
  isImageFile,
  listFiles,
  quote,
  requireDirectory,
  type ImportOptions,
  yieldToEventLoop,
} from './import-common';

export const BDD_IMAGE_DIR = 'images';

/** The 10 detection classes in the BDD100K toolkit's order (configs/det.toml). */
export const BDD_CLASSES: readonly { name: string; supercategory: string | null; coco: string | null }[] = [
  { name: 'pedestrian', supercategory: 'human', coco: 'person' },
  { name: 'rider', supercategory: 'human', coco: 'person' },
  { name: 'car', supercategory: 'vehicle', coco: 'car' },
  { name: 'truck', supercategory: 'vehicle', coco: 'truck' },
  { name: 'bus', supercategory: 'vehicle', coco: 'bus' },
  { name: 'train', supercategory: 'vehicle', coco: 'train' },
  { name: 'motorcycle', supercategory: 'bike', coco: 'motorcycle' },
  { name: 'bicycle', supercategory: 'bike', coco: 'bicycle' },
  { name: 'traffic light', supercategory: null, coco: 'traffic light' },
  { name: 'traffic sign', supercategory: null, coco: null },
];
/** the toolkit's name_mapping: older label files' names */
export const BDD_RENAMES: Readonly<Record<string, string>> = { bike: 'bicycle', caravan: 'car', motor: 'motorcycle', person: 'pedestrian', van: 'car' };
/** the toolkit's ignore_mapping: boxes kept as crowd (ignore) regions of a class */
export const BDD_IGNORED: Readonly<Record<string, string>> = { 'other person': 'pedestrian', 'other vehicle': 'car', trailer: 'truck' };

const finite = z.number().refine(Number.isFinite, 'must be a finite number');
const attributesSchema = z.record(z.string(), z.unknown());
const labelSchema = z
  .object({
    id: z.union([z.string(), z.number()]).optional(),
    category: z.string(),
    attributes: attributesSchema.nullish(),
    box2d: z.object({ x1: finite, y1: finite, x2: finite, y2: finite }).nullish(),
  })
  .passthrough();
const frameSchema = z
  .object({
    name: z.string().min(1),
    attributes: attributesSchema.nullish(),
    labels: z.array(z.unknown()).nullish(),
  })
  .passthrough();

export interface BddFrame {
  index: number;
  name: string;
  extra: Record<string, unknown>;
  objects: { category: string; bbox: Box; iscrowd: boolean; extra: Record<string, unknown> }[];
}

/** Validates the parsed JSON; problems name the file and the frame. Pure. */
export function parseBddJson(json: unknown, file: string): { frames: BddFrame[]; withoutBox: number; problems: Problem[] } {
  const list = Array.isArray(json) ? json : typeof json === 'object' && json !== null && Array.isArray((json as { frames?: unknown }).frames) ? (json as { frames: unknown[] }).frames : null;
  if (!list) throw notFrames(file);
  const reader = new BddReader(file);
  list.forEach((raw, index) => reader.frame(index, raw));
  return reader.result();
}

function notFrames(file: string): Error {
  return badInput(`${file} is not a BDD100K label file: expected a list of frames (or {"frames": [...]})`, [{ file, problem: 'not a list of frames' }], file);
}

/**
 * Reads a BDD100K label file as a stream (json-stream.ts): each frame is checked as it
 * arrives and only its boxes are kept, so lane and drivable-area polylines (most of a
 * large file) never accumulate.
 */
export async function streamBddFile(
  file: string,
  options: Pick<ImportOptions, 'signal' | 'onProgress'> & Pick<StreamOptions, 'chunkBytes'> = {},
): Promise<ReturnType<BddReader['result']>> {
  const reader = new BddReader(file);
  const shape = await streamJsonFile(file, { rootArray: true, arrays: ['frames'] }, (_key, index, raw) => reader.frame(index, raw), {
    signal: options.signal,
    chunkBytes: options.chunkBytes,
    onBytes: (read, total) => options.onProgress?.(read, total, 'reading labels'),
  });
  if (!(shape.root === 'array' || (shape.root === 'object' && shape.members.get('frames') === 'array'))) throw notFrames(file);
  return reader.result();
}

/** The BDD checks, one frame at a time. */
class BddReader {
  private readonly problems: Problem[] = [];
  private readonly frames: BddFrame[] = [];
  private readonly names = new Map<string, number>();
  private withoutBox = 0;
  private readonly known = new Set(BDD_CLASSES.map((c) => c.name));

  constructor(private readonly file: string) {}

  frame(index: number, raw: unknown): void {
    const { file, problems, names, known } = this;
    const f = frameSchema.safeParse(raw);
    if (!f.success) return void problems.push(...issues(f.error, file, `frame ${index}`));
    const where = `frame ${index} (${quote(f.data.name)})`;
    const at = (problem: string): void => void problems.push({ file, problem: `${where}: ${problem}` });
    if (names.has(f.data.name)) return at(`name also used by frame ${names.get(f.data.name)}`);
    names.set(f.data.name, index);
    const { name, attributes, labels, ...rest } = f.data;
    const frame: BddFrame = { index, name, extra: { ...pickScalars(rest), ...(attributes ?? {}) }, objects: [] };
    (labels ?? []).forEach((rawLabel, li) => {
      const l = labelSchema.safeParse(rawLabel);
      if (!l.success) return void problems.push(...issues(l.error, file, `${where}.labels[${li}]`));
      if (!l.data.box2d) {
        this.withoutBox++;
        return;
      }
      const original = l.data.category;
      const ignoredAs = BDD_IGNORED[original];
      const category = ignoredAs ?? BDD_RENAMES[original] ?? original;
      if (!known.has(category)) {
        return at(`labels[${li}]: unknown category ${quote(original)} (BDD100K detection classes: ${[...known].join(', ')})`);
      }
      const { x1, y1, x2, y2 } = l.data.box2d;
      const attrs = l.data.attributes ?? {};
      frame.objects.push({
        category,
        bbox: [x1, y1, x2 - x1 + 1, y2 - y1 + 1],
        iscrowd: ignoredAs !== undefined || attrs.crowd === true || attrs.ignored === true,
        extra: {
          ...attrs,
          ...(l.data.id !== undefined ? { bdd_id: l.data.id } : {}),
          ...(category !== original ? { bdd_category: original } : {}),
          labelIndex: li,
        },
      });
    });
    this.frames.push(frame);
  }

  result(): { frames: BddFrame[]; withoutBox: number; problems: Problem[] } {
    return { frames: this.frames, withoutBox: this.withoutBox, problems: this.problems };
  }
}

function pickScalars(obj: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => ['string', 'number', 'boolean'].includes(typeof v)));
}

function issues(error: z.ZodError, file: string, where: string): Problem[] {
  return error.issues.slice(0, 20).map((issue) => ({ file, problem: `${[where, ...issue.path.map(String)].join('.')}: ${issue.message}` }));
}

export const BDD_CATEGORIES: readonly CanonicalCategory[] = BDD_CLASSES.map((c, i) => ({
  id: i + 1,
  name: c.name,
  supercategory: c.supercategory,
  cocoEquivalent: c.coco,
}));

/** Does the file start like BDD100K frames (a list, or {frames}, with box2d)? Reads only its head. */
export async function looksLikeBddJson(file: string): Promise<boolean> {
  const handle = await open(file, 'r').catch(() => null);
  if (!handle) return false;
  try {
    const buf = Buffer.alloc(256 * 1024);
    const { bytesRead } = await handle.read(buf, 0, buf.length, 0);
    const head = buf.subarray(0, bytesRead).toString('utf8').replace(/^\uFEFF/, '').trimStart();
    return (head.startsWith('[') || /^\{\s*"frames"/.test(head)) && head.includes('"box2d"') && head.includes('"name"');
  } finally {
    await handle.close();
  }
}

/** The BDD100K label files of a folder: top-level *.json, and *.json below labels/. */
export async function findBddJsons(root: string): Promise<string[]> {
  const isJson = (n: string): boolean => n.toLowerCase().endsWith('.json');
  const top = (await listFiles(root, { recursive: false, filter: isJson }).catch(() => [])).map((n) => path.join(root, n));
  const labelsDir = path.join(root, 'labels');
  const below = (await isDirectory(labelsDir)) ? (await listFiles(labelsDir, { recursive: true, filter: isJson })).map((n) => path.join(labelsDir, n)) : [];
  const out: string[] = [];
  for (const f of [...top, ...below]) if (await looksLikeBddJson(f)) out.push(f);
  return out;
}

function chooseJson(root: string, candidates: string[], wanted: string | undefined): string {
  if (!candidates.length) {
    throw badInput(`${root} holds no BDD100K label file (a *.json list of frames with labels and box2d, at the top or under labels/)`, [{ file: root, problem: 'no BDD100K JSON' }], root);
  }
  const split = wanted ?? 'val';
  const named = candidates.filter((f) => new RegExp(`(^|[^a-z])${split.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}([^a-z]|$)`, 'i').test(path.basename(f, '.json')));
  if (named.length === 1) return named[0];
  if (wanted === undefined && candidates.length === 1) return candidates[0];
  const list = candidates.map((f) => path.relative(root, f)).join(', ');
  const why = named.length > 1 ? `several label files match "${split}"` : `no label file is named for split "${split}"`;
  throw badInput(`${root}: ${why} (found ${list}); choose the split`, [{ file: root, problem: why }], root);
}

export async function readBddDataset(dir: string, options: ImportOptions = {}): Promise<CanonicalDataset> {
  const root = path.resolve(dir);
  const imageRoot = path.join(root, BDD_IMAGE_DIR);
  await requireDirectory(root, 'dataset folder');
  const file = chooseJson(root, await findBddJsons(root), options.split);
  await requireDirectory(imageRoot, `a BDD100K folder holds the images in ${BDD_IMAGE_DIR}/`);
  const parsed = await streamBddFile(file, options);
  const problems = [...parsed.problems];
  if (problems.length) throw badInput(`${file}: ${problems.length} problem(s) in the labels`, problems, file);

  const index = await imageIndex(imageRoot);
  const located: { frame: BddFrame; fileName: string }[] = [];
  for (const frame of parsed.frames) {
    const found = index.locate(frame.name);
    if (typeof found === 'string') located.push({ frame, fileName: found });
    else problems.push({ file, problem: `frame ${frame.index} (${quote(frame.name)}): ${found.problem}` });
  }
  if (problems.length) throw badInput(`${file}: ${problems.length} frame(s) without a usable image`, problems, file);
  located.sort((a, b) => compareNames(a.fileName, b.fileName));

  const images = await checkImages(
    root,
    imageRoot,
    located.map((l, i) => ({ id: i + 1, fileName: l.fileName, extra: { bdd_name: l.frame.name, ...l.frame.extra } })),
    options,
  );
  const categoryId = new Map(BDD_CATEGORIES.map((c) => [c.name, c.id]));
  const annotations: CanonicalAnnotation[] = [];
  let clipped = 0;
  let crowd = 0;
  for (const [i, { frame }] of located.entries()) {
    if (i % 500 === 499) await yieldToEventLoop(); // a long pass gives the thread back
    const im = images[i];
    for (const o of frame.objects) {
      const box = checkBox(o.bbox, im.width, im.height);
      if ('problem' in box) {
        problems.push({ file, problem: `frame ${frame.index} (${quote(frame.name)}): labels[${String(o.extra.labelIndex)}]: ${box.problem}` });
        continue;
      }
      if (box.clipped) clipped++;
      if (o.iscrowd) crowd++;
      const { labelIndex: _labelIndex, ...extra } = o.extra;
      annotations.push({
        id: annotations.length + 1,
        imageId: im.id,
        categoryId: categoryId.get(o.category)!,
        bbox: box.bbox,
        area: box.bbox[2] * box.bbox[3],
        iscrowd: o.iscrowd,
        extra,
      });
    }
  }
  if (problems.length) throw badInput(`${file}: ${problems.length} problem(s) in the labels`, problems, file);
  const notes = [
    `labels from ${path.relative(root, file)}`,
    ...clippedNote(clipped),
    ...(crowd ? [`${crowd} box(es) of ignored classes or marked crowd kept as crowd regions`] : []),
    ...(parsed.withoutBox ? [`${parsed.withoutBox} label(s) without box2d (lanes, drivable area) skipped`] : []),
  ];
  return {
    name: options.name ?? path.basename(root),
    format: 'bdd',
    root,
    imageRoot,
    categories: [...BDD_CATEGORIES],
    images,
    annotations,
    notes,
    info: { labelFile: path.relative(root, file) },
  };
}

/** Frame name -> image path under images/: as a path first, else by unique file name. */
async function imageIndex(imageRoot: string): Promise<{ locate(name: string): string | { problem: string } }> {
  const files = await listFiles(imageRoot, { recursive: true, filter: isImageFile });
  const all = new Set(files);
  const byBase = new Map<string, string[]>();
  for (const f of files) {
    const base = f.slice(f.lastIndexOf('/') + 1);
    byBase.set(base, [...(byBase.get(base) ?? []), f]);
  }
  return {
    locate(name) {
      const rel = name.replace(/\\/g, '/').replace(/^\.\//, '');
      if (rel.split('/').includes('..') || path.isAbsolute(rel)) return { problem: 'name must be a path inside images/' };
      if (all.has(rel)) return rel;
      const hits = byBase.get(rel.slice(rel.lastIndexOf('/') + 1)) ?? [];
      if (hits.length === 1) return hits[0];
      if (hits.length > 1) return { problem: `several images have this name under ${imageRoot}: ${hits.slice(0, 3).join(', ')}` };
      return { problem: `no such image under ${imageRoot}` };
    },
  };
}
