import { readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BDD_CATEGORIES, parseBddJson, readBddDataset, streamBddFile } from '../../../src/engine/datasets/bdd-import';
import { makeTempDir, removeDir } from '../../helpers/broken-datasets';
import { describeBrokenImports } from './broken-harness';
import { expectBoxClose, materialise, rejection } from '../../helpers/dataset-fixtures';

const frame = (name: string, labels: unknown[] | null, attributes = { weather: 'clear', timeofday: 'night', scene: 'highway' }) => ({ name, attributes, labels });
const box = (id: string, category: string, b: [number, number, number, number], attributes: Record<string, unknown> = {}) => ({
  id,
  category,
  attributes,
  box2d: { x1: b[0], y1: b[1], x2: b[2], y2: b[3] },
});

describe('parseBddJson', () => {
  it('reads frames, converts box2d with the toolkit\'s +1, keeps attributes, skips labels without box2d', () => {
    const json = [
      frame('a.jpg', [
        box('1', 'car', [10, 20, 109, 69], { occluded: true, truncated: false, trafficLightColor: 'NA' }),
        { id: '2', category: 'lane/single white', attributes: {}, poly2d: [{ vertices: [[0, 0], [5, 5]], types: 'LL', closed: false }] },
        box('3', 'traffic light', [500.5, 10.25, 510.5, 40.25], { trafficLightColor: 'R' }),
      ]),
      { name: 'b.jpg', attributes: { weather: 'foggy', timeofday: 'daytime', scene: 'tunnel' }, timestamp: 10000, videoName: 'b', labels: null },
    ];
    const r = parseBddJson(json, 'det_val.json');
    expect(r.problems).toEqual([]);
    expect(r.withoutBox).toBe(1);
    expect(r.frames.map((f) => [f.name, f.extra])).toEqual([
      ['a.jpg', { weather: 'clear', timeofday: 'night', scene: 'highway' }],
      ['b.jpg', { timestamp: 10000, videoName: 'b', weather: 'foggy', timeofday: 'daytime', scene: 'tunnel' }],
    ]);
    expect(r.frames[0].objects).toEqual([
      { category: 'car', bbox: [10, 20, 100, 50], iscrowd: false, extra: { occluded: true, truncated: false, trafficLightColor: 'NA', bdd_id: '1', labelIndex: 0 } },
      { category: 'traffic light', bbox: [500.5, 10.25, 11, 31], iscrowd: false, extra: { trafficLightColor: 'R', bdd_id: '3', labelIndex: 2 } },
    ]);
  });

  it("applies the toolkit's renames and turns its ignored classes and crowd boxes into crowd regions", () => {
    const json = {
      frames: [
        frame('a.jpg', [
          box('1', 'person', [0, 0, 9, 9]),
          box('2', 'motor', [0, 0, 9, 9]),
          box('3', 'bike', [0, 0, 9, 9]),
          box('4', 'other person', [0, 0, 9, 9]),
          box('5', 'trailer', [0, 0, 9, 9]),
          box('6', 'car', [0, 0, 9, 9], { crowd: true }),
        ]),
      ],
    };
    const objects = parseBddJson(json, 'f.json').frames[0].objects;
    expect(objects.map((o) => [o.category, o.iscrowd, o.extra.bdd_category])).toEqual([
      ['pedestrian', false, 'person'],
      ['motorcycle', false, 'motor'],
      ['bicycle', false, 'bike'],
      ['pedestrian', true, 'other person'],
      ['truck', true, 'trailer'],
      ['car', true, undefined],
    ]);
  });

  it('an unknown category is an error naming the file, the frame and the label', () => {
    const r = parseBddJson([frame('a.jpg', [box('1', 'car', [0, 0, 9, 9])]), frame('b.jpg', [box('1', 'car', [0, 0, 9, 9]), box('2', 'scooter', [0, 0, 9, 9])])], '/d/det_val.json');
    expect(r.problems).toEqual([
      {
        file: '/d/det_val.json',
        problem: `frame 1 ("b.jpg"): labels[1]: unknown category "scooter" (BDD100K detection classes: ${BDD_CATEGORIES.map((c) => c.name).join(', ')})`,
      },
    ]);
  });

  it('reports malformed frames, boxes and duplicate names', () => {
    const r = parseBddJson(
      [frame('a.jpg', [{ id: '1', category: 'car', box2d: { x1: 1, y1: 2, x2: 'x', y2: 4 } }]), { labels: [] }, frame('a.jpg', [])],
      'f.json',
    );
    expect(r.problems.map((p) => p.problem)).toEqual([
      expect.stringMatching(/^frame 0 \("a\.jpg"\)\.labels\[0\]\.box2d\.x2: /),
      expect.stringMatching(/^frame 1\.name: /),
      'frame 2 ("a.jpg"): name also used by frame 0',
    ]);
  });

  it('refuses a file that is not a list of frames', async () => {
    const err = await rejection(Promise.resolve().then(() => parseBddJson({ images: [] }, 'f.json')));
    expect(err.message).toMatch(/^f\.json is not a BDD100K label file/);
  });
});

