/**
 * Reading an Ultralytics YOLO dataset (`data.yaml` + `images/` + `labels/*.txt`) into the
 * canonical form.
 *
 * data.yaml: `names` as a list or an `{index: name}` map (an `nc` that disagrees is an
 * error); `train` / `val` / `test` each a folder, a .txt list of image paths, or a list
 * of those. They are resolved as Ultralytics resolves them: against the data.yaml
 * folder (or its `path` when the split is not found there), and a leading '../' that
 * leads nowhere is dropped (Roboflow exports write `../valid/images`). With no split
 * keys at all, the flat layout `images/` + `labels/` is read. Which split: the `split`
 * option, else `val` if present, else the first one the file lists.
 *
 * Labels: the label of `.../images/<rest>.<ext>` is `.../labels/<rest>.txt` (the last
 * `/images/` of the path replaced, as Ultralytics does); an image without a label file
 * is an image without objects (Ultralytics' background images). Each line is
 * `class cx cy w h`, normalised to the image size: exactly 5 columns; `class` an
 * integer among the names; cx, cy, w, h in [0, 1] within YOLO_TOLERANCE (exporters
 * round); w, h > 0. Exact duplicate lines are dropped, as Ultralytics drops them, and
 * counted in the notes.
 *
 * Canonical form: category id = the YOLO class index; box = [(cx - w/2) W, (cy - h/2) H,
 * w W, h H] with W x H read from the image, then the common box policy (box-policy.ts);
 * area = the stored box's area.
 */
import path from 'node:path';
import { load, YAMLException } from 'js-yaml';
import { isInsideOrAt } from '../../platform/node/paths';
import { badInput, type Problem } from '../../shared/errors';
import { checkBox, clippedNote } from './box-policy';
import type { CanonicalAnnotation, CanonicalCategory, CanonicalDataset } from './canonical';
import {
  checkImages,
  compareNames,
  isDirectory,
  isFile,
  isImageFile,
  listFiles,
  parseDecimal,
  problemsError,
  quote,
  readText,
  requireDirectory,
  textLines,
  toPosix,
  type ImportOptions,
  yieldToEventLoop,
} from './import-common';

export const YOLO_YAML_NAMES = ['data.yaml', 'data.yml'] as const;
export const YOLO_SPLIT_KEYS = ['train', 'val', 'test'] as const;
/** the images folder of the flat layout, read when data.yaml names no split */
const FLAT_IMAGE_DIR = 'images';
/** how far outside [0, 1] a normalised value may lie before it is an error (rounding in exporters) */
export const YOLO_TOLERANCE = 1e-3;

/** data.yaml (or data.yml), else the one top-level .yaml/.yml that has `names:`; null if none. */
export async function findYoloYaml(root: string): Promise<string | null> {
  for (const name of YOLO_YAML_NAMES) {
    if (await isFile(path.join(root, name))) return path.join(root, name);
  }
  const yamls = (await listFiles(root, { recursive: false, filter: (n) => /\.ya?ml$/i.test(n) }).catch(() => [])).map((n) => path.join(root, n));
  const withNames: string[] = [];
  for (const file of yamls) {
    if (/^names\s*:/m.test(await readText(file).catch(() => ''))) withNames.push(file);
  }
  return withNames.length === 1 ? withNames[0] : null;
}

export interface YoloConfig {
  /** class index -> name */
  names: Map<number, string>;
  /** split key -> entries (folders or .txt lists), in the order the file gives them */
  splits: Map<string, string[]>;
  /** the `path` key, if any */
  path: string | null;
}

