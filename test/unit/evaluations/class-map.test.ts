import { describe, expect, it } from 'vitest';
import { BDD_CATEGORIES } from '../../../src/engine/datasets/bdd-import';
import { KITTI_CLASSES } from '../../../src/engine/datasets/kitti-import';
import { vocCategories } from '../../../src/engine/datasets/voc-import';
import { normaliseName, parseClassMapFile, suggestClassMap, synonymsOf, type CategoryRef } from '../../../src/engine/evaluations/class-map';
import { classMapProblems, doubleCountingProblem } from '../../../src/shared/class-map';
import type { ClassMap } from '../../../src/shared/schemas';
import { COCO80, inWords } from '../../helpers/class-map-fixtures';

const KITTI: CategoryRef[] = KITTI_CLASSES.map((c, i) => ({ id: i + 1, name: c.name, cocoEquivalent: c.coco }));

/** The map in words: "name: scored categories <- classes [ignoring ...]", one line per evaluation category. */
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
