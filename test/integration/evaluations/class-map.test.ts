import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../../src/engine/engine';
import { suggestClassMap } from '../../../src/engine/evaluations/class-map';
import { inProcessClient } from '../../../src/engine/rpc/in-process';
import { doubleCountingProblem } from '../../../src/shared/class-map';
import type { OdraClient } from '../../../src/shared/client';
import { classMapStateSchema, type ModelSummary } from '../../../src/shared/schemas';
import { dumpStore, makeTempDir, removeDir } from '../../helpers/broken-datasets';
import { sharedPath } from '../../helpers/shared';
import { materialise, rejection } from '../../helpers/dataset-fixtures';
import { COCO80, inWords } from '../../helpers/class-map-fixtures';
import { KITTI_CLASSES } from '../../../src/engine/datasets/kitti-import';
import type { CategoryRef } from '../../../src/engine/evaluations/class-map';

const KITTI: CategoryRef[] = KITTI_CLASSES.map((c, i) => ({ id: i + 1, name: c.name, cocoEquivalent: c.coco }));

describe('class maps saved per (model, dataset), through the engine', () => {
  let temp: string;
  let engine: Engine;
  let client: OdraClient;
  let model: ModelSummary;
  let kittiId: number;
  let bddId: number;

  beforeAll(async () => {
    temp = await makeTempDir('class-maps');
    engine = new Engine({ dbPath: path.join(temp, 'odra.db') });
    client = inProcessClient(engine);
    model = await client.call('models.import', { path: sharedPath('data', 'models', 'yolox_nano', 'yolox_nano.onnx') });
    kittiId = (await client.call('datasets.import', { dir: (await materialise('kitti', path.join(temp, 'kitti'))).dir })).id;
    bddId = (await client.call('datasets.import', { dir: (await materialise('bdd', path.join(temp, 'bdd'))).dir })).id;
  });
  afterAll(async () => {
    await engine?.close();
    if (temp) await removeDir(temp);
  });

  it('without a saved map: the suggestion with its notes, what it leaves unmapped and how many annotations that is', async () => {
    expect(model.adapter.classNames).toEqual(COCO80);
    const state = classMapStateSchema.parse(await client.call('classMap.get', { modelId: model.id, datasetId: kittiId }));
    expect(state.source).toBe('suggested');
    expect(state.classMap).toEqual(suggestClassMap(COCO80, KITTI).classMap);
    expect(state.notes).toEqual(suggestClassMap(COCO80, KITTI).notes);
    expect(state.unmapped).toEqual(['Van', 'Person_sitting', 'Cyclist', 'Misc']);
    expect(state.unmappedAnnotations).toBe(4);
    expect(state.note).toBeUndefined();
    const suggested = await client.call('classMap.suggest', { modelId: model.id, datasetId: kittiId });
    expect(suggested).toEqual({ classMap: state.classMap, unmapped: state.unmapped, notes: state.notes });
    const bdd = await client.call('classMap.get', { modelId: model.id, datasetId: bddId });
    expect(bdd.unmapped).toEqual(['rider', 'traffic sign']);
  });

  it('save: a merge and an ignore rule, completed with every category, stored, then in force; per (model, dataset)', async () => {
    const saved = await client.call('classMap.save', {
      modelId: model.id,
      datasetId: kittiId,
      classMap: {
        version: 2,
        categories: [
          { name: 'vehicle', datasetCategories: [2, 1], modelClasses: ['car', 'truck', 'car'] },
          { name: 'Pedestrian', datasetCategories: [4], modelClasses: ['person'], ignore: [6, 5] },
        ],
      },
    });
    expect(inWords(saved.classMap, KITTI)).toEqual([
      'vehicle: Car + Van <- car, truck',
      'Truck: Truck <- -',
      'Pedestrian: Pedestrian <- person (ignoring Person_sitting + Cyclist)',
      'Person_sitting: Person_sitting <- -',
      'Cyclist: Cyclist <- -',
      'Tram: Tram <- -',
      'Misc: Misc <- -',
    ]);
    expect([saved.source, saved.unmapped, saved.unmappedAnnotations, saved.notes]).toEqual([
      'saved',
      ['Truck', 'Person_sitting', 'Cyclist', 'Tram', 'Misc'],
      5,
      [],
    ]);
    expect(await client.call('classMap.get', { modelId: model.id, datasetId: kittiId })).toEqual(saved);
    expect((await client.call('classMap.get', { modelId: model.id, datasetId: bddId })).source).toBe('suggested');
    expect(engine.db.prepare('SELECT COUNT(*) AS n FROM class_maps').get()).toEqual({ n: 1 });
  });

  it('a one-to-many map is refused with the double-counting explanation, and stores nothing', async () => {
    const before = dumpStore(engine.db);
    const err = await rejection(
      client.call('classMap.save', {
        modelId: model.id,
        datasetId: kittiId,
        classMap: { version: 2, categories: [{ name: 'Car', datasetCategories: [1], modelClasses: ['car'] }, { name: 'Van', datasetCategories: [2], modelClasses: ['car'] }] },
      }),
    );
    expect(err.code).toBe('BAD_INPUT');
    expect(err.details?.problems?.map((p) => p.problem)).toEqual([doubleCountingProblem('car', ['Car', 'Van'])]);
    expect(err.message).toMatch(/every car detection would be scored twice/);
    expect(dumpStore(engine.db)).toEqual(before);
  });

  it('a map that does not fit is refused and stores nothing', async () => {
    const before = dumpStore(engine.db);
    const err = await rejection(
      client.call('classMap.save', {
        modelId: model.id,
        datasetId: bddId,
        classMap: { version: 2, categories: [{ name: 'pedestrian', datasetCategories: [1], modelClasses: ['pedestrian'] }, { name: 'x', datasetCategories: [99], modelClasses: ['car'] }] },
      }),
    );
    expect(err.code).toBe('BAD_INPUT');
    expect(err.details?.problems?.map((p) => p.problem)).toEqual(['"pedestrian" is not one of the model\'s classes', 'category id 99 is not in the dataset']);
    const missing = await rejection(client.call('classMap.save', { modelId: 999, datasetId: bddId, classMap: { version: 2, categories: [] } }));
    expect(missing.code).toBe('NOT_FOUND');
    expect(dumpStore(engine.db)).toEqual(before);
  });

  it('evaluations use the saved map when the caller gives none, and store every detection with its model class', async () => {
    const saved = await client.call('classMap.save', {
      modelId: model.id,
      datasetId: bddId,
      classMap: { version: 2, categories: [{ name: 'walker', datasetCategories: [1], modelClasses: ['person'] }, { name: 'car', datasetCategories: [3], modelClasses: ['car'] }] },
    });
    const ev = await client.call('evaluations.run', { modelId: model.id, datasetId: bddId, threads: 1 });
    expect(ev.status).toBe('done');
    expect(ev.classMap).toEqual(saved.classMap);
    expect(ev.perCategory.map((c) => c.name)).toEqual(['walker', 'car']);
    expect(ev.unmappedCategories).toEqual(['rider', 'truck', 'bus', 'train', 'motorcycle', 'bicycle', 'traffic light', 'traffic sign']);
    const dets = await client.call('evaluations.detections', { id: ev.id });
    const scoredClass = new Map([[COCO80.indexOf('person'), 1], [COCO80.indexOf('car'), 3]]);
    // stored: the scored ones under their category, the rest (other classes) without one
    expect(dets.filter((d) => d.categoryId !== null).length).toBeGreaterThan(0);
    expect(dets.filter((d) => d.categoryId === null).length).toBeGreaterThan(0);
    for (const d of dets) expect(d.categoryId, COCO80[d.classIndex!]).toBe(scoredClass.get(d.classIndex!) ?? null);
    for (const c of ev.perCategory) expect(c.num_dets, c.name).toBe(dets.filter((d) => d.categoryId === c.id).length);
    const explicit = await client.call('evaluations.run', {
      modelId: model.id,
      datasetId: bddId,
      classMap: { version: 2, categories: [{ name: 'bus', datasetCategories: [5], modelClasses: ['bus'] }] },
      threads: 1,
    });
    expect(explicit.classMap.categories.filter((c) => c.modelClasses.length > 0)).toEqual([{ name: 'bus', datasetCategories: [5], modelClasses: ['bus'], ignore: [] }]);
  });

  it('a merged category is reported under its name, with the categories it takes and the ones it ignores', async () => {
    const ev = await client.call('evaluations.run', { modelId: model.id, datasetId: kittiId, threads: 1 });
    expect(ev.perCategory.map((c) => [c.id, c.name, c.datasetCategories, c.ignoring, c.num_gt])).toEqual([
      [1, 'vehicle', ['Car', 'Van'], undefined, 3],
      [4, 'Pedestrian', undefined, ['Person_sitting', 'Cyclist'], 1],
    ]);
    expect(ev.unmappedCategories).toEqual(['Truck', 'Person_sitting', 'Cyclist', 'Tram', 'Misc']);
  });

  it('a saved map the model no longer fits: shown as stale, refused by evaluations', async () => {
    const renamed = { ...model.adapter, classNames: model.adapter.classNames.map((n) => (n === 'car' ? 'automobile' : n)) };
    await client.call('models.setAdapter', { id: model.id, adapter: renamed });
    try {
      const state = await client.call('classMap.get', { modelId: model.id, datasetId: bddId });
      expect(state.source).toBe('suggested');
      expect(state.classMap.categories.find((c) => c.datasetCategories.includes(3))?.modelClasses).toEqual(['automobile']);
      expect(state.note).toMatch(/^the saved class map cannot be used \("car" is not one of the model's classes\)/);
      const err = await rejection(client.call('evaluations.run', { modelId: model.id, datasetId: bddId, threads: 1 }));
      expect(err.code).toBe('BAD_INPUT');
      expect(err.message).toMatch(/the class map saved for model \d+ and dataset \d+ does not fit/);
    } finally {
      await client.call('models.setAdapter', { id: model.id, adapter: model.adapter });
    }
  });

  it('a first-format map saved by an older Odra that counts a class twice is reported, not used', async () => {
    engine.db.prepare('UPDATE class_maps SET map_json = ? WHERE dataset_id = ?').run(JSON.stringify({ '1': ['car'], '2': ['car'] }), kittiId);
    const state = await client.call('classMap.get', { modelId: model.id, datasetId: kittiId });
    expect(state.source).toBe('suggested');
    expect(state.note).toContain(doubleCountingProblem('car', ['Car', 'Van']));
    const err = await rejection(client.call('evaluations.run', { modelId: model.id, datasetId: kittiId, threads: 1 }));
    expect(err.message).toMatch(/every car detection would be scored twice/);
  });

  it('deleting the dataset or the model deletes its saved maps', async () => {
    const count = () => (engine.db.prepare('SELECT COUNT(*) AS n FROM class_maps').get() as { n: number }).n;
    expect(count()).toBe(2);
    await client.call('datasets.delete', { id: kittiId });
    expect(count()).toBe(1);
    await client.call('models.delete', { id: model.id });
    expect(count()).toBe(0);
  });
});