/** Parses and checks data.yaml's text; pure, so it is tested without files. */
export function parseYoloYaml(text: string, file: string): YoloConfig {
  let doc: unknown;
  try {
    doc = load(text, { filename: file });
  } catch (err) {
    if (err instanceof YAMLException) {
      const line = err.mark ? err.mark.line + 1 : undefined;
      const where = line !== undefined ? ` (line ${line})` : '';
      throw badInput(`${file} is not valid YAML${where}: ${err.reason}`, [{ file, line, problem: err.reason }], file);
    }
    throw err;
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    throw badInput(`${file} must be a YAML mapping with names: and train:/val:`, [{ file, problem: 'not a mapping' }], file);
  }
  const y = doc as Record<string, unknown>;
  const problems: Problem[] = [];
  const at = (key: string, problem: string): void => void problems.push({ file, line: keyLine(text, key), problem: `${key}: ${problem}` });

  const names = new Map<number, string>();
  if (Array.isArray(y.names)) {
    y.names.forEach((n, i) => {
      if (typeof n === 'string' || typeof n === 'number') names.set(i, String(n));
      else at('names', `entry ${i} is ${quote(n)}, not a class name`);
    });
  } else if (typeof y.names === 'object' && y.names !== null) {
    for (const [key, n] of Object.entries(y.names)) {
      const index = Number(key);
      if (!Number.isInteger(index) || index < 0) at('names', `key ${quote(key)} is not a class index (0, 1, ...)`);
      else if (typeof n === 'string' || typeof n === 'number') names.set(index, String(n));
      else at('names', `class ${key} is ${quote(n)}, not a class name`);
    }
  } else {
    at('names', `missing or not a list / {index: name} map (found ${quote(y.names ?? null)})`);
  }
  if (y.names !== undefined && names.size === 0 && !problems.length) at('names', 'no classes');
  if (y.nc !== undefined && y.nc !== null && names.size && y.nc !== names.size) {
    at('nc', `${quote(y.nc)} but names lists ${names.size} class(es)`);
  }

  const splits = new Map<string, string[]>();
  for (const key of Object.keys(y)) {
    if (!(YOLO_SPLIT_KEYS as readonly string[]).includes(key) || y[key] === null || y[key] === undefined) continue;
    const v = y[key];
    const entries = typeof v === 'string' ? [v] : Array.isArray(v) && v.every((e) => typeof e === 'string') ? (v as string[]) : null;
    if (!entries || entries.some((e) => !e.trim())) at(key, `must be a folder, a .txt list of images, or a list of those (found ${quote(v)})`);
    else splits.set(key, entries);
  }
  const p = y.path;
  if (p !== undefined && p !== null && typeof p !== 'string') at('path', `must be a folder (found ${quote(p)})`);
  if (problems.length) throw badInput(`${file}: ${problems.length} problem(s) in the dataset description`, problems, file);
  return { names, splits, path: typeof p === 'string' && p.trim() ? p : null };
}

/** The 1-based line where a top-level key is written, for messages. */
/**
 * Class names of a YOLO data.yaml given as a names file (`--names`, the model import
 * dialog): the names parseYoloYaml reads, in class order, a gap in an index map named
 * `class_<i>`. Throws BAD_INPUT naming the file and line as parseYoloYaml does.
 */
export function yoloClassNames(text: string, file: string): string[] {
  const { names } = parseYoloYaml(text, file);
  const max = Math.max(...names.keys());
  // A sparse map with a huge index is not a names table; refuse rather than allocate.
  if (max >= names.size * 4 + 16) {
    throw badInput(`${file}: names has index ${max} for ${names.size} class(es)`, [{ file, line: keyLine(text, 'names'), problem: `names: index ${max} for ${names.size} class(es)` }], file);
  }
  return Array.from({ length: max + 1 }, (_, k) => names.get(k) ?? `class_${k}`);
}

function keyLine(text: string, key: string): number | undefined {
  const index = textLines(text).findIndex((l) => new RegExp(`^${key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*:`).test(l.text));
  return index >= 0 ? index + 1 : undefined;
}

/** Ultralytics' img2label_paths: the last `/images/` becomes `/labels/`, the extension `.txt`. */
export function labelPathFor(imagePath: string): string {
  const sa = `${path.sep}images${path.sep}`;
  const sb = `${path.sep}labels${path.sep}`;
  const i = imagePath.lastIndexOf(sa);
  const swapped = i < 0 ? imagePath : imagePath.slice(0, i) + sb + imagePath.slice(i + sa.length);
  const ext = path.extname(swapped);
  return `${ext ? swapped.slice(0, -ext.length) : swapped}.txt`;
}

export interface YoloLabel {
  line: number;
  classIndex: number;
  cx: number;
  cy: number;
  w: number;
  h: number;
}