describe('reading the BDD100K sample', () => {
  let temp: string;
  beforeAll(async () => {
    temp = await makeTempDir('bdd');
  });
  afterAll(async () => {
    if (temp) await removeDir(temp);
  });

  it('det_val.json by default, images found below images/, frame attributes on the images', async () => {
    const { dir } = await materialise('bdd', path.join(temp, 'sample'));
    const ds = await readBddDataset(dir);
    expect(ds.format).toBe('bdd');
    expect(ds.categories).toEqual(BDD_CATEGORIES);
    expect(ds.images.map((i) => [i.id, i.fileName, i.width, i.height, i.extra.weather, i.extra.timeofday, i.extra.scene])).toEqual([
      [1, '100k/val/a91b7555-00000001.jpg', 1280, 720, 'clear', 'daytime', 'city street'],
      [2, '100k/val/b2e54f3c-00000002.jpg', 1280, 720, 'rainy', 'night', 'highway'],
      [3, '100k/val/c3f00a1d-00000003.jpg', 1280, 720, 'snowy', 'dawn/dusk', 'residential'],
    ]);
    const name = (id: number): string => ds.categories.find((c) => c.id === id)!.name;
    expect(ds.annotations.map((a) => [a.imageId, name(a.categoryId), a.iscrowd])).toEqual([
      [1, 'car', false],
      [1, 'traffic light', false],
      [1, 'traffic sign', false],
      [1, 'pedestrian', false],
      [1, 'car', true],
      [2, 'truck', false],
      [2, 'bus', false],
      [2, 'rider', false],
      [2, 'motorcycle', false],
      [2, 'bicycle', false],
      [2, 'train', false],
    ]);
    expectBoxClose(ds.annotations[0].bbox, [45.608486, 254.530361, 357.792114 - 45.608486 + 1, 487.9082 - 254.530361 + 1], 9);
    // other vehicle: x2 1279.9 -> 1200 + 80.9 crosses the 1280 border: clipped
    expectBoxClose(ds.annotations[4].bbox, [1200, 350, 80, 71], 9);
    expect(ds.annotations[1].extra).toEqual({ occluded: false, truncated: false, trafficLightColor: 'G', bdd_id: '1' });
    expect(ds.notes).toEqual([
      `labels from ${path.join('labels', 'det_20', 'det_val.json')}`,
      '1 box(es) crossing the image border were clipped to the image',
      '1 box(es) of ignored classes or marked crowd kept as crowd regions',
      '2 label(s) without box2d (lanes, drivable area) skipped',
    ]);
  });

  it('the train file on request; an unknown split names the files found', async () => {
    const { dir } = await materialise('bdd', path.join(temp, 'split'));
    const train = await readBddDataset(dir, { split: 'train' });
    expect(train.images.map((i) => i.fileName)).toEqual(['100k/train/d4a1b2c3-00000004.jpg']);
    const err = await rejection(readBddDataset(dir, { split: 'test' }));
    expect(err.message.split('\n')[0]).toBe(
      `${dir}: no label file is named for split "test" (found ${path.join('labels', 'det_20', 'det_train.json')}, ${path.join('labels', 'det_20', 'det_val.json')}); choose the split`,
    );
  });

  it('a frame whose image is missing is named with the file', async () => {
    const { dir } = await materialise('bdd', path.join(temp, 'missing'));
    await rename(path.join(dir, 'images', '100k', 'val', 'b2e54f3c-00000002.jpg'), path.join(dir, 'images', 'moved.jpg'));
    const err = await rejection(readBddDataset(dir));
    const file = path.join(dir, 'labels', 'det_20', 'det_val.json');
    expect(err.details?.problems).toEqual([{ file, problem: `frame 1 ("b2e54f3c-00000002.jpg"): no such image under ${path.join(dir, 'images')}` }]);
  });
});

const valJson = (dir: string): string => path.join(dir, 'labels', 'det_20', 'det_val.json');
async function editJson(file: string, edit: (frames: { name: string; labels: { category: string; box2d?: Record<string, unknown> }[] | null }[]) => void): Promise<void> {
  const frames = JSON.parse(await readFile(file, 'utf8')) as Parameters<typeof edit>[0];
  edit(frames);
  await writeFile(file, JSON.stringify(frames, null, 4));
}

