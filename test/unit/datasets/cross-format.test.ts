/**
 * The same real dataset written in each format, the way the format's tools write it,
 * must import to the same boxes on the same images as the COCO original: this pins
 * each importer's coordinate convention (YOLO's normalised centres, VOC's 1-based
 * inclusive corners, BDD100K's inclusive box2d) against an independent source.
 */
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BDD_CLASSES, BDD_RENAMES } from '../../../src/engine/datasets/bdd-import';
import type { CanonicalDataset } from '../../../src/engine/datasets/canonical';
import { readCocoDataset } from '../../../src/engine/datasets/coco-import';
import { importDataset } from '../../../src/engine/datasets/import-dataset';
import { makeTempDir, readCocoJson, removeDir, type CocoJson } from '../../helpers/broken-datasets';
import { sharedPath } from '../../helpers/shared';
import { expectBoxClose } from '../../helpers/dataset-fixtures';

const SOURCE = sharedPath('data', 'datasets', 'coco128_val2017_driving');
type Box = [number, number, number, number];

/** file name -> [category name, box] in file order, for a canonical dataset. */
function boxesByFile(ds: CanonicalDataset, keep: (name: string) => boolean = () => true): Map<string, [string, Box][]> {
  const file = new Map(ds.images.map((i) => [i.id, i.fileName.slice(i.fileName.lastIndexOf('/') + 1)]));
  const name = new Map(ds.categories.map((c) => [c.id, c.name]));
  const out = new Map<string, [string, Box][]>(ds.images.map((i) => [file.get(i.id)!, []]));
  for (const a of [...ds.annotations].sort((x, y) => x.id - y.id)) {
    const n = name.get(a.categoryId)!;
    if (keep(n)) out.get(file.get(a.imageId)!)!.push([n, a.bbox]);
  }
  return out;
}

function expectSameBoxes(actual: Map<string, [string, Box][]>, expected: Map<string, [string, Box][]>, rename: (n: string) => string = (n) => n): void {
  expect([...actual.keys()].sort()).toEqual([...expected.keys()].sort());
  for (const [file, want] of expected) {
    const got = actual.get(file)!;
    expect(got.map(([n]) => n), file).toEqual(want.map(([n]) => rename(n)));
    got.forEach(([, b], i) => expectBoxClose(b, want[i][1], 6));
  }
}

describe('one real dataset in every format', () => {
  let temp: string;
  let json: CocoJson;
  let coco: CanonicalDataset;
  const catName = new Map<number, string>();

  beforeAll(async () => {
    temp = await makeTempDir('cross');
    json = await readCocoJson(path.join(SOURCE, 'annotations.json'));
    for (const c of json.categories) catName.set(c.id, c.name);
    coco = await readCocoDataset(SOURCE);
  });
  afterAll(async () => {
    if (temp) await removeDir(temp);
  });

  const annotationsOf = (imageId: number) => json.annotations.filter((a) => a.image_id === imageId && !a.iscrowd);
  const linkImage = async (target: string, fileName: string): Promise<void> => {
    await mkdir(path.dirname(target), { recursive: true });
    await symlink(path.join(SOURCE, 'images', fileName), target);
  };

  it('YOLO (normalised centres)', async () => {
    const dir = path.join(temp, 'yolo');
    const cats = [...json.categories].sort((a, b) => a.id - b.id);
    const index = new Map(cats.map((c, i) => [c.id, i]));
    await mkdir(path.join(dir, 'labels', 'val'), { recursive: true });
    await writeFile(path.join(dir, 'data.yaml'), `path: .\nval: images/val\nnames: ${JSON.stringify(cats.map((c) => c.name))}\n`);
    for (const im of json.images) {
      await linkImage(path.join(dir, 'images', 'val', im.file_name), im.file_name);
      const lines = annotationsOf(im.id).map((a) => {
        const [x, y, w, h] = a.bbox as number[];
        return `${index.get(a.category_id)} ${(x + w / 2) / im.width} ${(y + h / 2) / im.height} ${w / im.width} ${h / im.height}`;
      });
      await writeFile(path.join(dir, 'labels', 'val', im.file_name.replace(/\.jpg$/, '.txt')), lines.join('\n'));
    }
    const ds = await importDataset(dir);
    expect(ds.format).toBe('yolo');
    expect(ds.images.map((i) => i.sha256).sort()).toEqual(coco.images.map((i) => i.sha256).sort());
    expectSameBoxes(boxesByFile(ds), boxesByFile(coco));
  });

  it('Pascal VOC (1-based inclusive corners)', async () => {
    const dir = path.join(temp, 'voc');
    await mkdir(path.join(dir, 'Annotations'), { recursive: true });
    for (const im of json.images) {
      await linkImage(path.join(dir, 'JPEGImages', im.file_name), im.file_name);
      const objects = annotationsOf(im.id).map((a) => {
        const [x, y, w, h] = a.bbox as number[];
        return `\t<object>\n\t\t<name>${catName.get(a.category_id)}</name>\n\t\t<difficult>0</difficult>\n\t\t<bndbox>\n\t\t\t<xmin>${x + 1}</xmin>\n\t\t\t<ymin>${y + 1}</ymin>\n\t\t\t<xmax>${x + w}</xmax>\n\t\t\t<ymax>${y + h}</ymax>\n\t\t</bndbox>\n\t</object>\n`;
      });
      const stem = im.file_name.replace(/\.jpg$/, '');
      await writeFile(
        path.join(dir, 'Annotations', `${stem}.xml`),
        `<annotation>\n\t<filename>${im.file_name}</filename>\n\t<size>\n\t\t<width>${im.width}</width>\n\t\t<height>${im.height}</height>\n\t\t<depth>3</depth>\n\t</size>\n${objects.join('')}</annotation>\n`,
      );
    }
    const ds = await importDataset(dir);
    expect(ds.format).toBe('voc');
    expectSameBoxes(boxesByFile(ds), boxesByFile(coco));
  });

  it('BDD100K (inclusive box2d), the classes BDD100K has', async () => {
    const dir = path.join(temp, 'bdd');
    const bddNames = new Set([...BDD_CLASSES.map((c) => c.name), ...Object.keys(BDD_RENAMES)]);
    const frames = [];
    for (const im of json.images) {
      await linkImage(path.join(dir, 'images', '100k', 'val', im.file_name), im.file_name);
      frames.push({
        name: im.file_name,
        attributes: { weather: 'clear', timeofday: 'daytime', scene: 'city street' },
        labels: annotationsOf(im.id)
          .filter((a) => bddNames.has(catName.get(a.category_id)!))
          .map((a, i) => {
            const [x, y, w, h] = a.bbox as number[];
            return { id: String(i), category: catName.get(a.category_id), attributes: {}, box2d: { x1: x, y1: y, x2: x + w - 1, y2: y + h - 1 } };
          }),
      });
    }
    await writeFile(path.join(dir, 'det_val.json'), JSON.stringify(frames));
    const ds = await importDataset(dir);
    expect(ds.format).toBe('bdd');
    expect(ds.annotations.length).toBeGreaterThan(200);
    expectSameBoxes(
      boxesByFile(ds),
      boxesByFile(coco, (n) => bddNames.has(n)),
      (n) => BDD_RENAMES[n] ?? n,
    );
  });
});
