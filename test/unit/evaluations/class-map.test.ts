import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BDD_CATEGORIES } from '../../../src/engine/datasets/bdd-import';
import { KITTI_CLASSES } from '../../../src/engine/datasets/kitti-import';
import { vocCategories } from '../../../src/engine/datasets/voc-import';
import { Engine } from '../../../src/engine/engine';
import { normaliseName, parseClassMapFile, suggestClassMap, synonymsOf, type CategoryRef } from '../../../src/engine/evaluations/class-map';
import { inProcessClient } from '../../../src/engine/rpc/in-process';
import { classMapProblems, doubleCountingProblem } from '../../../src/shared/class-map';
import type { OdraClient } from '../../../src/shared/client';
import { classMapStateSchema, type ClassMap, type ModelSummary } from '../../../src/shared/schemas';
import { dumpStore, makeTempDir, removeDir } from '../../helpers/broken-datasets';
import { sharedPath } from '../../helpers/shared';
import { materialise, rejection } from '../datasets/importers/fixtures';

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
const KITTI: CategoryRef[] = KITTI_CLASSES.map((c, i) => ({ id: i + 1, name: c.name, cocoEquivalent: c.coco }));

/** The map in words: "name: scored categories <- classes [ignoring ...]", one line per evaluation category. */
function inWords(map: ClassMap, categories: readonly { id: number; name: string }[]): string[] {
  const n = (ids: number[]): string => ids.map((id) => categories.find((c) => c.id === id)?.name ?? `#${id}`).join(' + ');
  return map.categories.map(
    (c) => `${c.name}: ${n(c.datasetCategories)} <- ${c.modelClasses.join(', ') || '-'}${c.ignore.length ? ` (ignoring ${n(c.ignore)})` : ''}`,
  );
}
/** For maps without merges or ignore rules: dataset category name -> model classes. */
function named(map: ClassMap, categories: readonly { id: number; name: string }[]): Record<string, string[]> {
  for (const c of map.categories) expect(c.datasetCategories.length === 1 && c.ignore.length === 0, c.name).toBe(true);
  return Object.fromEntries(map.categories.map((c) => [categories.find((x) => x.id === c.datasetCategories[0])!.name, c.modelClasses]));
}
const plain = (names: string[]): CategoryRef[] => names.map((name, i) => ({ id: i + 1, name, cocoEquivalent: null }));

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
    const { classMap, notes } = suggestClassMap(COCO80, cats);
    expect(named(classMap, cats)).toEqual({
      aeroplane: ['airplane'], bicycle: ['bicycle'], bird: ['bird'], boat: ['boat'], bottle: ['bottle'], bus: ['bus'], car: ['car'],
      cat: ['cat'], chair: ['chair'], cow: ['cow'], diningtable: ['dining table'], dog: ['dog'], horse: ['horse'],
      motorbike: ['motorcycle'], person: ['person'], pottedplant: ['potted plant'], sheep: ['sheep'], sofa: ['couch'],
      train: ['train'], tvmonitor: ['tv'],
    });
    expect(notes).toEqual([]);
  });

  it('and the other way: a VOC-trained model on a COCO-named dataset', () => {
    const vocModel = vocCategories(['person']).map((c) => c.name);
    const cats = plain(['airplane', 'motorcycle', 'dining table', 'couch', 'tv', 'potted plant', 'giraffe']);
    expect(named(suggestClassMap(vocModel, cats).classMap, cats)).toEqual({
      airplane: ['aeroplane'], motorcycle: ['motorbike'], 'dining table': ['diningtable'], couch: ['sofa'], tv: ['tvmonitor'],
      'potted plant': ['pottedplant'], giraffe: [],
    });
  });

  it("a model trained on the dataset's own classes keeps them apart (the own name before cocoEquivalent)", () => {
    const kittiModel = ['Car', 'Van', 'Truck', 'Pedestrian', 'Person_sitting', 'Cyclist', 'Tram', 'Misc'];
    const { classMap, notes } = suggestClassMap(kittiModel, KITTI);
    expect(named(classMap, KITTI)).toEqual(Object.fromEntries(kittiModel.map((n) => [n, [n]])));
    expect(notes).toEqual([]);
  });

  it('KITTI on a COCO model: never one-to-many; the best-named category is scored, the others are ignore regions for it', () => {
    const { classMap, notes } = suggestClassMap(COCO80, KITTI);
    expect(inWords(classMap, KITTI)).toEqual([
      'Car: Car <- car (ignoring Van)',
      'Van: Van <- -',
      'Truck: Truck <- truck',
      'Pedestrian: Pedestrian <- person (ignoring Person_sitting + Cyclist)',
      'Person_sitting: Person_sitting <- -',
      'Cyclist: Cyclist <- -',
      'Tram: Tram <- train',
      'Misc: Misc <- -',
    ]);
    expect(classMapProblems(classMap, COCO80, KITTI)).toEqual([]);
    expect(notes).toEqual([
      '"car" matches "Car" and "Van": it is scored as "Car" only (its own name), not as each of them, which would count every car detection twice. ' +
        '"Van" is an ignore region for "Car": a car detection on it is neither TP nor FP (KITTI\'s convention for Van and Person_sitting), ' +
        'and a missed one counts nowhere. Merge it into "Car" to count a missed Van as a miss.',
      '"person" matches "Pedestrian", "Person_sitting" and "Cyclist": it is scored as "Pedestrian" only (its name is a synonym of the class), not as each of them, ' +
        'which would count every person detection 3 times. "Person_sitting" and "Cyclist" are ignore regions for "Pedestrian": a person detection on one of them ' +
        'is neither TP nor FP (KITTI\'s convention for Van and Person_sitting), and a missed one counts nowhere. Merge them into "Pedestrian" to count missed ones as misses.',
    ]);
  });

  it('BDD100K on a COCO model: rider is an ignore region for pedestrian, traffic sign unmapped', () => {
    const { classMap, notes } = suggestClassMap(COCO80, BDD_CATEGORIES);
    expect(inWords(classMap, BDD_CATEGORIES)).toEqual([
      'pedestrian: pedestrian <- person (ignoring rider)',
      'rider: rider <- -',
      'car: car <- car',
      'truck: truck <- truck',
      'bus: bus <- bus',
      'train: train <- train',
      'motorcycle: motorcycle <- motorcycle',
      'bicycle: bicycle <- bicycle',
      'traffic light: traffic light <- traffic light',
      'traffic sign: traffic sign <- -',
    ]);
    expect(notes).toHaveLength(1);
  });

  it('categories that name the class equally well are merged into one named after it; a worse one is ignored for the merge', () => {
    const cats = plain(['pedestrian', 'people', 'bike', 'motor', 'automobile', 'traffic_light', 'TrafficLight', 'awning-tricycle']);
    const { classMap, notes } = suggestClassMap(COCO80, cats);
    expect(inWords(classMap, cats)).toEqual([
      'person: pedestrian + people <- person',
      'bike: bike <- bicycle',
      'motor: motor <- motorcycle',
      'automobile: automobile <- car',
      'traffic_light: traffic_light <- traffic light (ignoring TrafficLight)',
      'TrafficLight: TrafficLight <- -',
      'awning-tricycle: awning-tricycle <- -',
    ]);
    expect(classMapProblems(classMap, COCO80, cats)).toEqual([]);
    expect(notes[0]).toBe(
      '"person" matches "pedestrian" and "people" equally well (its name is a synonym of the class): they are merged into one category "person", ' +
        'so a person detection on any of them is a TP and a missed one a miss; "person" is not mapped to each, which would count every detection twice.',
    );
    expect(notes[1]).toMatch(/^"traffic light" matches "traffic_light" and "TrafficLight": it is scored as "traffic_light" only \(its own name\)/);
  });
});

