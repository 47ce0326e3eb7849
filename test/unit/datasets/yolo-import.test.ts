import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  labelPathFor,
  parseYoloLabels,
  parseYoloYaml,
  yoloClassNames,
  readYoloDataset,
  yoloToPixels,
} from '../../../src/engine/datasets/yolo-import';
import { makeTempDir, removeDir } from '../../helpers/broken-datasets';
import { describeBrokenImports } from './broken-harness';
import { editLine, expectBoxClose, materialise, rejection, writeImage } from '../../helpers/dataset-fixtures';

const NAMES = new Map([0, 1, 2, 3, 4, 5].map((i) => [i, ['person', 'bicycle', 'car', 'motorcycle', 'bus', 'truck'][i]]));

describe('parseYoloYaml', () => {
  it('reads names as a map or a list, the splits and path', () => {
    const map = parseYoloYaml('path: ../x\ntrain: images/train\nval: [images/val, images/val2]\ntest:\nnames:\n  0: person\n  1: car\n', 'd.yaml');
    expect([...map.names]).toEqual([
      [0, 'person'],
      [1, 'car'],
    ]);
    expect([...map.splits]).toEqual([
      ['train', ['images/train']],
      ['val', ['images/val', 'images/val2']],
    ]);
    expect(map.path).toBe('../x');
    const list = parseYoloYaml("val: v.txt\nnc: 2\nnames: ['traffic light', 7]\n", 'd.yaml');
    expect([...list.names]).toEqual([
      [0, 'traffic light'],
      [1, '7'],
    ]);
    expect(list.path).toBeNull();
  });

  it('reports a YAML syntax error with its line', async () => {
    const err = await rejection(Promise.resolve().then(() => parseYoloYaml('val: images\nnames: [person, car\nnc: 2\n', '/d/data.yaml')));
    expect(err.code).toBe('BAD_INPUT');
    expect(err.message).toMatch(/^\/d\/data\.yaml is not valid YAML \(line \d\)/);
    expect(err.details?.problems?.[0].line).toBeGreaterThanOrEqual(2);
  });

  it('reports missing names, a disagreeing nc and a bad split, each at its line', async () => {
    const err = await rejection(Promise.resolve().then(() => parseYoloYaml('train: 5\nnc: 3\nval: images\n', '/d/data.yaml')));
    expect(err.details?.problems).toEqual([
      { file: '/d/data.yaml', problem: 'names: missing or not a list / {index: name} map (found null)' },
      { file: '/d/data.yaml', line: 1, problem: 'train: must be a folder, a .txt list of images, or a list of those (found 5)' },
    ]);
    const nc = await rejection(Promise.resolve().then(() => parseYoloYaml('val: images\nnames: [a, b]\nnc: 3\n', '/d/data.yaml')));
    expect(nc.details?.problems).toEqual([{ file: '/d/data.yaml', line: 3, problem: 'nc: 3 but names lists 2 class(es)' }]);
  });
});

/**
 * data.yaml given as a model's class names file. Until the names file had its own
 * line-based reader; js-yaml is now the only one. Same answers for the flow list, block
 * list and index map; the old reader's differences, now gone:
 * - a trailing `# comment` on a block-list item was part of the name; YAML drops it;
 * - escapes in a double-quoted block item ("a\tb") were kept as typed; YAML decodes them;
 * - `names:` with an indented plain line (`  car`) was refused at that line ("cannot read
 *   'car' as a class name", line 2); YAML reads it as the string "car", refused as not a
 *   list or map at the names: key (line 1);
 * - no names at all said "no top-level names: key"; now the importer's message.
 */
describe('yoloClassNames', () => {
  it('reads the flow list, the block list and the index map (gaps named class_<i>)', () => {
    expect(yoloClassNames("path: x\nnames: ['car', 'van']\nnc: 2\n", 'data.yaml')).toEqual(['car', 'van']);
    expect(yoloClassNames('names:\n  - car\n  - "pedestrian"\nnc: 2\n', 'data.yml')).toEqual(['car', 'pedestrian']);
    expect(yoloClassNames("train: a\nnames:\n  0: person\n  # comment\n  2: 'stop sign'\nval: b\n", 'data.yaml')).toEqual([
      'person',
      'class_1',
      'stop sign',
    ]);
  });

  it('reads comments and escapes as YAML does', () => {
    expect(yoloClassNames('names:\n  - car # the car\n  - "traffic\\tsign"\n', 'data.yaml')).toEqual(['car', 'traffic\tsign']);
  });

  it('says what is wrong, with the file and the line', async () => {
    const missing = await rejection(Promise.resolve().then(() => yoloClassNames('nc: 3\n', '/d/d.yaml')));
    expect(missing.details?.problems).toEqual([{ file: '/d/d.yaml', problem: 'names: missing or not a list / {index: name} map (found null)' }]);
    const plain = await rejection(Promise.resolve().then(() => yoloClassNames('names:\n  car\n', '/d/d.yaml')));
    expect(plain.details?.problems).toEqual([{ file: '/d/d.yaml', line: 1, problem: 'names: missing or not a list / {index: name} map (found "car")' }]);
    const sparse = await rejection(Promise.resolve().then(() => yoloClassNames('names:\n  0: a\n  100000: b\n', '/d/d.yaml')));
    expect(sparse.message).toMatch(/^\/d\/d\.yaml: names has index 100000 for 2 class\(es\)/);
  });
});

