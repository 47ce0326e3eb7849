import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseVocXml, readVocDataset, vocCategories, vocToCoco } from '../../../src/engine/datasets/voc-import';
import { makeTempDir, removeDir } from '../../helpers/broken-datasets';
import { describeBrokenImports } from './broken-harness';
import { materialise, rejection, writeImage } from '../../helpers/dataset-fixtures';

const xml = (body: string, size = '<size><width>100</width><height>80</height><depth>3</depth></size>'): string =>
  `<?xml version="1.0"?>\n<annotation>\n\t<filename>a.jpg</filename>\n\t${size}\n${body}</annotation>\n`;
const object = (name: string, box: [number, number, number, number], more = ''): string =>
  `\t<object>\n\t\t<name>${name}</name>${more}\n\t\t<bndbox><xmin>${box[0]}</xmin><ymin>${box[1]}</ymin><xmax>${box[2]}</xmax><ymax>${box[3]}</ymax></bndbox>\n\t</object>\n`;

describe('VOC coordinates', () => {
  it('1-based inclusive corners become 0-based [x, y, w, h] (detectron2): 1..W covers the whole image', () => {
    expect(vocToCoco(1, 1, 100, 80)).toEqual([0, 0, 100, 80]);
    expect(vocToCoco(48, 18, 80, 100)).toEqual([47, 17, 33, 83]);
    expect(vocToCoco(10, 10, 10, 10)).toEqual([9, 9, 1, 1]);
  });
});

describe('parseVocXml', () => {
  it('reads size, objects, difficult as ignore, other plain values as attributes; parts are not objects', () => {
    const text = xml(
      object('person', [10, 20, 30, 60], '\n\t\t<pose>Left</pose><truncated>1</truncated><difficult>1</difficult><occluded>0</occluded>') +
        object('car', [50, 10, 100, 80], '<part><name>wheel</name><bndbox><xmin>1</xmin><ymin>1</ymin><xmax>2</xmax><ymax>2</ymax></bndbox></part>'),
    );
    const { annotation, problems } = parseVocXml(text, 'a.xml');
    expect(problems).toEqual([]);
    expect(annotation).toMatchObject({ filename: 'a.jpg', width: 100, height: 80, extra: {} });
    expect(annotation?.objects).toEqual([
      { name: 'person', line: 5, bbox: [9, 19, 21, 41], clipped: false, difficult: true, extra: { pose: 'Left', truncated: 1, occluded: 0, difficult: true, ignore: true } },
      { name: 'car', line: 10, bbox: [49, 9, 51, 71], clipped: false, difficult: false, extra: { difficult: false } },
    ]);
  });

  it('accepts decimal corners and clips a box past the border', () => {
    const { annotation } = parseVocXml(xml(object('car', [0.5, 1, 120.25, 80])), 'a.xml');
    expect(annotation?.objects[0]).toMatchObject({ bbox: [0, 0, 100, 80], clipped: true });
  });

  it('missing <size> is an error naming the file and the line of <annotation>', () => {
    const { annotation, problems } = parseVocXml(xml(object('car', [1, 1, 5, 5]), ''), '/d/Annotations/a.xml');
    expect(annotation).toBeNull();
    expect(problems).toEqual([{ file: '/d/Annotations/a.xml', line: 2, problem: expect.stringMatching(/^no <size>: the image size the boxes were drawn on is required/) }]);
    const zero = parseVocXml(xml('', '<size><width>0</width><height>0</height></size>'), 'a.xml');
    expect(zero.problems[0].problem).toMatch(/<size> must hold a positive integer <width> and <height> \(found "0" x "0"\)/);
  });

  it('reports every bad object with its line', () => {
    const text = xml(
      object('car', [1, 1, 5, 5]) +
        '\t<object>\n\t\t<bndbox><xmin>1</xmin><ymin>1</ymin><xmax>2</xmax><ymax>2</ymax></bndbox>\n\t</object>\n' +
        '\t<object>\n\t\t<name>bus</name>\n\t</object>\n' +
        object('dog', [1, 1, 'x' as unknown as number, 5]) +
        object('cat', [30, 1, 10, 5]) +
        object('cow', [200, 1, 210, 5]),
    );
    const { problems } = parseVocXml(text, 'a.xml');
    expect(problems.map((p) => [p.line, p.problem])).toEqual([
      [9, '<object> without a <name>'],
      [12, 'object "bus": no <bndbox>'],
      [17, 'object "dog": <bndbox> <xmax> is "x", not a number'],
      [21, 'object "cat": bbox [29, 0, -19, 5] has a non-positive width or height (from xmin, ymin, xmax, ymax = 30, 1, 10, 5)'],
      [25, 'object "cow": bbox [199, 0, 11, 5] lies outside its 100x80 image (from xmin, ymin, xmax, ymax = 200, 1, 210, 5)'],
    ]);
  });

  it('malformed XML is one problem at its line', () => {
    const { problems } = parseVocXml('<annotation>\n<size>\n<width>3</widht>\n</size>\n</annotation>', 'a.xml');
    expect(problems).toEqual([{ file: 'a.xml', line: 3, problem: expect.stringMatching(/close tag/i) }]);
  });
});