/** Parses one label file; problems name the file and line. Pure. */
export function parseYoloLabels(text: string, file: string, classCount: Map<number, string>): { labels: YoloLabel[]; duplicates: number; problems: Problem[] } {
  const labels: YoloLabel[] = [];
  const problems: Problem[] = [];
  const seen = new Set<string>();
  let duplicates = 0;
  for (const { line, text: raw } of textLines(text)) {
    const cols = raw.trim().split(/\s+/).filter(Boolean);
    if (!cols.length) continue;
    const at = (problem: string): void => void problems.push({ file, line, problem });
    if (cols.length !== 5) {
      const hint = cols.length === 6 ? ' (6 columns look like a predictions file with a confidence column)' : cols.length === 4 ? ' (is the class column missing?)' : '';
      at(`${cols.length} columns; a YOLO detection label line is "class cx cy w h" (5 columns)${hint}`);
      continue;
    }
    const values = cols.map(parseDecimal);
    const bad = values.findIndex((v) => v === null || !Number.isFinite(v));
    if (bad >= 0) {
      at(`column ${bad + 1} is ${quote(cols[bad])}, not a number`);
      continue;
    }
    const [c, cx, cy, w, h] = values as number[];
    if (!Number.isInteger(c) || !classCount.has(c)) {
      const known = [...classCount.keys()].sort((a, b) => a - b);
      at(`class ${cols[0]} is not among the ${known.length} class(es) of data.yaml (${known[0]}..${known[known.length - 1]})`);
      continue;
    }
    const outside = (['cx', 'cy', 'w', 'h'] as const).filter((_, k) => values[k + 1]! < -YOLO_TOLERANCE || values[k + 1]! > 1 + YOLO_TOLERANCE);
    if (outside.length) {
      at(`${outside.join(', ')} outside [0, 1]: YOLO coordinates are normalised to the image size (line "${raw.trim()}")`);
      continue;
    }
    if (w <= 0 || h <= 0) {
      at(`non-positive width or height (line "${raw.trim()}")`);
      continue;
    }
    const key = values.join(' ');
    if (seen.has(key)) {
      duplicates++;
      continue;
    }
    seen.add(key);
    labels.push({ line, classIndex: c, cx, cy, w, h });
  }
  return { labels, duplicates, problems };
}

/** Normalised YOLO box -> COCO [x, y, w, h] in pixels. */
export function yoloToPixels(label: Pick<YoloLabel, 'cx' | 'cy' | 'w' | 'h'>, width: number, height: number): [number, number, number, number] {
  return [(label.cx - label.w / 2) * width, (label.cy - label.h / 2) * height, label.w * width, label.h * height];
}

export async function readYoloDataset(dir: string, options: ImportOptions = {}): Promise<CanonicalDataset> {
  const folder = path.resolve(dir);
  await requireDirectory(folder, 'dataset folder');
  const yamlFile = await findYoloYaml(folder);
  if (!yamlFile) {
    const file = path.join(folder, YOLO_YAML_NAMES[0]);
    throw badInput(`${file} not found: a YOLO dataset folder holds data.yaml`, [{ file, problem: 'not found' }], file);
  }
  const config = parseYoloYaml(await readText(yamlFile), yamlFile);
  const { split, entries } = chooseSplit(config, options.split, yamlFile);
  if (split === null && !(await isDirectory(path.join(folder, FLAT_IMAGE_DIR)))) {
    const flat = path.join(folder, FLAT_IMAGE_DIR);
    throw badInput(`${yamlFile} names no split (train:, val:, test:) and there is no ${flat} folder`, [{ file: yamlFile, problem: 'no split and no images/ folder' }], yamlFile);
  }
  const base = await resolveBase(folder, config.path, entries, yamlFile);

  const problems: Problem[] = [];
  const imagePaths = new Set<string>();
  for (const entry of entries) {
    for (const p of await imagesOfEntry(base, entry, yamlFile, problems)) imagePaths.add(p);
  }
  if (problems.length) throw problemsError(`${problems.length} problem(s) in the image lists of ${yamlFile}`, problems, yamlFile);
  const files = [...imagePaths].map((p) => toPosix(path.relative(base, p))).sort(compareNames);
  if (!files.length) {
    throw badInput(`split "${split ?? 'images'}" of ${yamlFile} has no images (${entries.join(', ')})`, [{ file: yamlFile, problem: 'no images' }], yamlFile);
  }

  const labels = new Map<string, YoloLabel[]>();
  let duplicates = 0;
  let withoutLabel = 0;
  let read = 0;
  for (const fileName of files) {
    options.signal?.throwIfAborted();
    const labelFile = labelPathFor(path.join(base, fileName));
    if (await isFile(labelFile)) {
      const parsed = parseYoloLabels(await readText(labelFile), labelFile, config.names);
      problems.push(...parsed.problems);
      duplicates += parsed.duplicates;
      labels.set(fileName, parsed.labels);
    } else {
      withoutLabel++;
    }
    options.onProgress?.(++read, files.length, 'reading labels');
  }
  if (problems.length) throw problemsError(`${problems.length} problem(s) in the YOLO labels of ${base}`, problems, base);

  const images = await checkImages(
    base,
    base,
    files.map((fileName, i) => ({ id: i + 1, fileName, extra: {} })),
    options,
  );
  const annotations: CanonicalAnnotation[] = [];
  let clipped = 0;
  for (const [i, im] of images.entries()) {
    if (i % 500 === 499) await yieldToEventLoop(); // a long pass gives the thread back
    const labelFile = labelPathFor(path.join(base, im.fileName));
    for (const label of labels.get(im.fileName) ?? []) {
      const box = checkBox(yoloToPixels(label, im.width, im.height), im.width, im.height);
      if ('problem' in box) {
        problems.push({ file: labelFile, line: label.line, problem: box.problem });
        continue;
      }
      if (box.clipped) clipped++;
      annotations.push({
        id: annotations.length + 1,
        imageId: im.id,
        categoryId: label.classIndex,
        bbox: box.bbox,
        area: box.bbox[2] * box.bbox[3],
        iscrowd: false,
        extra: {},
      });
    }
  }
  if (problems.length) throw problemsError(`${problems.length} problem(s) in the YOLO labels of ${base}`, problems, base);

  const categories: CanonicalCategory[] = [...config.names]
    .sort(([a], [b]) => a - b)
    .map(([id, name]) => ({ id, name, supercategory: null, cocoEquivalent: null }));
  const notes = [
    ...(split ? [`split "${split}" of ${path.basename(yamlFile)}`] : []),
    ...clippedNote(clipped),
    ...(withoutLabel ? [`${withoutLabel} image(s) have no label file: imported as images without objects`] : []),
    ...(duplicates ? [`${duplicates} duplicate label line(s) dropped`] : []),
  ];
  return {
    name: options.name ?? path.basename(folder),
    format: 'yolo',
    root: base,
    imageRoot: base,
    categories,
    images,
    annotations,
    notes,
    info: { split, dataYaml: toPosix(path.relative(base, yamlFile)) },
  };
}