describe('parseYoloLabels', () => {
  it('reads class cx cy w h lines, skipping blank lines, dropping exact duplicates', () => {
    const r = parseYoloLabels('2 0.5 0.5 0.2 0.4\r\n\r\n  0 .1 .2 .05 .1  \n2 0.5 0.5 0.2 0.4\n', 'l.txt', NAMES);
    expect(r.problems).toEqual([]);
    expect(r.duplicates).toBe(1);
    expect(r.labels).toEqual([
      { line: 1, classIndex: 2, cx: 0.5, cy: 0.5, w: 0.2, h: 0.4 },
      { line: 3, classIndex: 0, cx: 0.1, cy: 0.2, w: 0.05, h: 0.1 },
    ]);
  });

  it('accepts values a rounding error outside [0, 1] and refuses more', () => {
    expect(parseYoloLabels('1 1.0005 0.5 0.2 0.2', 'l.txt', NAMES).problems).toEqual([]);
    expect(parseYoloLabels('1 0.5 -0.0009 0.2 0.2', 'l.txt', NAMES).problems).toEqual([]);
    expect(parseYoloLabels('1 1.002 0.5 0.2 0.2', 'l.txt', NAMES).problems[0].problem).toMatch(/^cx outside \[0, 1\]/);
  });

  it('reports each bad line with its number', () => {
    const text = ['0 0.5 0.5 0.2', '0 0.5 0.5 0.2 0.2 0.93', '6 0.5 0.5 0.2 0.2', '1.5 0.5 0.5 0.2 0.2', '0 nan 0.5 0.2 0.2', '0 0.5 0.5 0 0.2', '0 0x1 0.5 0.2 0.2', '0 0.5 0.5 1.5 -2'].join('\n');
    const { labels, problems } = parseYoloLabels(text, 'l.txt', NAMES);
    expect(labels).toEqual([]);
    expect(problems.map((p) => [p.line, p.problem])).toEqual([
      [1, '4 columns; a YOLO detection label line is "class cx cy w h" (5 columns) (is the class column missing?)'],
      [2, '6 columns; a YOLO detection label line is "class cx cy w h" (5 columns) (6 columns look like a predictions file with a confidence column)'],
      [3, 'class 6 is not among the 6 class(es) of data.yaml (0..5)'],
      [4, 'class 1.5 is not among the 6 class(es) of data.yaml (0..5)'],
      [5, 'column 2 is "nan", not a number'],
      [6, 'non-positive width or height (line "0 0.5 0.5 0 0.2")'],
      [7, 'column 2 is "0x1", not a number'],
      [8, 'w, h outside [0, 1]: YOLO coordinates are normalised to the image size (line "0 0.5 0.5 1.5 -2")'],
    ]);
    expect(problems.every((p) => p.file === 'l.txt')).toBe(true);
  });
});

describe('labelPathFor and yoloToPixels', () => {
  it('swaps the last /images/ for /labels/ and the extension for .txt, as Ultralytics does', () => {
    expect(labelPathFor('/d/images/val/a.b.jpg')).toBe('/d/labels/val/a.b.txt');
    expect(labelPathFor('/images/x/images/val/a.png')).toBe('/images/x/labels/val/a.txt');
    expect(labelPathFor('/d/valid/images/a.jpg')).toBe('/d/valid/labels/a.txt');
    expect(labelPathFor('/d/pictures/a.jpg')).toBe('/d/pictures/a.txt');
  });
  it('turns a normalised centre box into pixels', () => {
    expectBoxClose(yoloToPixels({ cx: 0.5, cy: 0.25, w: 0.5, h: 0.1 }, 640, 480), [160, 96, 320, 48], 9);
  });
});

