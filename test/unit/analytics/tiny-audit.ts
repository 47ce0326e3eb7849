/**
 * Audits small enough to check by hand. On every image each class present has one GT
 * box 100 x 100 and one detection inside it whose IoU clears exactly `level` of the ten
 * COCO thresholds (0.5, 0.55, ..., 0.95): level j gives the class AP j/10 on any image
 * set (every detection is TP at the first j thresholds, FP at the rest), 0 = a
 * detection far from it (AP 0).
 */
import { createEvalSetup, evaluateImage, type CocoDetection, type GtAnnotation } from '../../../src/engine/cocoeval/cocoeval';
import { buildCellMatches, type CellMatches } from '../../../src/engine/analytics/cell-matches';

export interface TinyClass {
  id: number;
  name: string;
  /** ids of the images the class appears on */
  images: readonly number[];
}

/** One cell: levels[k] for classes[k] on all of its images, or per image: levels[k][i] for images[i]. */
export function tinyCell(images: readonly number[], classes: readonly TinyClass[], levels: readonly (number | readonly number[])[]): CellMatches {
  const setup = createEvalSetup({ images: images.map((id) => ({ id })), categories: classes.map(({ id, name }) => ({ id, name })) });
  const evals = images.map((imageId, i) => {
    const gts: GtAnnotation[] = [];
    const dets: CocoDetection[] = [];
    classes.forEach((c, k) => {
      if (!c.images.includes(imageId)) return;
      const x = 200 * k;
      gts.push({ id: imageId * 1000 + k, image_id: imageId, category_id: c.id, bbox: [x, 0, 100, 100], area: 10000, iscrowd: 0 });
      const lv = levels[k];
      const level = typeof lv === 'number' ? lv : lv[i];
      // IoU = w / 100: 1 for level 10, else halfway between threshold level-1 and level
      const w = level >= 10 ? 100 : 100 * (0.5 + 0.05 * (level - 1) + 0.025);
      dets.push({ image_id: imageId, category_id: c.id, bbox: level > 0 ? [x, 0, w, 100] : [x, 500, 50, 50], score: 0.9 });
    });
    return evaluateImage(setup, imageId, gts, dets);
  });
  return buildCellMatches(setup, evals);
}