describe('vocCategories', () => {
  it('the 20 VOC classes with COCO names when every name is one of them', () => {
    const cats = vocCategories(['person', 'motorbike']);
    expect(cats).toHaveLength(20);
    expect(cats.find((c) => c.name === 'motorbike')).toEqual({ id: 14, name: 'motorbike', supercategory: null, cocoEquivalent: 'motorcycle' });
    expect(cats.find((c) => c.name === 'tvmonitor')?.cocoEquivalent).toBe('tv');
  });
  it('the names found, sorted, for a custom label set', () => {
    expect(vocCategories(['van', 'person', 'van', 'Bicycle']).map((c) => [c.id, c.name, c.cocoEquivalent])).toEqual([
      [1, 'Bicycle', null],
      [2, 'person', 'person'],
      [3, 'van', null],
    ]);
  });
});

describe('reading the VOC sample', () => {
  let temp: string;
  beforeAll(async () => {
    temp = await makeTempDir('voc');
  });
  afterAll(async () => {
    if (temp) await removeDir(temp);
  });

  it('val image set by default, boxes converted, difficult kept as ignore, notes', async () => {
    const { dir } = await materialise('voc', path.join(temp, 'voc'));
    const ds = await readVocDataset(dir);
    expect(ds.format).toBe('voc');
    expect(ds.imageRoot).toBe(path.join(dir, 'JPEGImages'));
    expect(ds.images.map((i) => [i.id, i.fileName, i.width, i.height, i.extra])).toEqual([
      [1, '000007.jpg', 200, 150, { voc_id: '000007', segmented: true }],
      [2, '000009.jpg', 160, 120, { voc_id: '000009', segmented: false }],
    ]);
    const name = (id: number): string => ds.categories.find((c) => c.id === id)!.name;
    expect(ds.annotations.map((a) => [a.imageId, name(a.categoryId), a.bbox, a.iscrowd])).toEqual([
      [1, 'car', [0, 29, 120, 81], false],
      [1, 'motorbike', [149, 59, 51, 81], false],
      [1, 'person', [47, 17, 33, 83], false],
      [2, 'bus', [9, 9, 141, 91], false],
      [2, 'person', [119, 69, 12, 29], false],
      [2, 'tvmonitor', [4, 89, 16, 21], false],
    ]);
    expect(ds.annotations[4].extra).toEqual({ pose: 'Unspecified', truncated: 0, difficult: true, ignore: true });
    expect(ds.annotations[1].extra).toEqual({ pose: 'Right', truncated: 1, difficult: false });
    expect(ds.notes).toEqual([
      'image set ImageSets/Main/val.txt',
      '1 object(s) marked difficult: kept as ground truth with ignore: true (the COCO metrics count them, the VOC protocol would skip them)',
    ]);
  });

  it('another image set on request; without ImageSets every annotation', async () => {
    const { dir } = await materialise('voc', path.join(temp, 'sets'));
    expect((await readVocDataset(dir, { split: 'trainval' })).images).toHaveLength(3);
    expect((await readVocDataset(dir, { split: 'train' })).images.map((i) => i.fileName)).toEqual(['000005.jpg']);
    const err = await rejection(readVocDataset(dir, { split: 'test' }));
    expect(err.message.split('\n')[0]).toBe(`${path.join(dir, 'ImageSets', 'Main', 'test.txt')} not found: no image set "test" (it has train, trainval, val)`);
    await rm(path.join(dir, 'ImageSets'), { recursive: true });
    const all = await readVocDataset(dir);
    expect(all.images.map((i) => i.fileName)).toEqual(['000005.jpg', '000007.jpg', '000009.jpg']);
    expect(all.notes.some((n) => n.startsWith('image set'))).toBe(false);
  });

  it('finds the image by <filename> when it is not <id>.jpg (LabelImg exports), and .JPG for .jpg', async () => {
    const { dir } = await materialise('voc', path.join(temp, 'labelimg'));
    const ann = path.join(dir, 'Annotations', '000009.xml');
    await writeFile(ann, (await readFile(ann, 'utf8')).replace('<filename>000009.jpg</filename>', '<filename>street 9.png</filename>'));
    await rm(path.join(dir, 'JPEGImages', '000009.jpg'));
    await writeImage(path.join(dir, 'JPEGImages', 'street 9.png'), 160, 120);
    await rename(path.join(dir, 'JPEGImages', '000007.jpg'), path.join(dir, 'JPEGImages', '000007.JPG'));
    const ds = await readVocDataset(dir);
    expect(ds.images.map((i) => i.fileName)).toEqual(['000007.JPG', 'street 9.png']);
  });
});