describe('reading the YOLO samples', () => {
  let temp: string;
  beforeAll(async () => {
    temp = await makeTempDir('yolo');
  });
  afterAll(async () => {
    if (temp) await removeDir(temp);
  });

  it('Ultralytics layout: the val split by default, boxes in pixels, notes for what changed', async () => {
    const { dir } = await materialise('yolo', path.join(temp, 'ultra'));
    const ds = await readYoloDataset(dir);
    expect(ds.format).toBe('yolo');
    expect(ds.root).toBe(dir);
    expect(ds.imageRoot).toBe(dir);
    expect(ds.categories.map((c) => [c.id, c.name])).toEqual([
      [0, 'person'],
      [1, 'bicycle'],
      [2, 'car'],
      [3, 'motorcycle'],
      [4, 'bus'],
      [5, 'truck'],
    ]);
    expect(ds.images.map((i) => [i.id, i.fileName, i.width, i.height])).toEqual([
      [1, 'images/val/frame_0001.jpg', 160, 120],
      [2, 'images/val/frame_0002.jpg', 160, 120],
      [3, 'images/val/frame_0003.png', 120, 90],
    ]);
    expect(ds.images.every((i) => /^[0-9a-f]{64}$/.test(i.sha256))).toBe(true);
    const boxes = ds.annotations.map((a) => [a.imageId, a.categoryId, a.bbox] as const);
    expect(boxes.map(([im, c]) => [im, c])).toEqual([
      [1, 2],
      [1, 0],
      [1, 3],
      [2, 5],
      [2, 1],
      [2, 4],
    ]);
    // 2 0.503125 0.608333 0.256250 0.183333 on 160x120
    expectBoxClose(boxes[0][2], [(0.503125 - 0.25625 / 2) * 160, (0.608333 - 0.183333 / 2) * 120, 0.25625 * 160, 0.183333 * 120]);
    // 5 0.05 0.5 0.12 0.3: x from -1.6 to 17.6, clipped at 0
    expectBoxClose(boxes[3][2], [0, 42, 17.6, 36]);
    expect(ds.annotations[3].area).toBeCloseTo(17.6 * 36, 9);
    expect(ds.notes).toEqual([
      'split "val" of data.yaml',
      '1 box(es) crossing the image border were clipped to the image',
      '1 image(s) have no label file: imported as images without objects',
      '1 duplicate label line(s) dropped',
    ]);
  });

  it('another split on request; an unknown one is refused with the ones there are', async () => {
    const { dir } = await materialise('yolo', path.join(temp, 'split'));
    const train = await readYoloDataset(dir, { split: 'train' });
    expect(train.images.map((i) => i.fileName)).toEqual(['images/train/frame_0101.jpg']);
    expectBoxClose(train.annotations[0].bbox, [0.4 * 64, 0.2 * 48, 0.2 * 64, 0.6 * 48]);
    const err = await rejection(readYoloDataset(dir, { split: 'test' }));
    expect(err.message.split('\n')[0]).toBe(`${path.join(dir, 'data.yaml')} has no split "test": it has train, val`);
  });

  it("Roboflow export: '../valid/images' resolved inside the folder, names as a list", async () => {
    const { dir } = await materialise('yolo-roboflow', path.join(temp, 'roboflow'));
    const ds = await readYoloDataset(dir);
    expect(ds.categories.map((c) => c.name)).toEqual(['bike', 'motor', 'pedestrian']);
    expect(ds.images.map((i) => i.fileName)).toEqual(['valid/images/img_001_jpg.rf.4f1c2e.jpg']);
    expect(ds.annotations.map((a) => a.categoryId)).toEqual([2, 0]);
    expectBoxClose(ds.annotations[1].bbox, [0.6 * 96, 0.45 * 64, 0.2 * 96, 0.3 * 64]);
  });

  it('flat layout (images/ + labels/, no split keys) and a .txt image list', async () => {
    const dir = path.join(temp, 'flat');
    await mkdir(path.join(dir, 'labels'), { recursive: true });
    await writeFile(path.join(dir, 'data.yaml'), 'names: [car]\n');
    await writeImage(path.join(dir, 'images', 'a.jpg'), 40, 20);
    await writeImage(path.join(dir, 'images', 'sub', 'b.png'), 30, 30);
    await writeFile(path.join(dir, 'labels', 'a.txt'), '0 0.5 0.5 0.5 0.5\n');
    const flat = await readYoloDataset(dir);
    expect(flat.images.map((i) => i.fileName)).toEqual(['images/a.jpg', 'images/sub/b.png']);
    expectBoxClose(flat.annotations[0].bbox, [10, 5, 20, 10]);
    expect(flat.notes).toContain('1 image(s) have no label file: imported as images without objects');

    await writeFile(path.join(dir, 'data.yaml'), 'val: lists/val.txt\nnames: [car]\n');
    await mkdir(path.join(dir, 'lists'));
    await writeFile(path.join(dir, 'lists', 'val.txt'), '../images/sub/b.png\n\n../images/a.jpg\n');
    const listed = await readYoloDataset(dir);
    expect(listed.images.map((i) => i.fileName)).toEqual(['images/a.jpg', 'images/sub/b.png']);

    await writeFile(path.join(dir, 'lists', 'val.txt'), '../images/a.jpg\n../images/none.jpg\n../../outside.jpg\n');
    const err = await rejection(readYoloDataset(dir));
    expect(err.details?.problems).toEqual([
      { file: path.join(dir, 'lists', 'val.txt'), line: 2, problem: '../images/none.jpg: no such image' },
      { file: path.join(dir, 'lists', 'val.txt'), line: 3, problem: `../../outside.jpg lies outside the dataset folder ${dir}` },
    ]);
  });

  it('a folder without data.yaml, or whose split is missing, says what it looked for', async () => {
    const { dir } = await materialise('yolo', path.join(temp, 'missing'));
    await rename(path.join(dir, 'images', 'val'), path.join(dir, 'images', 'validation'));
    const err = await rejection(readYoloDataset(dir));
    expect(err.message).toContain(path.join(dir, 'images', 'val'));
    await rm(path.join(dir, 'data.yaml'));
    const none = await rejection(readYoloDataset(dir));
    expect(none.message.split('\n')[0]).toBe(`${path.join(dir, 'data.yaml')} not found: a YOLO dataset folder holds data.yaml`);
  });
});