describe('the suggestion never maps a model class to two categories', () => {
  it('on every dataset vocabulary Odra imports, both ways round, and on names that collide after normalising', () => {
    const voc = vocCategories(['person']);
    const vocModel = voc.map((c) => c.name);
    const kittiModel = KITTI.map((c) => c.name);
    const collide = plain(['car', 'Car', 'CAR', 'automobile', 'person', 'pedestrian', 'people', 'Person', 'motor', 'motorbike', 'motorcycle']);
    const cases: [readonly string[], readonly CategoryRef[]][] = [
      [COCO80, KITTI],
      [COCO80, BDD_CATEGORIES],
      [COCO80, voc],
      [COCO80, collide],
      [vocModel, collide],
      [kittiModel, KITTI],
      [kittiModel, BDD_CATEGORIES],
      [BDD_CATEGORIES.map((c) => c.name), KITTI],
      [['vehicle', 'car', 'car'], plain(['car', 'van', 'automobile'])],
    ];
    for (const [model, cats] of cases) {
      const { classMap } = suggestClassMap(model, cats);
      expect(classMapProblems(classMap, model, cats), cats.map((c) => c.name).join(',')).toEqual([]);
      const scored = classMap.categories.flatMap((c) => c.modelClasses);
      expect(new Set(scored).size).toBe(scored.length);
    }
    expect(inWords(suggestClassMap(COCO80, collide).classMap, collide).filter((l) => !l.endsWith('<- -'))).toEqual([
      'car: car + Car + CAR <- car (ignoring automobile)',
      'person: person + Person <- person (ignoring pedestrian + people)',
      'motorcycle: motorcycle <- motorcycle (ignoring motor + motorbike)',
    ]);
  });
});

