/**
 * Small COCO datasets built in temp folders for the importer's negative tests: a good
 * base of a few real images from ../shared (copied, never modified in place), and one
 * builder per way a dataset can be wrong. Each builder says which file the error
 * message must name and what it must say, so the same cases serve the engine, the
 * store-unchanged check and the CLI.
 */
import { chmod, copyFile, mkdir, mkdtemp, readFile, rm, symlink, unlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type Database from 'better-sqlite3';
import { sharedPath } from './shared';

export interface CocoImageJson {
  id: number;
  file_name: string;
  width: number;
  height: number;
  [key: string]: unknown;
}
export interface CocoAnnotationJson {
  id: number;
  image_id: number;
  category_id: number;
  bbox: unknown[];
  area?: number;
  iscrowd?: number;
  [key: string]: unknown;
}
export interface CocoCategoryJson {
  id: number;
  name: string;
  [key: string]: unknown;
}
export interface CocoJson {
  images: CocoImageJson[];
  annotations: CocoAnnotationJson[];
  categories: CocoCategoryJson[];
  [key: string]: unknown;
}

export const SOURCE_DATASET = 'coco128_val2017_driving';

export function annotationsFile(dir: string): string {
  return path.join(dir, 'annotations.json');
}

export function imageFile(dir: string, fileName: string): string {
  return path.join(dir, 'images', fileName);
}

export async function readCocoJson(file: string): Promise<CocoJson> {
  return JSON.parse(await readFile(file, 'utf8')) as CocoJson;
}

/** Pretty-printed (one value per line) so that a syntax error has a line of its own. */
export async function writeCocoJson(dir: string, json: CocoJson): Promise<void> {
  await writeFile(annotationsFile(dir), JSON.stringify(json, null, 1));
}

export async function makeTempDir(prefix: string): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), `odra-${prefix}-`));
}

export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

/**
 * A valid dataset of the first `imageCount` annotated images of the shared
 * coco128_val2017_driving set (all 80 categories kept), written to `dir`.
 */
export async function makeGoodDataset(dir: string, imageCount = 3): Promise<CocoJson> {
  const sourceDir = sharedPath('data', 'datasets', SOURCE_DATASET);
  const source = await readCocoJson(annotationsFile(sourceDir));
  const annotated = new Set(source.annotations.map((a) => a.image_id));
  const images = [...source.images]
    .filter((im) => annotated.has(im.id))
    .sort((a, b) => a.id - b.id)
    .slice(0, imageCount);
  const ids = new Set(images.map((im) => im.id));
  const json: CocoJson = {
    info: { description: 'odra test dataset built from coco128_val2017_driving' },
    images,
    annotations: source.annotations.filter((a) => ids.has(a.image_id)),
    categories: source.categories,
  };
  await mkdir(path.join(dir, 'images'), { recursive: true });
  for (const im of images) {
    const target = imageFile(dir, im.file_name);
    await copyFile(imageFile(sourceDir, im.file_name), target);
    // The shared files are read-only and so are their copies; the cases overwrite some.
    await chmod(target, 0o644);
  }
  await writeCocoJson(dir, json);
  return json;
}

export interface Expectation {
  /** absolute path that the error message must name */
  file: string;
  /** what the message must say about it */
  problem: RegExp;
  /** the line a JSON syntax error must be reported at */
  line?: number;
}

export interface BrokenCase {
  name: string;
  /** turns the good dataset in `dir` (as written by makeGoodDataset) into a broken one */
  make(dir: string, json: CocoJson): Promise<Expectation>;
}

const clone = (json: CocoJson): CocoJson => structuredClone(json);

/** Edits one copy of the JSON and writes it; the problem is reported against annotations.json. */
function jsonCase(name: string, edit: (json: CocoJson) => RegExp): BrokenCase {
  return {
    name,
    async make(dir, json) {
      const copy = clone(json);
      const problem = edit(copy);
      await writeCocoJson(dir, copy);
      return { file: annotationsFile(dir), problem };
    },
  };
}

/** Replaces one line of the pretty-printed JSON; the error must be reported on that line. */
function syntaxCase(name: string, edit: (lines: string[]) => number): BrokenCase {
  return {
    name,
    async make(dir, json) {
      const lines = JSON.stringify(json, null, 1).split('\n');
      const index = edit(lines);
      await writeFile(annotationsFile(dir), lines.join('\n'));
      const line = index + 1;
      return { file: annotationsFile(dir), problem: new RegExp(`is not valid JSON \\(line ${line}\\b`), line };
    },
  };
}

