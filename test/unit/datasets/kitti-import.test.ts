import { mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCocoDataset } from '../../../src/engine/datasets/coco-import';
import { kittiCategories, parseKittiLabels, readKittiDataset } from '../../../src/engine/datasets/kitti-import';
import { makeTempDir, readCocoJson, removeDir } from '../../helpers/broken-datasets';
import { sharedPath } from '../../helpers/shared';
import { describeBrokenImports } from './broken-harness';
import { editLine, expectBoxClose, materialise, rejection, writeImage } from '../../helpers/dataset-fixtures';

describe('parseKittiLabels', () => {
  it('reads objects with their attributes and keeps DontCare apart', () => {
    const text = [
      'Car 0.50 2 -1.56 540.22 172.06 601.35 213.80 1.52 1.63 3.88 -2.31 1.68 30.12 -1.63',
      '',
      'DontCare -1 -1 -10 800.11 160.40 860.72 190.33 -1 -1 -1 -1000 -1000 -1000 -10',
      'Pedestrian 0.00 0 0.21 690.50 150.25 722.10 240.70 1.76 0.62 0.85 2.45 1.62 15.30 0.37 0.93',
    ].join('\r\n');
    const r = parseKittiLabels(text, 'l.txt');
    expect(r.problems).toEqual([]);
    expect(r.objects).toHaveLength(2);
    expect(r.objects[0]).toMatchObject({ type: 'Car', line: 1 });
    expectBoxClose(r.objects[0].bbox, [540.22, 172.06, 601.35 - 540.22, 213.8 - 172.06], 9);
    expect(r.objects[0].extra).toEqual({ truncated: 0.5, occluded: 2, alpha: -1.56, dimensions: [1.52, 1.63, 3.88], location: [-2.31, 1.68, 30.12], rotation_y: -1.63 });
    expect(r.objects[1]).toMatchObject({ type: 'Pedestrian', line: 4, extra: { score: 0.93 } });
    expect(r.dontcare).toHaveLength(1);
    expectBoxClose(r.dontcare[0], [800.11, 160.4, 860.72 - 800.11, 190.33 - 160.4], 9);
  });

  it('reports wrong column counts, non-numbers and empty boxes with their line', () => {
    const text = [
      'Car 0.00 0 -1.56 540.22 172.06 601.35 213.80',
      'Car 0.00 0 -1.56 540.22 172.06 601.35 213.80 1.52 1.63 3.88 -2.31 1.68 30.12 -1.63 0.9 7',
      'Car 0.00 zero -1.56 540.22 172.06 601.35 213.80 1.52 1.63 3.88 -2.31 1.68 30.12 -1.63',
      'Van 0.00 0 -1.56 540.22 172.06 540.22 213.80 1.52 1.63 3.88 -2.31 1.68 30.12 -1.63',
    ].join('\n');
    const r = parseKittiLabels(text, 'l.txt');
    expect(r.objects).toEqual([]);
    expect(r.problems.map((p) => [p.line, p.problem])).toEqual([
      [1, '8 columns; a KITTI label line has 15 (type truncated occluded alpha x1 y1 x2 y2 h w l x y z rotation_y) or 16 (with a score)'],
      [2, '17 columns; a KITTI label line has 15 (type truncated occluded alpha x1 y1 x2 y2 h w l x y z rotation_y) or 16 (with a score)'],
      [3, 'column 3 (occluded) is "zero", not a number'],
      [4, 'Van: box x1 540.22, y1 172.06, x2 540.22, y2 213.8 has a non-positive width or height'],
    ]);
  });
});

describe('kittiCategories', () => {
  it('the 8 KITTI classes with their COCO equivalents when only KITTI types occur', () => {
    expect(kittiCategories(['Car', 'Cyclist']).map((c) => [c.id, c.name, c.cocoEquivalent])).toEqual([
      [1, 'Car', 'car'],
      [2, 'Van', 'car'],
      [3, 'Truck', 'truck'],
      [4, 'Pedestrian', 'person'],
      [5, 'Person_sitting', 'person'],
      [6, 'Cyclist', 'person'],
      [7, 'Tram', 'train'],
      [8, 'Misc', null],
    ]);
  });
  it("the types found when a tool wrote its own class names (NVIDIA TAO's lowercase)", () => {
    expect(kittiCategories(['car', 'Pedestrian', 'bicycle', 'car']).map((c) => [c.id, c.name, c.cocoEquivalent])).toEqual([
      [1, 'Pedestrian', 'person'],
      [2, 'bicycle', null],
      [3, 'car', null],
    ]);
  });
});

