import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BDD_CATEGORIES } from '../../../src/engine/datasets/bdd-import';
import { KITTI_CLASSES } from '../../../src/engine/datasets/kitti-import';
import { vocCategories } from '../../../src/engine/datasets/voc-import';
import { Engine } from '../../../src/engine/engine';
import { normaliseName, suggestClassMap, synonymsOf } from '../../../src/engine/evaluations/class-map';
import { inProcessClient } from '../../../src/engine/rpc/in-process';
import type { OdraClient } from '../../../src/shared/client';
import { classMapStateSchema, type ModelSummary } from '../../../src/shared/schemas';
import { dumpStore, makeTempDir, removeDir } from '../../helpers/broken-datasets';
import { sharedPath } from '../../helpers/shared';
import { materialise, rejection } from '../../helpers/dataset-fixtures';

/** COCO's 80 class names as Ultralytics and YOLOX write them. */
const COCO80 = [
  'person', 'bicycle', 'car', 'motorcycle', 'airplane', 'bus', 'train', 'truck', 'boat', 'traffic light', 'fire hydrant', 'stop sign',
  'parking meter', 'bench', 'bird', 'cat', 'dog', 'horse', 'sheep', 'cow', 'elephant', 'bear', 'zebra', 'giraffe', 'backpack', 'umbrella',
  'handbag', 'tie', 'suitcase', 'frisbee', 'skis', 'snowboard', 'sports ball', 'kite', 'baseball bat', 'baseball glove', 'skateboard',
  'surfboard', 'tennis racket', 'bottle', 'wine glass', 'cup', 'fork', 'knife', 'spoon', 'bowl', 'banana', 'apple', 'sandwich', 'orange',
  'broccoli', 'carrot', 'hot dog', 'pizza', 'donut', 'cake', 'chair', 'couch', 'potted plant', 'bed', 'dining table', 'toilet', 'tv',
  'laptop', 'mouse', 'remote', 'keyboard', 'cell phone', 'microwave', 'oven', 'toaster', 'sink', 'refrigerator', 'book', 'clock', 'vase',
  'scissors', 'teddy bear', 'hair drier', 'toothbrush',
];

const named = (map: Record<string, string[]>, categories: readonly { id: number; name: string }[]): Record<string, string[]> =>
  Object.fromEntries(categories.map((c) => [c.name, map[String(c.id)]]));
const plain = (names: string[]) => names.map((name, i) => ({ id: i + 1, name, cocoEquivalent: null }));