const ann = (dir: string, id: string): string => path.join(dir, 'Annotations', `${id}.xml`);
async function editFile(file: string, edit: (text: string) => string): Promise<void> {
  const before = await readFile(file, 'utf8');
  const after = edit(before);
  if (after === before) throw new Error(`test setup: edit changed nothing in ${file}`);
  await writeFile(file, after);
}

describeBrokenImports('importing a broken Pascal VOC dataset', 'voc', [
  {
    name: 'XML without <size>',
    fixture: 'voc',
    async make(dir) {
      await editFile(ann(dir, '000007'), (t) => t.replace(/\t<size>[\s\S]*?<\/size>\n/, ''));
      return { file: ann(dir, '000007'), line: 1, problem: /no <size>: the image size the boxes were drawn on is required/ };
    },
  },
  {
    name: 'malformed XML',
    fixture: 'voc',
    async make(dir) {
      await editFile(ann(dir, '000009'), (t) => t.replace('</ymax>', '</ymin>'));
      return { file: ann(dir, '000009'), line: 29, problem: /close tag/i };
    },
  },
  {
    name: 'xmax before xmin',
    fixture: 'voc',
    async make(dir) {
      await editFile(ann(dir, '000009'), (t) => t.replace('<xmax>150</xmax>', '<xmax>5</xmax>'));
      return { file: ann(dir, '000009'), line: 25, problem: /object "bus": bbox \[9, 9, -4, 91\] has a non-positive width/ };
    },
  },
  {
    name: '<size> that differs from the image',
    fixture: 'voc',
    async make(dir) {
      await editFile(ann(dir, '000009'), (t) => t.replace('<width>160</width>', '<width>161</width>'));
      return { file: path.join(dir, 'JPEGImages', '000009.jpg'), problem: /image 2 is 160x120 but Annotations\/000009\.xml says 161x120/ };
    },
  },
  {
    name: 'image set naming an annotation that does not exist',
    fixture: 'voc',
    async make(dir) {
      const file = path.join(dir, 'ImageSets', 'Main', 'val.txt');
      await writeFile(file, '000007\n000008\n000009\n');
      return { file, line: 2, problem: /000008: no Annotations\/000008\.xml/ };
    },
  },
  {
    name: 'annotation without its image',
    fixture: 'voc',
    async make(dir) {
      await rename(path.join(dir, 'JPEGImages', '000007.jpg'), path.join(dir, 'JPEGImages', 'x000007.jpg'));
      return { file: ann(dir, '000007'), problem: /no image for it in .*JPEGImages \(looked for 000007\.jpg/ };
    },
  },
]);