describe('reading KITTI folders', () => {
  let temp: string;
  beforeAll(async () => {
    temp = await makeTempDir('kitti');
  });
  afterAll(async () => {
    if (temp) await removeDir(temp);
  });

  it('the sample: every class, DontCare per image, boxes [x1, y1, x2 - x1, y2 - y1]', async () => {
    const { dir } = await materialise('kitti', path.join(temp, 'sample'));
    const ds = await readKittiDataset(dir);
    expect(ds.format).toBe('kitti');
    expect(ds.imageRoot).toBe(path.join(dir, 'image_2'));
    expect(ds.images.map((i) => [i.id, i.fileName, i.width, i.height])).toEqual([
      [1, '000000.png', 1242, 375],
      [2, '000001.png', 1242, 375],
      [3, '000002.png', 1224, 370],
    ]);
    expect(ds.images[0].extra.kitti_frame).toBe('000000');
    expect(ds.images[0].extra.dontcare_boxes).toHaveLength(2);
    expect(ds.images[1].extra.dontcare_boxes).toEqual([]);
    const name = (id: number): string => ds.categories.find((c) => c.id === id)!.name;
    expect(ds.annotations.map((a) => [a.imageId, name(a.categoryId)])).toEqual([
      [1, 'Car'],
      [1, 'Pedestrian'],
      [2, 'Truck'],
      [2, 'Van'],
      [2, 'Cyclist'],
      [2, 'Misc'],
      [3, 'Person_sitting'],
      [3, 'Tram'],
      [3, 'Car'],
    ]);
    expectBoxClose(ds.annotations[2].bbox, [0, 120.35, 210.46, 290.8 - 120.35], 9);
    expect(ds.annotations[2].extra).toMatchObject({ truncated: 0.88, occluded: 2, alpha: -2.1 });
    expect(ds.annotations.every((a) => !a.iscrowd)).toBe(true);
    expect(ds.notes).toEqual(['2 DontCare region(s) kept per image as dontcare_boxes, not as annotations']);
  });

  it('gives the shared kitti_tiny_2d set back from its label_2 form, box for box', async () => {
    const shared = sharedPath('data', 'datasets', 'kitti_tiny_2d');
    const json = await readCocoJson(path.join(shared, 'annotations.json'));
    const dir = path.join(temp, 'tiny');
    await mkdir(path.join(dir, 'label_2'), { recursive: true });
    await mkdir(path.join(dir, 'image_2'));
    const names = new Map(json.categories.map((c) => [c.id, c.name]));
    for (const im of json.images) {
      const frame = String(im.kitti_frame);
      const lines = json.annotations
        .filter((a) => a.image_id === im.id)
        .map((a) => {
          const [x, y, w, h] = a.bbox as number[];
          return `${names.get(a.category_id)} ${a.truncated} ${a.occluded} ${a.alpha} ${x} ${y} ${x + w} ${y + h} 1.5 1.6 3.9 0 1.7 20 0`;
        });
      for (const [x, y, w, h] of im.dontcare_boxes as number[][]) lines.push(`DontCare -1 -1 -10 ${x} ${y} ${x + w} ${y + h} -1 -1 -1 -1000 -1000 -1000 -10`);
      await writeFile(path.join(dir, 'label_2', `${frame}.txt`), lines.map((l) => `${l}\n`).join(''));
      await symlink(path.join(shared, 'images', im.file_name), path.join(dir, 'image_2', `${frame}${path.extname(im.file_name)}`));
    }

    const [kitti, coco] = await Promise.all([readKittiDataset(dir), readCocoDataset(shared)]);
    expect(kitti.categories).toEqual(coco.categories.map((c) => ({ ...c, supercategory: null })));
    expect(kitti.images.map((i) => [i.fileName, i.width, i.height, i.sha256])).toEqual(
      [...coco.images].sort((a, b) => a.fileName.localeCompare(b.fileName)).map((i) => [i.fileName, i.width, i.height, i.sha256]),
    );
    expect(kitti.annotations).toHaveLength(coco.annotations.length);
    const cocoImage = new Map(coco.images.map((i) => [i.id, i]));
    const kittiImage = new Map(kitti.images.map((i) => [i.fileName, i]));
    const byFile = (anns: typeof coco.annotations, file: (imageId: number) => string) => {
      const m = new Map<string, typeof coco.annotations>();
      for (const a of anns) m.set(file(a.imageId), [...(m.get(file(a.imageId)) ?? []), a]);
      return m;
    };
    const cocoByFile = byFile(coco.annotations, (id) => cocoImage.get(id)!.fileName);
    const kittiByFile = byFile(kitti.annotations, (id) => kitti.images[id - 1].fileName);
    for (const [file, expected] of cocoByFile) {
      const got = kittiByFile.get(file) ?? [];
      expect(got.map((a) => a.categoryId), file).toEqual(expected.map((a) => a.categoryId));
      got.forEach((a, i) => {
        expectBoxClose(a.bbox, expected[i].bbox, 9);
        expect(a.extra).toMatchObject({ truncated: expected[i].extra.truncated, occluded: expected[i].extra.occluded, alpha: expected[i].extra.alpha });
      });
      const dontcare = kittiImage.get(file)!.extra.dontcare_boxes as number[][];
      const want = cocoImage.get(expected[0].imageId)!.extra.dontcare_boxes as number[][];
      dontcare.forEach((b, i) => expectBoxClose(b, want[i], 9));
    }
  });

  it('an image without a label file and a label file without an image are both errors', async () => {
    const { dir } = await materialise('kitti', path.join(temp, 'unpaired'));
    await writeImage(path.join(dir, 'image_2', '000003.png'), 1242, 375);
    await rm(path.join(dir, 'image_2', '000001.png'));
    const err = await rejection(readKittiDataset(dir));
    expect(err.details?.problems).toEqual([
      { file: path.join(dir, 'image_2', '000003.png'), problem: 'no label file label_2/000003.txt for this image' },
      { file: path.join(dir, 'label_2', '000001.txt'), problem: `no image for frame 000001 in ${path.join(dir, 'image_2')} (looked for 000001.png, 000001.jpg, ...)` },
    ]);
  });
});