function chooseSplit(config: YoloConfig, wanted: string | undefined, file: string): { split: string | null; entries: string[] } {
  const keys = [...config.splits.keys()];
  if (wanted !== undefined) {
    const entries = config.splits.get(wanted);
    if (!entries) {
      const have = keys.length ? `it has ${keys.join(', ')}` : 'it names no split';
      throw badInput(`${file} has no split "${wanted}": ${have}`, [{ file, problem: `no split "${wanted}"` }], file);
    }
    return { split: wanted, entries };
  }
  if (!keys.length) return { split: null, entries: [FLAT_IMAGE_DIR] };
  const split = config.splits.has('val') ? 'val' : keys[0];
  return { split, entries: config.splits.get(split)! };
}

/**
 * The folder the split's entries are relative to: data.yaml's folder, else its `path`.
 * It becomes the dataset root, so every image file lies inside it.
 */
async function resolveBase(folder: string, yamlPath: string | null, entries: string[], file: string): Promise<string> {
  const bases = [folder, ...(yamlPath ? [path.resolve(folder, yamlPath)] : [])];
  for (const base of bases) {
    if (!(await isDirectory(base))) continue;
    let found = true;
    for (const e of entries) if ((await locateEntry(base, e)) === null) found = false;
    if (found) return base;
  }
  const looked = bases.flatMap((b) => entries.map((e) => path.resolve(b, e)));
  throw badInput(
    `the images of ${file} are not where it says: looked for ${looked.join(', ')}`,
    looked.map((l) => ({ file: l, problem: 'not found' })),
    file,
  );
}

/** Ultralytics drops a leading '../' that leads nowhere (Roboflow writes `../valid/images`). */
async function locateEntry(base: string, entry: string): Promise<string | null> {
  const candidates = [path.resolve(base, entry), ...(entry.startsWith('../') ? [path.resolve(base, entry.slice(3))] : [])];
  for (const c of candidates) if ((await isDirectory(c)) || (await isFile(c))) return c;
  return null;
}

/** Absolute paths of the images a split entry names (a folder, searched recursively, or a .txt list). */
async function imagesOfEntry(base: string, entry: string, yamlFile: string, problems: Problem[]): Promise<string[]> {
  const where = (await locateEntry(base, entry))!;
  if (!isInsideOrAt(base, where)) {
    problems.push({ file: yamlFile, problem: `${entry} lies outside the dataset folder ${base}` });
    return [];
  }
  if (await isDirectory(where)) {
    return (await listFiles(where, { recursive: true, filter: isImageFile })).map((rel) => path.join(where, rel));
  }
  if (!where.toLowerCase().endsWith('.txt')) {
    problems.push({ file: where, problem: 'a split must be a folder of images or a .txt list of image paths' });
    return [];
  }
  const out: string[] = [];
  for (const { line, text } of textLines(await readText(where))) {
    const rel = text.trim();
    if (!rel) continue;
    // Ultralytics reads list entries relative to the list's folder.
    const p = path.resolve(path.dirname(where), rel);
    if (!isInsideOrAt(base, p)) problems.push({ file: where, line, problem: `${rel} lies outside the dataset folder ${base}` });
    else if (!isImageFile(p)) problems.push({ file: where, line, problem: `${rel} is not an image file (${path.extname(p) || 'no extension'})` });
    else if (!(await isFile(p))) problems.push({ file: where, line, problem: `${rel}: no such image` });
    else out.push(p);
  }
  return out;
}