describeBrokenImports('importing a broken BDD100K dataset', 'bdd', [
  {
    name: 'unknown category',
    fixture: 'bdd',
    async make(dir) {
      await editJson(valJson(dir), (f) => {
        f[1].labels![2].category = 'tractor';
      });
      return { file: valJson(dir), problem: /frame 1 \("b2e54f3c-00000002\.jpg"\): labels\[2\]: unknown category "tractor"/ };
    },
  },
  {
    name: 'box2d without y2',
    fixture: 'bdd',
    async make(dir) {
      await editJson(valJson(dir), (f) => {
        delete f[0].labels![3].box2d!.y2;
      });
      return { file: valJson(dir), problem: /frame 0 \("a91b7555-00000001\.jpg"\)\.labels\[3\]\.box2d\.y2: / };
    },
  },
  {
    name: 'invalid JSON',
    fixture: 'bdd',
    async make(dir) {
      const lines = (await readFile(valJson(dir), 'utf8')).split('\n');
      const i = lines.findIndex((l) => l.includes('"timeofday": "night"'));
      lines[i] = lines[i].replace('"night"', 'night');
      await writeFile(valJson(dir), lines.join('\n'));
      return { file: valJson(dir), line: i + 1, problem: /column/ };
    },
  },
  {
    name: 'box lying outside the image',
    fixture: 'bdd',
    async make(dir) {
      await editJson(valJson(dir), (f) => {
        f[1].labels![0].box2d = { x1: 1400, y1: 10, x2: 1500, y2: 50 };
      });
      return { file: valJson(dir), problem: /frame 1 \("b2e54f3c-00000002\.jpg"\): labels\[0\]: bbox \[1400, 10, 101, 41\] lies outside its 1280x720 image/ };
    },
  },
]);

describe('BDD100K label files read as streams (streamBddFile)', () => {
  let temp: string;
  beforeAll(async () => {
    temp = await makeTempDir('bdd-stream');
  });
  afterAll(async () => {
    if (temp) await removeDir(temp);
  });

  /** parseBddJson on the whole text, or its error's message. */
  function whole(text: string, file: string): ReturnType<typeof parseBddJson> | string {
    try {
      return parseBddJson(JSON.parse(text), file);
    } catch (err) {
      return (err as Error).message;
    }
  }
  async function streamed(file: string, chunkBytes: number): Promise<ReturnType<typeof parseBddJson> | string> {
    try {
      return await streamBddFile(file, { chunkBytes });
    } catch (err) {
      return (err as Error).message;
    }
  }

  it('the sample label files in pieces of 1, 7 and 64 KiB give what parseBddJson gives for the whole text', async () => {
    const { dir } = await materialise('bdd', path.join(temp, 'sample'));
    for (const name of ['det_val.json', 'det_train.json']) {
      const file = path.join(dir, 'labels', 'det_20', name);
      const expected = whole(await readFile(file, 'utf8'), file);
      expect(typeof expected).not.toBe('string');
      for (const size of [1, 7, 65536]) expect(await streamed(file, size), `${name} in ${size}-byte pieces`).toEqual(expected);
    }
  });

  it.each([
    ['a list of frames', (frames: unknown[]) => frames],
    ['{"frames": [...]}', (frames: unknown[]) => ({ frames, note: 'x' })],
  ])('%s with lanes, renames, crowd boxes, unknown classes and malformed frames: the same frames and problems in 5-byte pieces', async (_name, wrap) => {
    const lane = { id: '9', category: 'lane/single white', attributes: { laneDirection: 'parallel' }, poly2d: [{ vertices: [[0, 0], [5.5, 5.25], [9, 1e-3]], types: 'LLL', closed: false }] };
    const frames = [
      frame('a.jpg', [box('1', 'car', [10, 20, 109, 69], { occluded: true }), lane, box('2', 'other person', [0, 0, 9, 9]), box('3', 'car', [1, 1, 5, 5], { crowd: true })]),
      { name: 'b.jpg', attributes: { weather: 'snowy', timeofday: 'night', scene: 'tunnel' }, timestamp: 10000, labels: null },
      frame('c.jpg', [box('1', 'scooter', [0, 0, 9, 9]), { id: '2', category: 'car', box2d: { x1: 1, y1: 2, x2: 'x', y2: 4 } }]),
      { labels: [] },
      frame('a.jpg', []),
      frame('d \u{1F697} é.jpg', [box('1', 'motor', [0.5, 0.25, 100.125, 50])]),
    ];
    const file = path.join(temp, `${_name.replace(/\W+/g, '-')}.json`);
    const text = JSON.stringify(wrap(frames), null, 1);
    await writeFile(file, text);
    const expected = whole(text, file);
    expect(typeof expected).not.toBe('string');
    expect((expected as ReturnType<typeof parseBddJson>).problems.length).toBeGreaterThanOrEqual(4);
    expect(await streamed(file, 5)).toEqual(expected);
  });

  it('a file that is not a list of frames: the same refusal', async () => {
    const file = path.join(temp, 'not-frames.json');
    await writeFile(file, JSON.stringify({ images: [] }));
    const expected = whole(JSON.stringify({ images: [] }), file);
    expect(expected).toMatch(/is not a BDD100K label file/);
    expect(await streamed(file, 2)).toBe(expected);
  });
});
