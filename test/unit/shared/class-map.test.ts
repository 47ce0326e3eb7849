import { describe, expect, it } from 'vitest';
import { evaluateCoco, type GtAnnotation } from '../../../src/engine/cocoeval/cocoeval';
import {
  classMapProblems,
  completeClassMap,
  detectionsFor,
  doubleCountingProblem,
  fromLegacyClassMap,
  groundTruthFor,
  readClassMap,
  resolveClassMap,
  scoringLayout,
} from '../../../src/shared/class-map';
import { OdraError } from '../../../src/shared/errors';
import type { ClassMapInput } from '../../../src/shared/schemas';

const CATEGORIES = [
  { id: 1, name: 'Car' },
  { id: 2, name: 'Van' },
  { id: 3, name: 'Pedestrian' },
];
/** a COCO-style model: one class for cars and vans alike, and one that happens to fit vans */
const CLASSES = ['car', 'van', 'person'];
const CAR = 0;
const VAN = 1;

/**
 * One image: a Car box and a Van box. The model finds both with its `car` class; the
 * detection on the Van scores higher, so if it counts as a false positive it comes
 * first in the ranking and costs precision at every recall level.
 */
const GT: GtAnnotation[] = [
  { id: 1, image_id: 1, category_id: 1, bbox: [10, 10, 40, 30], area: 1200, iscrowd: 0 },
  { id: 2, image_id: 1, category_id: 2, bbox: [100, 10, 50, 40], area: 2000, iscrowd: 0 },
];
const RAW = [
  { classIndex: CAR, bbox: [10, 10, 40, 30] as [number, number, number, number], score: 0.9 },
  { classIndex: CAR, bbox: [101, 10, 50, 40] as [number, number, number, number], score: 0.95 },
];

function score(map: ClassMapInput, raw = RAW) {
  const resolved = resolveClassMap(completeClassMap(map, CATEGORIES), CLASSES, CATEGORIES);
  const gt = groundTruthFor(resolved, GT);
  const { scored, notScored } = detectionsFor(resolved, raw);
  const result = evaluateCoco(
    { images: [{ id: 1 }], annotations: gt.annotations, categories: gt.categories },
    scored.map((d) => ({ image_id: 1, category_id: d.categoryId, bbox: d.bbox, score: d.score })),
  );
  return { resolved, result, notScored, byName: Object.fromEntries(result.per_category.map((c) => [c.name, c])) };
}

const one = (name: string, ids: number[], classes: string[], ignore: number[] = []) => ({ name, datasetCategories: ids, modelClasses: classes, ignore });

describe('a car detection on a Van under each class-map rule', () => {
  it('one-to-many (car -> Car and Van) is refused: it would score every car detection twice', () => {
    const map = completeClassMap({ version: 2, categories: [one('Car', [1], ['car']), one('Van', [2], ['car'])] }, CATEGORIES);
    const problems = classMapProblems(map, CLASSES, CATEGORIES).map((p) => p.problem);
    expect(problems).toEqual([doubleCountingProblem('car', ['Car', 'Van'])]);
    expect(problems[0]).toMatch(/^model class "car" is mapped to "Car" and "Van": every car detection would be scored twice/);
    expect(problems[0]).toMatch(/a correct detection of a Car also counts as a false-positive Van/);
    expect(() => resolveClassMap(map, CLASSES, CATEGORIES, 'my-map.json')).toThrow(OdraError);
    expect(() => resolveClassMap(map, CLASSES, CATEGORIES, 'my-map.json')).toThrow(/^my-map.json does not fit this model and dataset\n {2}model class "car"/);
    // the first format said the same thing and is refused the same way
    const legacy = fromLegacyClassMap({ '1': ['car'], '2': ['car'], '3': ['person'] }, CATEGORIES);
    expect(classMapProblems(legacy, CLASSES, CATEGORIES).map((p) => p.problem)).toEqual([doubleCountingProblem('car', ['Car', 'Van'])]);
  });

  it('scored separately (car -> Car, van -> Van): the car detection on the Van is a Car FP and the Van is missed', () => {
    const { byName } = score({ version: 2, categories: [one('Car', [1], ['car']), one('Van', [2], ['van'])] });
    expect(byName.Car).toMatchObject({ num_gt: 1, num_dets: 2 });
    // ranking FP (0.95) then TP (0.9): precision 0.5 at recall 1, at every IoU threshold the box reaches
    expect(byName.Car.AP50).toBeCloseTo(0.5, 12);
    expect(byName.Van).toMatchObject({ num_gt: 1, num_dets: 0, AP: 0, AP50: 0 });
  });

  it('merged (Car + Van -> vehicle): both detections are TPs of one category with both boxes as GT', () => {
    const { byName, resolved } = score({ version: 2, categories: [one('vehicle', [2, 1], ['car'])] });
    expect(resolved.categories.map((c) => [c.id, c.name, c.datasetCategories])).toEqual([[1, 'vehicle', [1, 2]]]);
    expect(Object.keys(byName)).toEqual(['vehicle']);
    expect(byName.vehicle).toMatchObject({ id: 1, num_gt: 2, num_dets: 2 });
    expect(byName.vehicle.AP50).toBeCloseTo(1, 12);
  });

  it('ignore for (Van ignored for Car): the detection on the Van is neither TP nor FP, and the Van is not GT', () => {
    const { byName, resolved } = score({ version: 2, categories: [one('Car', [1], ['car'], [2])] });
    expect(resolved.unmapped.map((c) => c.name)).toEqual(['Van', 'Pedestrian']);
    expect(Object.keys(byName)).toEqual(['Car']);
    expect(byName.Car).toMatchObject({ num_gt: 1, num_dets: 2 });
    expect(byName.Car.AP50).toBeCloseTo(1, 12);
    // the same numbers as pycocotools gives with the Van written as a crowd region of Car,
    // except num_gt, which counts crowd regions but never ignore regions
    const crowd = evaluateCoco(
      { images: [{ id: 1 }], annotations: [GT[0], { ...GT[1], category_id: 1, iscrowd: 1 }], categories: [{ id: 1, name: 'Car' }] },
      RAW.map((d) => ({ image_id: 1, category_id: 1, bbox: d.bbox, score: d.score })),
    );
    expect(crowd.per_category[0]).toMatchObject({ AP: byName.Car.AP, AP50: byName.Car.AP50, num_gt: 2 });
    expect(crowd.stats).toEqual(score({ version: 2, categories: [one('Car', [1], ['car'], [2])] }).result.stats);
  });

  it('unmapped (Car only, Van not scored): the detection on the Van is an FP of Car', () => {
    const { byName, resolved } = score({ version: 2, categories: [one('Car', [1], ['car'])] });
    expect(resolved.unmapped.map((c) => c.name)).toEqual(['Van', 'Pedestrian']);
    expect(byName.Car).toMatchObject({ num_gt: 1, num_dets: 2 });
    expect(byName.Car.AP50).toBeCloseTo(0.5, 12);
  });

  it('a model class no category lists is not scored, and kept apart for the views', () => {
    const raw = [...RAW, { classIndex: VAN, bbox: [100, 10, 50, 40] as [number, number, number, number], score: 0.7 }];
    const { byName, notScored } = score({ version: 2, categories: [one('Car', [1], ['car'], [2])] }, raw);
    expect(notScored).toEqual([raw[2]]);
    expect(byName.Car.num_dets).toBe(2);
    expect(byName.Car.AP50).toBeCloseTo(1, 12);
  });
});

