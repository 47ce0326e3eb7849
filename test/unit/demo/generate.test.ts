import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIN_VISIBLE_PIXELS, type DemoAnnotation } from '../../../src/engine/demo/annotate';
import { DEMO_CATEGORIES, DEMO_HEIGHT, DEMO_WIDTH, demoFileName, generateDemoDataset, renderDemoImage, type DemoImage } from '../../../src/engine/demo/generate';
import { detectDatasetFormat } from '../../../src/engine/datasets/detect-format';
import { Engine } from '../../../src/engine/engine';
import { inProcessClient } from '../../../src/engine/rpc/in-process';
import { makeTempDir, removeDir } from '../../helpers/broken-datasets';

interface CocoOut {
  images: { id: number; file_name: string; width: number; height: number; time_of_day: string }[];
  annotations: { id: number; image_id: number; category_id: number; bbox: number[]; area: number; iscrowd: number; occlusion: string }[];
  categories: { id: number; name: string }[];
}

const read = (dir: string): string => readFileSync(path.join(dir, 'annotations.json'), 'utf8');

describe('the demo scene generator', () => {
  let temp: string;
  beforeAll(async () => {
    temp = await makeTempDir('demo');
  });
  afterAll(async () => {
    await removeDir(temp);
  });

  it('writes byte-identical JSON and JPEGs for the same seed, other bytes for another seed, and image i does not depend on the count', async () => {
    const a = path.join(temp, 'a');
    const b = path.join(temp, 'b');
    const short = path.join(temp, 'short');
    const other = path.join(temp, 'other');
    await generateDemoDataset({ out: a, images: 5, seed: 42 });
    await generateDemoDataset({ out: b, images: 5, seed: 42 });
    await generateDemoDataset({ out: short, images: 2, seed: 42 });
    await generateDemoDataset({ out: other, images: 5, seed: 43 });
    expect(read(b)).toBe(read(a));
    const files = readdirSync(path.join(a, 'images')).sort();
    expect(files).toEqual([0, 1, 2, 3, 4].map(demoFileName));
    for (const f of files) expect(readFileSync(path.join(b, 'images', f)).equals(readFileSync(path.join(a, 'images', f))), f).toBe(true);
    for (const f of files.slice(0, 2)) expect(readFileSync(path.join(short, 'images', f)).equals(readFileSync(path.join(a, 'images', f))), f).toBe(true);
    const full = JSON.parse(read(a)) as CocoOut;
    const part = JSON.parse(read(short)) as CocoOut;
    expect(part.annotations).toEqual(full.annotations.filter((x) => x.image_id <= 2));
    for (const f of files) expect(readFileSync(path.join(other, 'images', f)).equals(readFileSync(path.join(a, 'images', f))), f).toBe(false);
  });

  it('imports with Odra\'s COCO importer with no problems and no notes', async () => {
    const dir = path.join(temp, 'import');
    const summary = await generateDemoDataset({ out: dir, images: 8, seed: 3 });
    expect((await detectDatasetFormat(dir)).format).toBe('coco');
    const engine = new Engine({ dbPath: ':memory:' });
    try {
      const ds = await inProcessClient(engine).call('datasets.import', { dir });
      expect(ds.imageCount).toBe(8);
      expect(ds.annotationCount).toBe(summary.annotations);
      expect(ds.notes).toEqual([]);
      expect(ds.categories.map((c) => c.name)).toEqual(DEMO_CATEGORIES.map((c) => c.name));
    } finally {
      await engine.close();
    }
    const json = JSON.parse(read(dir)) as CocoOut;
    for (const im of json.images) expect([im.width, im.height]).toEqual([DEMO_WIDTH, DEMO_HEIGHT]);
    for (const ann of json.annotations) {
      const [x, y, w, h] = ann.bbox;
      expect(Number.isInteger(x) && Number.isInteger(y) && w >= 2 && h >= 3, `annotation ${ann.id}`).toBe(true);
      expect(x + w <= DEMO_WIDTH && y + h <= DEMO_HEIGHT, `annotation ${ann.id} inside the image`).toBe(true);
    }
  });

  it('refuses a folder that holds something else, and replaces an earlier demo set only with force', async () => {
    const dir = path.join(temp, 'again');
    await generateDemoDataset({ out: dir, images: 1, seed: 1 });
    await expect(generateDemoDataset({ out: dir, images: 1, seed: 1 })).rejects.toThrow(/is not empty/);
    const again = await generateDemoDataset({ out: dir, images: 2, seed: 1, force: true });
    expect(again.images).toBe(2);
    expect(readdirSync(path.join(dir, 'images')).length).toBe(2);
    await expect(generateDemoDataset({ out: dir, images: 0, seed: 1, force: true })).rejects.toThrow(/image count/);
  });
});

describe('demo scene statistics (seed 1, first 120 scenes)', () => {
  let scenes: DemoImage[] = [];
  let boxes: DemoAnnotation[] = [];
  let single: DemoAnnotation[] = [];
  const count = (name: string): number => single.filter((a) => a.category === name).length;
  beforeAll(() => {
    scenes = Array.from({ length: 120 }, (_, i) => renderDemoImage(1, i));
    boxes = scenes.flatMap((s) => s.annotations);
    single = boxes.filter((a) => a.iscrowd === 0);
  }, 120_000);

  it('has the stated strong class imbalance: car >> pedestrian > truck > cyclist > traffic sign', () => {
    const n = single.length;
    const share = Object.fromEntries(DEMO_CATEGORIES.map((c) => [c.name, count(c.name) / n]));
    // bounds stated in engine/demo/scene.ts (CLASS_WEIGHTS) and the README
    expect(share.car).toBeGreaterThan(0.45);
    expect(share.car).toBeLessThan(0.65);
    expect(share.pedestrian).toBeGreaterThan(0.13);
    expect(share.pedestrian).toBeLessThan(0.27);
    expect(share.truck).toBeGreaterThan(0.07);
    expect(share.truck).toBeLessThan(0.16);
    expect(share.cyclist).toBeGreaterThan(0.03);
    expect(share.cyclist).toBeLessThan(0.09);
    expect(share['traffic sign']).toBeGreaterThan(0.025);
    expect(share['traffic sign']).toBeLessThan(0.08);
    const order = DEMO_CATEGORIES.map((c) => count(c.name));
    expect([...order].sort((a, b) => b - a)).toEqual(order);
    expect(count('car') / count('traffic sign')).toBeGreaterThan(7);
  });

  it('varies lighting, scale and occlusion, and holds crowd regions of pedestrians', () => {
    const times = new Set(scenes.map((s) => s.time));
    expect([...times].sort()).toEqual(['day', 'dusk', 'night']);
    const heights = single.map((a) => a.bbox[3]);
    expect(Math.min(...heights)).toBeLessThan(12);
    expect(Math.max(...heights)).toBeGreaterThan(150);
    const levels = new Set(single.map((a) => a.occlusion));
    expect([...levels].sort()).toEqual(['heavily', 'none', 'partly']);
    for (const a of boxes) {
      expect(a.area).toBeLessThanOrEqual(a.bbox[2] * a.bbox[3]);
      expect(a.area).toBeGreaterThanOrEqual(MIN_VISIBLE_PIXELS);
    }
    const crowds = boxes.filter((a) => a.iscrowd === 1);
    expect(crowds.length).toBeGreaterThan(5);
    for (const c of crowds) expect(c.category).toBe('pedestrian');
    expect(single.some((a) => a.truncated)).toBe(true);
  });
});
