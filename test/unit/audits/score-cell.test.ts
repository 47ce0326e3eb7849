import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { evaluateCoco, type CocoDetection, type GtAnnotation } from '../../../src/engine/cocoeval/cocoeval';
import { packDetections, type RawDetection } from '../../../src/engine/audits/packing';
import { CellScorer, type AuditGroundTruth } from '../../../src/engine/audits/score-cell';
import { checkedScoringMap, scoringMap } from '../../../src/engine/audits/scoring-map';
import { groundTruthFor, resolveClassMap } from '../../../src/shared/class-map';
import type { ClassMap } from '../../../src/shared/schemas';
import { cocoevalFixturesDir, loadCase } from '../cocoeval/fixtures';
import { Rng } from '../../../src/shared/prng';

/** YOLOX-Nano on KITTI (pycocotools reference case): categories Car, Van, Truck, Pedestrian, ... */
function kittiCase() {
  const { gt, dets, expected } = loadCase(path.join(cocoevalFixturesDir(), 'yolox_kitti'));
  const images = [...gt.images].sort((a, b) => a.id - b.id).map((im) => ({ id: im.id, width: im.width ?? 0, height: im.height ?? 0 }));
  const annotationsByImage = new Map<number, GtAnnotation[]>();
  for (const a of gt.annotations) annotationsByImage.set(a.image_id, [...(annotationsByImage.get(a.image_id) ?? []), a]);
  const audit: AuditGroundTruth = { images, annotationsByImage };
  const categories = gt.categories.map((c) => ({ id: c.id, name: c.name, cocoEquivalent: null }));
  return { gt, dets, expected, audit, categories };
}

/** A format-2 map: each dataset category scored as itself by the model classes given (none: not scored). */
function ownMap(categories: readonly { id: number; name: string }[], classesOf: (c: { id: number; name: string }) => string[]): ClassMap {
  return { version: 2, categories: categories.map((c) => ({ name: c.name, datasetCategories: [c.id], modelClasses: classesOf(c), ignore: [] })) };
}

/** The fixture's detections as one model's raw output: class index = position of the category in `classes`. */
function rawUnits(dets: readonly CocoDetection[], classOf: (categoryId: number) => number | null): Map<number, RawDetection[]> {
  const byImage = new Map<number, RawDetection[]>();
  for (const d of dets) {
    const classIndex = classOf(d.category_id);
    if (classIndex === null) continue;
    byImage.set(d.image_id, [...(byImage.get(d.image_id) ?? []), { bbox: d.bbox, score: d.score, classIndex }]);
  }
  return byImage;
}

const f32 = (d: CocoDetection): CocoDetection => ({ ...d, bbox: d.bbox.map(Math.fround) as CocoDetection['bbox'], score: Math.fround(d.score) });

