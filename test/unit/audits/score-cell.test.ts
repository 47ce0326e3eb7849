import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { evaluateCoco, type CocoDetection, type GtAnnotation } from '../../../src/engine/cocoeval/cocoeval';
import { packDetections, type RawDetection } from '../../../src/engine/audits/packing';
import { CellScorer, type AuditGroundTruth } from '../../../src/engine/audits/score-cell';
import { scoringMap } from '../../../src/engine/audits/scoring-map';
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
    const classMap = Object.fromEntries(categories.map((c) => [String(c.id), [c.name]]));
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

  it('scores a detection under every category that lists its class, and leaves unmapped categories out', () => {
    const { gt, dets, audit, categories } = kittiCase();
    const idOf = (name: string): number => categories.find((c) => c.name === name)!.id;
    // one model class 'car' fed by the fixture's Car detections; Car and Van both take it; Misc maps to nothing
    const classNames = ['car', 'person'];
    const classMap = Object.fromEntries(categories.map((c) => [String(c.id), [] as string[]]));
    classMap[String(idOf('Car'))] = ['car'];
    classMap[String(idOf('Van'))] = ['car'];
    classMap[String(idOf('Pedestrian'))] = ['person'];
    const units = rawUnits(dets, (id) => (id === idOf('Car') ? 0 : id === idOf('Pedestrian') ? 1 : null));
    const map = scoringMap(classMap, classNames, categories);
    expect(map.categories.map((c) => c.name)).toEqual(['Car', 'Van', 'Pedestrian'].sort((a, b) => idOf(a) - idOf(b)));
    expect(map.unmapped.map((c) => c.name)).toContain('Misc');
    const scorer = new CellScorer(audit, map);
    audit.images.forEach((im, pos) => scorer.add(pos, packDetections(units.get(im.id) ?? [])));
    const score = scorer.finish();

    const scored = new Set([idOf('Car'), idOf('Van'), idOf('Pedestrian')]);
    const expanded = audit.images.flatMap((im) =>
      (units.get(im.id) ?? []).flatMap((d) =>
        (d.classIndex === 0 ? [idOf('Car'), idOf('Van')] : [idOf('Pedestrian')]).map((category_id) => f32({ image_id: im.id, category_id, bbox: d.bbox, score: d.score })),
      ),
    );
    const reference = evaluateCoco(
      { images: gt.images, annotations: gt.annotations.filter((a) => scored.has(a.category_id)), categories: gt.categories.filter((c) => scored.has(c.id)) },
      expanded,
    );
    expect(score.stats).toEqual(reference.stats);
    expect(score.perCategory).toEqual(reference.per_category);
    const car = score.perCategory.find((c) => c.name === 'Car')!;
    expect(score.perCategory.find((c) => c.name === 'Van')!.num_dets).toBe(car.num_dets);
  });

  it('refuses an image twice, an image outside the audit, and finishing before every image is in', () => {
    const { audit, categories } = kittiCase();
    const map = scoringMap({ [String(categories[0].id)]: ['Car'] }, ['Car'], categories);
    const scorer = new CellScorer(audit, map);
    scorer.add(0, packDetections([]));
    expect(() => scorer.add(0, packDetections([]))).toThrow(/scored twice/);
    expect(() => scorer.add(audit.images.length, packDetections([]))).toThrow(/not in the audit/);
    expect(() => scorer.finish()).toThrow(/are not scored yet/);
  });
});