const labelFile = (dir: string, frame: string): string => path.join(dir, 'label_2', `${frame}.txt`);

describeBrokenImports('importing a broken KITTI dataset', 'kitti', [
  {
    name: 'line with too few columns',
    fixture: 'kitti',
    async make(dir) {
      await editLine(labelFile(dir, '000001'), 3, (l) => l.split(' ').slice(0, 8).join(' '));
      return { file: labelFile(dir, '000001'), line: 3, problem: /8 columns; a KITTI label line has 15/ };
    },
  },
  {
    name: 'line with too many columns',
    fixture: 'kitti',
    async make(dir) {
      await editLine(labelFile(dir, '000002'), 2, (l) => `${l} 0.97 extra`);
      return { file: labelFile(dir, '000002'), line: 2, problem: /17 columns; a KITTI label line has 15/ };
    },
  },
  {
    name: 'a coordinate that is not a number',
    fixture: 'kitti',
    async make(dir) {
      await editLine(labelFile(dir, '000000'), 1, (l) => l.replace('601.35', '601,35'));
      return { file: labelFile(dir, '000000'), line: 1, problem: /column 7 \(x2\) is "601,35", not a number/ };
    },
  },
  {
    name: 'a box outside its image',
    fixture: 'kitti',
    async make(dir) {
      await editLine(labelFile(dir, '000002'), 3, (l) => l.replace('400.00 180.00 460.00 215.00', '1300.00 180.00 1360.00 215.00'));
      return { file: labelFile(dir, '000002'), line: 3, problem: /Car: bbox \[1300, 180, 60, 35\] lies outside its 1224x370 image/ };
    },
  },
]);