describe('class map checks', () => {
  it('lists every problem: unknown ids and classes, a category scored twice, self-ignore, duplicate and empty names', () => {
    const map = {
      version: 2 as const,
      categories: [
        one('Car', [1, 9], ['car', 'bus']),
        one('car', [1], ['van'], [1, 8]),
        one(' ', [3], ['person']),
      ],
    };
    expect(classMapProblems(map, CLASSES, CATEGORIES).map((p) => p.problem)).toEqual([
      'category id 9 is not in the dataset',
      '"bus" is not one of the model\'s classes',
      'two categories are named "car": give each its own name',
      'Car is scored both as "Car" and as "car": a dataset category can be scored as one category only',
      '"car" cannot ignore Car: it is scored as "car" itself',
      'category id 8 (an ignore rule of "car") is not in the dataset',
      'the category of Pedestrian needs a name',
    ]);
  });

  it('a category may be scored itself and ignored for another (KITTI with a model that knows vans)', () => {
    const resolved = resolveClassMap(
      completeClassMap({ version: 2, categories: [one('Car', [1], ['car'], [2]), one('Van', [2], ['van'])] }, CATEGORIES),
      CLASSES,
      CATEGORIES,
    );
    expect(resolved.scoredAs).toEqual(new Map([[1, 1], [2, 2]]));
    expect(resolved.ignoreFor).toEqual(new Map([[2, [1]]]));
    expect(resolved.categoryOfClass).toEqual([1, 2, null]);
    const gt = groundTruthFor(resolved, GT);
    expect(gt.annotations.map((a) => [a.id, a.category_id, a.ignore_region ?? false])).toEqual([
      [1, 1, false],
      [2, 2, false],
      [2, 1, true],
    ]);
  });

  it('an unscored category has no effect through its ignore rules; its GT is left out', () => {
    const layout = scoringLayout(completeClassMap({ version: 2, categories: [one('Car', [1], [], [2])] }, CATEGORIES), CATEGORIES);
    expect(layout.categories).toEqual([]);
    expect(groundTruthFor(layout, GT).annotations).toEqual([]);
    expect(layout.unmapped.map((c) => c.id)).toEqual([1, 2, 3]);
  });

  it('a class name the model lists twice scores under both indices', () => {
    const resolved = resolveClassMap(completeClassMap({ version: 2, categories: [one('Car', [1], ['car'])] }, CATEGORIES), ['car', 'car'], CATEGORIES);
    expect(resolved.categoryOfClass).toEqual([1, 1]);
  });
});

describe('class map formats', () => {
  it('completes a map: every dataset category listed once, ids sorted, evaluation categories by id', () => {
    expect(completeClassMap({ version: 2, categories: [one(' vehicle ', [2, 1, 2], ['car', 'car'], [3, 3])] }, CATEGORIES)).toEqual({
      version: 2,
      categories: [one('vehicle', [1, 2], ['car'], [3]), one('Pedestrian', [3], [])],
    });
    expect(completeClassMap({ version: 2, categories: [{ name: 'Van', datasetCategories: [2], modelClasses: ['car'] }] }, CATEGORIES).categories).toEqual([
      one('Car', [1], []),
      one('Van', [2], ['car']),
      one('Pedestrian', [3], []),
    ]);
  });

  it('reads the first format ("07" is category 7) and format 2 alike', () => {
    const legacy = { '01': ['car'], '3': ['person'] };
    const expected = { version: 2, categories: [one('Car', [1], ['car']), one('Van', [2], []), one('Pedestrian', [3], ['person'])] };
    expect(fromLegacyClassMap(legacy, CATEGORIES)).toEqual(expected);
    expect(readClassMap(legacy, CATEGORIES)).toEqual(expected);
    expect(readClassMap(expected, CATEGORIES)).toEqual(expected);
    expect(readClassMap({}, CATEGORIES).categories.map((c) => c.modelClasses)).toEqual([[], [], []]);
    expect(() => readClassMap({ version: 3, categories: [] }, CATEGORIES)).toThrow();
  });
});