const label = (dir: string, name: string): string => path.join(dir, 'labels', 'val', name);

describeBrokenImports('importing a broken YOLO dataset', 'yolo', [
  {
    name: 'label line with 4 columns',
    fixture: 'yolo',
    async make(dir) {
      await editLine(label(dir, 'frame_0001.txt'), 2, () => '0 0.143750 0.550000 0.062500');
      return { file: label(dir, 'frame_0001.txt'), line: 2, problem: /4 columns; a YOLO detection label line is "class cx cy w h"/ };
    },
  },
  {
    name: 'label line with 6 columns',
    fixture: 'yolo',
    async make(dir) {
      await editLine(label(dir, 'frame_0002.txt'), 5, (l) => `${l.trimEnd()} 0.87\r`);
      return { file: label(dir, 'frame_0002.txt'), line: 5, problem: /6 columns .*predictions file/ };
    },
  },
  {
    name: 'class out of range',
    fixture: 'yolo',
    async make(dir) {
      await editLine(label(dir, 'frame_0001.txt'), 3, (l) => l.replace(/^3/, '12'));
      return { file: label(dir, 'frame_0001.txt'), line: 3, problem: /class 12 is not among the 6 class\(es\)/ };
    },
  },
  {
    name: 'coordinates in pixels instead of normalised',
    fixture: 'yolo',
    async make(dir) {
      await editLine(label(dir, 'frame_0001.txt'), 1, () => '2 80.5 73 41 22');
      return { file: label(dir, 'frame_0001.txt'), line: 1, problem: /cx, cy, w, h outside \[0, 1\]/ };
    },
  },
  {
    name: 'data.yaml that is not YAML',
    fixture: 'yolo',
    async make(dir) {
      const file = path.join(dir, 'data.yaml');
      await editLine(file, 11, () => 'names: [person, bicycle');
      // the parser notices on the next line, where the list goes on without a comma
      return { file, line: 12, problem: /missed comma between flow collection entries/ };
    },
  },
  {
    name: 'data.yaml without names',
    fixture: 'yolo',
    async make(dir) {
      const file = path.join(dir, 'data.yaml');
      await writeFile(file, 'train: images/train\nval: images/val\n');
      return { file, problem: /names: missing/ };
    },
  },
  {
    name: 'garbage bytes as an image',
    fixture: 'yolo',
    async make(dir) {
      const file = path.join(dir, 'images', 'val', 'frame_0002.jpg');
      await writeFile(file, 'not a JPEG at all\n'.repeat(30));
      return { file, problem: /image 2 cannot be decoded/ };
    },
  },
]);