describe('automatic class mapping with synonyms', () => {
  it('synonym groups are symmetric and normalised', () => {
    expect(synonymsOf('Motorbike')).toEqual(['motorcycle', 'motor']);
    expect(synonymsOf('motor')).toEqual(['motorcycle', 'motorbike']);
    expect(synonymsOf('traffic_light')).toEqual(['trafficlight']);
    expect(synonymsOf('TrafficLight')).toEqual(['traffic light']);
    expect(synonymsOf('zebra')).toEqual([]);
    expect(normaliseName(' Traffic__Light ')).toBe('traffic light');
  });

  it("VOC's names find COCO classes even without cocoEquivalent", () => {
    const cats = vocCategories(['person']).map((c) => ({ ...c, cocoEquivalent: null }));
    expect(named(suggestClassMap(COCO80, cats), cats)).toEqual({
      aeroplane: ['airplane'], bicycle: ['bicycle'], bird: ['bird'], boat: ['boat'], bottle: ['bottle'], bus: ['bus'], car: ['car'],
      cat: ['cat'], chair: ['chair'], cow: ['cow'], diningtable: ['dining table'], dog: ['dog'], horse: ['horse'],
      motorbike: ['motorcycle'], person: ['person'], pottedplant: ['potted plant'], sheep: ['sheep'], sofa: ['couch'],
      train: ['train'], tvmonitor: ['tv'],
    });
  });

  it('and the other way: a VOC-trained model on a COCO-named dataset', () => {
    const vocModel = vocCategories(['person']).map((c) => c.name);
    const cats = plain(['airplane', 'motorcycle', 'dining table', 'couch', 'tv', 'potted plant', 'giraffe']);
    expect(named(suggestClassMap(vocModel, cats), cats)).toEqual({
      airplane: ['aeroplane'], motorcycle: ['motorbike'], 'dining table': ['diningtable'], couch: ['sofa'], tv: ['tvmonitor'],
      'potted plant': ['pottedplant'], giraffe: [],
    });
  });

  it('BDD100K on a COCO model: rider via cocoEquivalent, traffic sign unmapped', () => {
    expect(named(suggestClassMap(COCO80, BDD_CATEGORIES), BDD_CATEGORIES)).toEqual({
      pedestrian: ['person'], rider: ['person'], car: ['car'], truck: ['truck'], bus: ['bus'], train: ['train'],
      motorcycle: ['motorcycle'], bicycle: ['bicycle'], 'traffic light': ['traffic light'], 'traffic sign': [],
    });
  });

  it('VisDrone/Roboflow-style names without cocoEquivalent', () => {
    const cats = plain(['pedestrian', 'people', 'bike', 'motor', 'automobile', 'traffic_light', 'TrafficLight', 'awning-tricycle']);
    expect(named(suggestClassMap(COCO80, cats), cats)).toEqual({
      pedestrian: ['person'], people: ['person'], bike: ['bicycle'], motor: ['motorcycle'], automobile: ['car'],
      traffic_light: ['traffic light'], TrafficLight: ['traffic light'], 'awning-tricycle': [],
    });
  });

  it("a model trained on the dataset's own classes keeps them apart (the own name before cocoEquivalent)", () => {
    const cats = KITTI_CLASSES.map((c, i) => ({ id: i + 1, name: c.name, cocoEquivalent: c.coco }));
    const kittiModel = ['Car', 'Van', 'Truck', 'Pedestrian', 'Person_sitting', 'Cyclist', 'Tram', 'Misc'];
    expect(named(suggestClassMap(kittiModel, cats), cats)).toEqual(Object.fromEntries(kittiModel.map((n) => [n, [n]])));
    expect(named(suggestClassMap(COCO80, cats), cats)).toEqual({
      Car: ['car'], Van: ['car'], Truck: ['truck'], Pedestrian: ['person'], Person_sitting: ['person'], Cyclist: ['person'], Tram: ['train'], Misc: [],
    });
  });
});

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

  it('without a saved map: the suggestion, what it leaves unmapped and how many annotations that is', async () => {
    expect(model.adapter.classNames).toEqual(COCO80);
    const state = classMapStateSchema.parse(await client.call('classMap.get', { modelId: model.id, datasetId: kittiId }));
    expect(state.source).toBe('suggested');
    expect(state.classMap).toEqual({ '1': ['car'], '2': ['car'], '3': ['truck'], '4': ['person'], '5': ['person'], '6': ['person'], '7': ['train'], '8': [] });
    expect(state.unmapped).toEqual(['Misc']);
    expect(state.unmappedAnnotations).toBe(1);
    expect(state.note).toBeUndefined();
    const bdd = await client.call('classMap.get', { modelId: model.id, datasetId: bddId });
    expect(bdd.unmapped).toEqual(['traffic sign']);
    expect(bdd.unmappedAnnotations).toBe(1);
  });

  it('save: checked, completed with every category, stored, then in force; per (model, dataset)', async () => {
    const saved = await client.call('classMap.save', { modelId: model.id, datasetId: kittiId, classMap: { '1': ['car', 'truck', 'car'], '04': ['person'] } });
    expect(saved).toEqual({
      classMap: { '1': ['car', 'truck'], '2': [], '3': [], '4': ['person'], '5': [], '6': [], '7': [], '8': [] },
      source: 'saved',
      unmapped: ['Van', 'Truck', 'Person_sitting', 'Cyclist', 'Tram', 'Misc'],
      unmappedAnnotations: 6,
    });
    expect(await client.call('classMap.get', { modelId: model.id, datasetId: kittiId })).toEqual(saved);
    expect((await client.call('classMap.get', { modelId: model.id, datasetId: bddId })).source).toBe('suggested');
    const again = await client.call('classMap.save', { modelId: model.id, datasetId: kittiId, classMap: { '2': ['car'] } });
    expect(again.classMap['1']).toEqual([]);
    expect(again.classMap['2']).toEqual(['car']);
    expect(engine.db.prepare('SELECT COUNT(*) AS n FROM class_maps').get()).toEqual({ n: 1 });
  });

  it('a map that does not fit is refused and stores nothing', async () => {
    const before = dumpStore(engine.db);
    const err = await rejection(client.call('classMap.save', { modelId: model.id, datasetId: bddId, classMap: { '1': ['pedestrian'], '99': ['car'] } }));
    expect(err.code).toBe('BAD_INPUT');
    expect(err.details?.problems?.map((p) => p.problem)).toEqual(['"pedestrian" is not one of the model\'s classes', 'category id 99 is not in the dataset']);
    const missing = await rejection(client.call('classMap.save', { modelId: 999, datasetId: bddId, classMap: {} }));
    expect(missing.code).toBe('NOT_FOUND');
    expect(dumpStore(engine.db)).toEqual(before);
  });

  it('evaluations use the saved map when the caller gives none', async () => {
    const saved = await client.call('classMap.save', { modelId: model.id, datasetId: bddId, classMap: { '3': ['car'], '4': ['truck'] } });
    const ev = await client.call('evaluations.run', { modelId: model.id, datasetId: bddId, threads: 1 });
    expect(ev.status).toBe('done');
    expect(ev.classMap).toEqual(saved.classMap);
    expect(ev.perCategory.map((c) => c.name).sort()).toEqual(['car', 'truck']);
    expect(ev.unmappedCategories).toEqual(['pedestrian', 'rider', 'bus', 'train', 'motorcycle', 'bicycle', 'traffic light', 'traffic sign']);
    const explicit = await client.call('evaluations.run', { modelId: model.id, datasetId: bddId, classMap: { '5': ['bus'] }, threads: 1 });
    expect(explicit.classMap).toEqual({ '5': ['bus'] });
  });

  it('a saved map the model no longer fits: shown as stale, refused by evaluations', async () => {
    const renamed = { ...model.adapter, classNames: model.adapter.classNames.map((n) => (n === 'car' ? 'automobile' : n)) };
    await client.call('models.setAdapter', { id: model.id, adapter: renamed });
    try {
      const state = await client.call('classMap.get', { modelId: model.id, datasetId: bddId });
      expect(state.source).toBe('suggested');
      expect(state.classMap['3']).toEqual(['automobile']);
      expect(state.note).toMatch(/^the saved class map no longer fits this model \("car" is not one of the model's classes\)/);
      const err = await rejection(client.call('evaluations.run', { modelId: model.id, datasetId: bddId, threads: 1 }));
      expect(err.code).toBe('BAD_INPUT');
      expect(err.message).toMatch(/the class map saved for model \d+ and dataset \d+ does not fit/);
    } finally {
      await client.call('models.setAdapter', { id: model.id, adapter: model.adapter });
    }
  });

  it('deleting the dataset or the model deletes its saved maps', async () => {
    await client.call('classMap.save', { modelId: model.id, datasetId: kittiId, classMap: { '1': ['car'] } });
    const count = () => (engine.db.prepare('SELECT COUNT(*) AS n FROM class_maps').get() as { n: number }).n;
    expect(count()).toBe(2);
    await client.call('datasets.delete', { id: kittiId });
    expect(count()).toBe(1);
    await client.call('models.delete', { id: model.id });
    expect(count()).toBe(0);
  });
});