describe('class-map files', () => {
  const file = 'map.json';

  it('format 2 with dataset categories by id or name; a merge without a name is named after its members', () => {
    const map = parseClassMapFile(
      { version: 2, categories: [{ datasetCategories: ['car', 2], modelClasses: 'car' }, { name: 'walker', datasetCategories: [4], modelClasses: ['person'], ignore: ['Cyclist', '5'] }] },
      KITTI,
      file,
    );
    expect(inWords(map, KITTI)).toEqual([
      'Car + Van: Car + Van <- car',
      'Truck: Truck <- -',
      'walker: Pedestrian <- person (ignoring Person_sitting + Cyclist)',
      'Person_sitting: Person_sitting <- -',
      'Cyclist: Cyclist <- -',
      'Tram: Tram <- -',
      'Misc: Misc <- -',
    ]);
  });

  it('the first format still reads, and mapping one class twice in it is refused when checked against the model', () => {
    const map = parseClassMapFile({ Car: 'car', '04': ['person'] }, KITTI, file);
    expect(inWords(map, KITTI).filter((l) => !l.endsWith('<- -'))).toEqual(['Car: Car <- car', 'Pedestrian: Pedestrian <- person']);
    const twice = parseClassMapFile({ Car: 'car', Van: 'car' }, KITTI, file);
    expect(classMapProblems(twice, COCO80, KITTI).map((p) => p.problem)).toEqual([doubleCountingProblem('car', ['Car', 'Van'])]);
  });

  it('names every problem of a file, with the file', () => {
    const err = (() => {
      try {
        parseClassMapFile({ version: 3, categories: [{ datasetCategories: [], modelClasses: 5 }, { datasetCategories: ['Bus'], colour: 'red' }] }, KITTI, file);
      } catch (e) {
        return e as { code: string; message: string; details: { file: string; problems: { problem: string }[] } };
      }
      throw new Error('accepted');
    })();
    expect(err.code).toBe('BAD_INPUT');
    expect(err.details.file).toBe(file);
    expect(err.details.problems.map((p) => p.problem)).toEqual([
      '"version" must be 2 (got 3)',
      'categories[0].datasetCategories must list at least one dataset category (id or name)',
      'categories[1]: unknown field "colour"',
      'categories[1].datasetCategories: "Bus" is neither a category id nor a category name of the dataset',
    ]);
    expect(() => parseClassMapFile({ Bus: 'bus' }, KITTI, file)).toThrow(/map.json is not a valid class map\n {2}map.json: key: "Bus" is neither/);
    expect(() => parseClassMapFile(['car'], KITTI, file)).toThrow(/must be a JSON object/);
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

