/**
 * `odra eval` end to end through the built CLI on the real models and datasets: the
 * numbers must agree with pycocotools on the reference detections of the same models
 * (shared/fixtures/cocoeval), and the detections it writes must score the same when
 * given back to `odra cocoeval` (for KITTI, whose automatic class map has ignore
 * rules, with each ignore region written as a crowd region, as pycocotools knows it).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cocoResultsSchema } from '../../../src/engine/datasets/coco-schema';
import { makeTempDir, removeDir, type CocoJson } from '../../helpers/broken-datasets';
import { sharedPath } from '../../helpers/shared';
import { ensureCliBuilt, runOdra } from '../../helpers/odra-cli';

const STAT_KEYS = ['AP', 'AP50', 'AP75', 'APs', 'APm', 'APl', 'AR1', 'AR10', 'AR100', 'ARs', 'ARm', 'ARl'] as const;
type Stats = Record<(typeof STAT_KEYS)[number], number>;

interface PerCategory {
  id: number;
  name: string;
  AP: number | null;
  AP50: number | null;
  num_gt: number;
  num_dets: number;
  datasetCategories?: string[];
  ignoring?: string[];
}

interface EvalOutput {
  model: { name: string; sha256: string; adapter: string; adapter_source: string; execution_provider: string | null };
  dataset: { name: string; hash: string; images: number; annotations: number; categories: number };
  class_map: { version: 2; categories: { name: string; datasetCategories: number[]; modelClasses: string[]; ignore: number[] }[] };
  unmapped_categories: string[];
  stats: Stats;
  per_category: PerCategory[];
  tool: { odra: string; onnxruntime: string };
}

const YOLOX = sharedPath('data', 'models', 'yolox_nano', 'yolox_nano.onnx');
const NANODET = sharedPath('data', 'models', 'nanodet_m', 'nanodet_m.onnx');
const YOLOX_SHA256 = '695e750a5d5754bb5a8d5325643b59282191a7e7a564e435a415fd3c578eab14';
const NANODET_SHA256 = '7fc5019e9179d321a756610c42a3a35d80b804cdbf3a98ecd877886e1b619397';

function expectedStats(fixture: string): Stats {
  return (JSON.parse(readFileSync(sharedPath('fixtures', 'cocoeval', fixture, 'expected.json'), 'utf8')) as { stats: Stats }).stats;
}

function readDataset(name: string): CocoJson {
  return JSON.parse(readFileSync(sharedPath('data', 'datasets', name, 'annotations.json'), 'utf8')) as CocoJson;
}

describe('odra eval on the real models and datasets', () => {
  let temp: string;

  async function evaluate(model: string, dataset: string, tag: string): Promise<{ out: EvalOutput; dtFile: string }> {
    const dtFile = path.join(temp, `${tag}-dt.json`);
    const run = await runOdra(['eval', '--model', model, '--dataset', sharedPath('data', 'datasets', dataset), '--json', '--dt-out', dtFile], {
      timeoutMs: 300_000,
    });
    if (run.code !== 0) throw new Error(`odra eval exited ${run.code}:\n${run.stderr}`);
    return { out: JSON.parse(run.stdout) as EvalOutput, dtFile };
  }

  /**
   * The dt-out file is a valid results list of this dataset, and cocoeval of it against
   * `gtFile` (default: the dataset's own annotations) gives the printed numbers.
   */
  async function checkDtOut(
    dtFile: string,
    dataset: string,
    out: EvalOutput,
    gtFile = sharedPath('data', 'datasets', dataset, 'annotations.json'),
  ): Promise<{ stats: Stats; per_category: PerCategory[] }> {
    const json = readDataset(dataset);
    const results = cocoResultsSchema.parse(JSON.parse(readFileSync(dtFile, 'utf8')));
    expect(results.length).toBeGreaterThan(json.images.length);
    const images = new Map(json.images.map((im) => [im.id, im]));
    const categories = new Set(json.categories.map((c) => c.id));
    for (const d of results) {
      const im = images.get(d.image_id);
      expect(im, `image ${d.image_id}`).toBeDefined();
      expect(categories.has(d.category_id)).toBe(true);
      const [x, y, w, h] = d.bbox;
      expect(w > 0 && h > 0).toBe(true);
      // boxes are clipped to the image; slack for the float32 storage of x and w (audits/packing.ts:
      // x + w of two rounded values may pass the edge by a few ulps of the image width)
      const slack = 1e-3;
      expect(x >= -slack && y >= -slack && x + w <= im!.width + slack && y + h <= im!.height + slack, JSON.stringify(d)).toBe(true);
      expect(d.score > 0 && d.score <= 1).toBe(true);
    }
    const perCategoryDets = new Map<number, number>();
    for (const d of results) perCategoryDets.set(d.category_id, (perCategoryDets.get(d.category_id) ?? 0) + 1);
    for (const c of out.per_category) expect(c.num_dets, c.name).toBe(perCategoryDets.get(c.id) ?? 0);

    const rescored = await runOdra(['cocoeval', '--gt', gtFile, '--dt', dtFile, '--json']);
    expect(rescored.code, rescored.stderr).toBe(0);
    const again = JSON.parse(rescored.stdout) as { stats: Stats; per_category: PerCategory[] };
    for (const c of out.per_category) {
      const r = again.per_category.find((x) => x.id === c.id)!;
      expect(r.num_dets, c.name).toBe(c.num_dets);
      // pycocotools counts crowd regions as GT; Odra never counts ignore regions
      if (!c.ignoring) expect(r.num_gt, c.name).toBe(c.num_gt);
      for (const k of ['AP', 'AP50'] as const) {
        if (c[k] === null) expect(r[k], `${c.name} ${k}`).toBeNull();
        else expect(Math.abs(r[k]! - c[k]), `${c.name} ${k}`).toBeLessThanOrEqual(1e-12);
      }
    }
    // the whole-dataset numbers agree when no category was left out of the evaluation
    if (out.unmapped_categories.length === 0) {
      for (const k of STAT_KEYS) expect(Math.abs(again.stats[k] - out.stats[k]), k).toBeLessThanOrEqual(1e-12);
    }
    return again;
  }

  beforeAll(async () => {
    await ensureCliBuilt();
    temp = await makeTempDir('eval-real');
  });
  afterAll(async () => {
    await removeDir(temp);
  });

  it('YOLOX-Nano on coco128_val2017_driving agrees with pycocotools on the reference detections', async () => {
    const { out, dtFile } = await evaluate(YOLOX, 'coco128_val2017_driving', 'yolox-val');
    const expected = expectedStats('yolox_coco_val');
    expect(Math.abs(out.stats.AP - expected.AP)).toBeLessThanOrEqual(0.01);
    expect(Math.abs(out.stats.AP50 - expected.AP50)).toBeLessThanOrEqual(0.01);
    expect(out.model.sha256).toBe(YOLOX_SHA256);
    expect(out.model.execution_provider).toBe('cpu');
    expect([out.model.adapter, out.model.adapter_source]).toEqual(['yolox', 'auto']);
    const json = readDataset('coco128_val2017_driving');
    expect([out.dataset.images, out.dataset.annotations, out.dataset.categories]).toEqual([
      json.images.length,
      json.annotations.length,
      json.categories.length,
    ]);
    expect(out.unmapped_categories).toEqual([]);
    expect(out.tool.odra).toMatch(/^\d+\.\d+\.\d+/);
    await checkDtOut(dtFile, 'coco128_val2017_driving', out);
  });

  it('NanoDet-m on coco128_train2017_driving (adapter detected as nanodet) agrees with pycocotools', async () => {
    const { out, dtFile } = await evaluate(NANODET, 'coco128_train2017_driving', 'nanodet-train');
    const expected = expectedStats('nanodet_coco_train');
    expect(Math.abs(out.stats.AP - expected.AP)).toBeLessThanOrEqual(0.01);
    expect(Math.abs(out.stats.AP50 - expected.AP50)).toBeLessThanOrEqual(0.01);
    expect(out.model.sha256).toBe(NANODET_SHA256);
    expect([out.model.adapter, out.model.adapter_source]).toEqual(['nanodet', 'auto']);
    expect(out.model.execution_provider).toBe('cpu');
    await checkDtOut(dtFile, 'coco128_train2017_driving', out);
  });

  it('YOLOX-Nano on kitti_tiny_2d: car scores as Car with Van ignored, person as Pedestrian with Person_sitting and Cyclist ignored', async () => {
    const { out, dtFile } = await evaluate(YOLOX, 'kitti_tiny_2d', 'yolox-kitti');
    const json = readDataset('kitti_tiny_2d');
    const idOf = (name: string): number => json.categories.find((c) => c.name === name)!.id;
    const scored = out.class_map.categories.filter((c) => c.modelClasses.length > 0);
    expect(scored.map((c) => [c.name, c.datasetCategories, c.modelClasses, c.ignore])).toEqual([
      ['Car', [idOf('Car')], ['car'], [idOf('Van')]],
      ['Truck', [idOf('Truck')], ['truck'], []],
      ['Pedestrian', [idOf('Pedestrian')], ['person'], [idOf('Person_sitting'), idOf('Cyclist')]],
      ['Tram', [idOf('Tram')], ['train'], []],
    ]);
    // no model class is scored under two categories
    const classes = scored.flatMap((c) => c.modelClasses);
    expect(new Set(classes).size).toBe(classes.length);
    // categories with GT that nothing scores (Person_sitting has none in this split)
    expect(out.unmapped_categories).toEqual(['Van', 'Cyclist', 'Misc']);
    expect(out.per_category.map((c) => [c.name, c.ignoring])).toEqual([
      ['Car', ['Van']],
      ['Truck', undefined],
      ['Pedestrian', ['Person_sitting', 'Cyclist']],
      ['Tram', undefined],
    ]);
    const car = out.per_category.find((c) => c.name === 'Car')!;
    expect(car.num_gt).toBe(json.annotations.filter((a) => a.category_id === idOf('Car')).length);
    expect(car.AP50).toBeGreaterThan(0.4);

    // pycocotools on the same GT, each ignore region written as a crowd region of the category it is ignored for
    const regionFor = new Map(scored.flatMap((c) => c.ignore.map((id) => [id, c.datasetCategories[0]] as const)));
    let nextId = Math.max(...json.annotations.map((a) => a.id)) + 1;
    const withCrowd = {
      ...json,
      categories: json.categories.filter((c) => scored.some((s) => s.datasetCategories.includes(c.id))),
      annotations: json.annotations.flatMap((a) => {
        const own = scored.some((s) => s.datasetCategories.includes(a.category_id)) ? [a] : [];
        const region = regionFor.get(a.category_id);
        return region === undefined ? own : [...own, { ...a, id: nextId++, category_id: region, iscrowd: 1 }];
      }),
    };
    const gtFile = path.join(temp, 'kitti-with-crowd-regions.json');
    writeFileSync(gtFile, JSON.stringify(withCrowd));
    const again = await checkDtOut(dtFile, 'kitti_tiny_2d', out, gtFile);
    for (const k of STAT_KEYS) expect(Math.abs(again.stats[k] - out.stats[k]), k).toBeLessThanOrEqual(1e-12);

    // The reference (yolox_kitti: pycocotools on this model's detections mapped one-to-many,
    // without ignore rules) agrees where no rule applies; ignoring only removes false positives
    const reference = JSON.parse(readFileSync(sharedPath('fixtures', 'cocoeval', 'yolox_kitti', 'expected.json'), 'utf8')) as {
      per_category: PerCategory[];
    };
    const ref = (name: string): PerCategory => reference.per_category.find((r) => r.name === name)!;
    for (const name of ['Truck', 'Tram']) {
      expect(Math.abs(out.per_category.find((c) => c.name === name)!.AP! - ref(name).AP!), name).toBeLessThanOrEqual(0.01);
    }
    for (const name of ['Car', 'Pedestrian']) {
      const c = out.per_category.find((x) => x.name === name)!;
      expect(c.num_dets, name).toBe(ref(name).num_dets);
      expect(c.AP!, name).toBeGreaterThanOrEqual(ref(name).AP! - 0.01);
    }
  });
});