describe('scoring a cell from stored units', () => {
  it('equals the whole-dataset evaluator on the same (stored) detections, whatever order the units come in', () => {
    const { gt, dets, expected, audit, categories } = kittiCase();
    const classNames = categories.map((c) => c.name);
    const classMap = ownMap(categories, (c) => [c.name]);
    const units = rawUnits(dets, (id) => categories.findIndex((c) => c.id === id));
    const scorer = new CellScorer(audit, scoringMap(classMap, classNames, categories));
    const order = audit.images.map((_, i) => i);
    const rng = new Rng(3);
    for (let i = order.length - 1; i > 0; i--) {
      const j = rng.nextUint32() % (i + 1);
      [order[i], order[j]] = [order[j], order[i]];
    }
    for (const pos of order) scorer.add(pos, packDetections(units.get(audit.images[pos].id) ?? []));
    expect(scorer.complete).toBe(true);
    const score = scorer.finish();

    // the reference evaluator over the same float32 values, image by image in id order
    const stored = [...audit.images].flatMap((im) => dets.filter((d) => d.image_id === im.id)).map(f32);
    const reference = evaluateCoco(gt, stored);
    expect(score.stats).toEqual(reference.stats);
    expect(score.perCategory).toEqual(reference.per_category);
    // float32 storage moves nothing that matters: pycocotools' numbers on the original values
    for (const [k, v] of Object.entries(expected.stats)) expect(Math.abs(score.stats[k as keyof typeof score.stats] - v), k).toBeLessThan(1e-9);
  });

  it('scores a merge as one category, ignore-for boxes as ignore regions, and leaves unmapped categories and unscored classes out', () => {
    const { gt, dets, audit, categories } = kittiCase();
    const idOf = (name: string): number => categories.find((c) => c.name === name)!.id;
    // model class 'car' fed by the Car detections scores as "vehicle" (Car + Van merged); 'person' as
    // Pedestrian, with Cyclist boxes as ignore regions (Truck boxes for vehicle); 'tram' is not scored; Misc is unmapped
    const classNames = ['car', 'person', 'tram'];
    const classMap: ClassMap = {
      version: 2,
      categories: [
        { name: 'vehicle', datasetCategories: [idOf('Car'), idOf('Van')], modelClasses: ['car'], ignore: [idOf('Truck')] },
        { name: 'Pedestrian', datasetCategories: [idOf('Pedestrian')], modelClasses: ['person'], ignore: [idOf('Cyclist')] },
        ...categories
          .filter((c) => !['Car', 'Van', 'Pedestrian'].includes(c.name))
          .map((c) => ({ name: c.name, datasetCategories: [c.id], modelClasses: [], ignore: [] })),
      ],
    };
    const units = rawUnits(dets, (id) => (id === idOf('Car') ? 0 : id === idOf('Pedestrian') ? 1 : id === idOf('Tram') ? 2 : null));
    const map = checkedScoringMap(classMap, classNames, categories);
    expect(map.categories.map((c) => c.name)).toEqual(['vehicle', 'Pedestrian']);
    expect(map.unmapped.map((c) => c.name)).toContain('Misc');
    expect([map.categoryOf(0), map.categoryOf(1), map.categoryOf(2)]).toEqual([idOf('Car'), idOf('Pedestrian'), null]);
    const scorer = new CellScorer(audit, map);
    audit.images.forEach((im, pos) => scorer.add(pos, packDetections(units.get(im.id) ?? [])));
    const score = scorer.finish();

    const resolved = resolveClassMap(classMap, classNames, categories);
    const expanded = audit.images.flatMap((im) =>
      (units.get(im.id) ?? []).flatMap((d) => {
        const category_id = resolved.categoryOfClass[d.classIndex];
        return category_id === null ? [] : [f32({ image_id: im.id, category_id, bbox: d.bbox, score: d.score })];
      }),
    );
    const scoredGt = groundTruthFor(resolved, gt.annotations);
    expect(scoredGt.annotations.some((a) => a.ignore_region)).toBe(true);
    const reference = evaluateCoco({ images: gt.images, annotations: scoredGt.annotations, categories: scoredGt.categories }, expanded);
    expect(score.stats).toEqual(reference.stats);
    expect(score.perCategory).toEqual(reference.per_category);
    // the merge's GT is Car's and Van's together
    const count = (name: string): number => gt.annotations.filter((a) => a.category_id === idOf(name) && !a.iscrowd).length;
    expect(score.perCategory.find((c) => c.id === idOf('Car'))!.num_gt).toBeGreaterThanOrEqual(count('Car') + count('Van'));
  });

  it('refuses a map that scores one model class twice, naming the class', () => {
    const { categories } = kittiCase();
    const twice = ownMap(categories, (c) => (c.name === 'Car' || c.name === 'Van' ? ['car'] : []));
    expect(() => checkedScoringMap(twice, ['car'], categories, 'the class map of model "m"')).toThrow(/the class map of model "m" does not fit/);
    expect(() => checkedScoringMap(twice, ['car'], categories)).toThrow(/model class "car" is mapped to "Car" and "Van"/);
  });

  it('refuses an image twice, an image outside the audit, and finishing before every image is in', () => {
    const { audit, categories } = kittiCase();
    const map = scoringMap(ownMap(categories, (c) => (c.id === categories[0].id ? ['Car'] : [])), ['Car'], categories);
    const scorer = new CellScorer(audit, map);
    scorer.add(0, packDetections([]));
    expect(() => scorer.add(0, packDetections([]))).toThrow(/scored twice/);
    expect(() => scorer.add(audit.images.length, packDetections([]))).toThrow(/not in the audit/);
    expect(() => scorer.finish()).toThrow(/are not scored yet/);
  });
});