function lineIndex(lines: string[], pattern: RegExp, from = 0): number {
  const index = lines.findIndex((l, i) => i >= from && pattern.test(l));
  if (index < 0) throw new Error(`test setup: no line matches ${pattern}`);
  return index;
}

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Every case must fail the import as BAD_INPUT and leave the store untouched. */
export const BROKEN_CASES: readonly BrokenCase[] = [
  {
    name: 'missing image file',
    async make(dir, json) {
      const file = imageFile(dir, json.images[1].file_name);
      await unlink(file);
      return { file, problem: new RegExp(`image ${json.images[1].id} is missing`) };
    },
  },
  {
    name: 'garbage bytes named .jpg',
    async make(dir, json) {
      const file = imageFile(dir, json.images[0].file_name);
      await writeFile(file, Buffer.from('this is not a JPEG, only text with a .jpg name\n'.repeat(20)));
      return { file, problem: new RegExp(`image ${json.images[0].id} cannot be decoded`) };
    },
  },
  {
    name: 'truncated JPEG',
    async make(dir, json) {
      const file = imageFile(dir, json.images[2].file_name);
      const bytes = await readFile(file);
      // The header survives, so the size is readable and only the decode can notice.
      await writeFile(file, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
      return { file, problem: new RegExp(`image ${json.images[2].id} cannot be decoded`) };
    },
  },
  syntaxCase('invalid JSON: doubled comma', (lines) => {
    const i = lineIndex(lines, /"file_name":/, lineIndex(lines, /"images":/));
    lines[i] = `${lines[i]},`;
    return i;
  }),
  syntaxCase('invalid JSON: trailing comma before ]', (lines) => {
    // the last category entry's closing brace, followed by the categories' ']'
    const close = lines.length - 2;
    if (lines[close].trim() !== ']') throw new Error('test setup: unexpected JSON layout');
    lines[close - 1] = `${lines[close - 1]},`;
    return close;
  }),
  syntaxCase('invalid JSON: bare word as a value', (lines) => {
    const i = lineIndex(lines, /"iscrowd": 0/);
    lines[i] = lines[i].replace('0', 'no');
    return i;
  }),
  syntaxCase('invalid JSON: truncated file', (lines) => {
    const keep = Math.floor(lines.length / 2);
    lines.splice(keep);
    // nothing follows the last kept line: the error is at its end
    return keep - 1;
  }),
  jsonCase('not a COCO instances file (no annotations list)', (json) => {
    delete (json as Partial<CocoJson>).annotations;
    return /is not a COCO instances file[\s\S]*annotations/;
  }),
  jsonCase('duplicate image ids', (json) => {
    json.images[1].id = json.images[0].id;
    return new RegExp(`images\\[1\\]: duplicate image id ${json.images[0].id}`);
  }),
  jsonCase('duplicate annotation ids', (json) => {
    json.annotations[1].id = json.annotations[0].id;
    return new RegExp(`annotations\\[1\\] \\(id ${json.annotations[0].id}\\): duplicate annotation id`);
  }),
  jsonCase('duplicate category ids', (json) => {
    json.categories[5].id = json.categories[4].id;
    return new RegExp(`categories\\[5\\]: duplicate category id ${json.categories[4].id}`);
  }),
  jsonCase('annotation on an unknown image', (json) => {
    json.annotations[2].image_id = 987654321;
    return /annotations\[2\] \(id \d+\): image_id 987654321 is not among the images/;
  }),
  jsonCase('annotation on an unknown category', (json) => {
    json.annotations[3].category_id = 4242;
    return /annotations\[3\] \(id \d+\): category_id 4242 is not among the categories/;
  }),
  jsonCase('bbox with null (NaN written by a JSON encoder)', (json) => {
    json.annotations[0].bbox[2] = null;
    return /annotations\[0\] \(id \d+\): bbox \[.*null.*\] must be \[x, y, w, h\] of 4 finite numbers/;
  }),
  jsonCase('bbox with the string "NaN"', (json) => {
    json.annotations[0].bbox[1] = 'NaN';
    return /annotations\[0\] \(id \d+\): bbox \[.*"NaN".*\] must be \[x, y, w, h\] of 4 finite numbers/;
  }),
  {
    name: 'bbox with 1e999 (parses to Infinity)',
    async make(dir, json) {
      const copy = clone(json);
      const marker = 987654.125;
      copy.annotations[0].bbox[3] = marker;
      const text = JSON.stringify(copy, null, 1).replace(String(marker), '1e999');
      if (!text.includes('1e999')) throw new Error('test setup: marker not written');
      await writeFile(annotationsFile(dir), text);
      return { file: annotationsFile(dir), problem: /annotations\[0\] \(id \d+\): bbox \[.*Infinity\] must be \[x, y, w, h\] of 4 finite numbers/ };
    },
  },
  jsonCase('bbox with 3 numbers', (json) => {
    json.annotations[1].bbox = json.annotations[1].bbox.slice(0, 3);
    return /annotations\[1\] \(id \d+\): bbox .* must be \[x, y, w, h\] of 4 finite numbers/;
  }),
  jsonCase('bbox with negative width', (json) => {
    json.annotations[0].bbox[2] = -5;
    return /annotations\[0\] \(id \d+\): bbox \[.*-5.*\] has a non-positive width or height/;
  }),
  jsonCase('bbox with zero height', (json) => {
    json.annotations[1].bbox[3] = 0;
    return /annotations\[1\] \(id \d+\): bbox .* has a non-positive width or height/;
  }),
  jsonCase('bbox entirely outside its image', (json) => {
    const a = json.annotations[0];
    const im = json.images.find((i) => i.id === a.image_id)!;
    a.bbox = [im.width + 10, 5, 20, 20];
    return new RegExp(`annotations\\[0\\] \\(id ${a.id}\\): bbox .* lies outside its ${im.width}x${im.height} image`);
  }),
  {
    name: 'image size in JSON differs from the file',
    async make(dir, json) {
      const copy = clone(json);
      const im = copy.images[0];
      const real = `${im.width}x${im.height}`;
      im.width += 1;
      await writeCocoJson(dir, copy);
      return { file: imageFile(dir, im.file_name), problem: new RegExp(`image ${im.id} is ${real} but annotations.json says ${im.width}x${im.height}`) };
    },
  },
  jsonCase('file_name with ..', (json) => {
    const im = json.images[0];
    im.file_name = `../images/${im.file_name}`;
    return new RegExp(`images\\[0\\] \\(id ${im.id}\\): file_name "${escapeRe(im.file_name)}" must be a path inside images/`);
  }),
  jsonCase('absolute file_name', (json) => {
    const im = json.images[1];
    im.file_name = `/etc/${im.file_name}`;
    return new RegExp(`file_name "${escapeRe(im.file_name)}" must be a path inside images/`);
  }),
];

/**
 * The border case is NOT broken: a box crossing the border is clipped, noted and imported.
 * Returns the annotation id and the clipped box the store must hold.
 */
export async function makeBorderCrossingDataset(
  dir: string,
  json: CocoJson,
): Promise<{ annotationId: number; clipped: [number, number, number, number] }> {
  const copy = clone(json);
  const a = copy.annotations[0];
  const im = copy.images.find((i) => i.id === a.image_id)!;
  a.bbox = [-10, im.height - 30, 50, 60];
  await writeCocoJson(dir, copy);
  return { annotationId: a.id, clipped: [0, im.height - 30, 40, 30] };
}

/**
 * A valid dataset whose first image is a symlink to a file OUTSIDE the dataset folder
 * (`outsideDir`): the importer reads through it, the file routes must refuse it.
 * Four images, so it is not the same content as a makeGoodDataset of fewer.
 */
export async function makeDatasetWithOutsideSymlink(dir: string, outsideDir: string): Promise<{ json: CocoJson; linkedImageId: number }> {
  const json = await makeGoodDataset(dir, 4);
  const im = json.images[0];
  const outside = path.join(outsideDir, im.file_name);
  await mkdir(outsideDir, { recursive: true });
  await copyFile(imageFile(dir, im.file_name), outside);
  await unlink(imageFile(dir, im.file_name));
  await symlink(outside, imageFile(dir, im.file_name));
  return { json, linkedImageId: im.id };
}

/** Every row of every table (schema_version included), to prove a failed import left the store as it was. */
export function dumpStore(db: Database.Database): Record<string, unknown[]> {
  const tables = db.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string; sql: string }[];
  const dump: Record<string, unknown[]> = {};
  for (const t of tables) {
    // WITHOUT ROWID tables have no rowid: their primary key orders them
    dump[t.name] = /WITHOUT ROWID\s*$/i.test(t.sql.trim())
      ? db.prepare(`SELECT * FROM "${t.name}"`).all().map((r) => JSON.stringify(r)).sort()
      : db.prepare(`SELECT rowid AS _rowid, * FROM "${t.name}" ORDER BY rowid`).all();
  }
  return dump;
}
