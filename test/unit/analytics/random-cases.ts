/**
 * Random COCO cases built to stress the orders accumulate depends on: few distinct
 * scores (ties within an image, across images and across copies of an image), several
 * detections of one image and category with equal scores, crowd regions, GT areas that
 * fall outside ranges, boxes whose IoU with a GT lands between the thresholds, and
 * images with GT only, detections only, or neither.
 */
import type { CocoDetection, CocoGroundTruth, GtAnnotation } from '../../../src/engine/cocoeval/cocoeval';
import { Rng } from '../../../src/shared/prng';

export interface RandomCaseOptions {
  images: number;
  categories: number;
  /** GT per image: 0 .. maxGt-1 */
  maxGt: number;
  /** detections per image: 0 .. maxDets-1 */
  maxDets: number;
  /** number of distinct score values (small = many ties) */
  scoreLevels: number;
}

export function randomCase(seed: number, o: RandomCaseOptions): { gt: CocoGroundTruth; dets: CocoDetection[] } {
  const rng = new Rng(seed);
  // sparse, unsorted image ids
  const ids = Array.from({ length: o.images }, (_, i) => 3 * i + 1 + rng.int(0, 3));
  for (let i = ids.length - 1; i > 0; i--) {
    const j = rng.int(0, i + 1);
    [ids[i], ids[j]] = [ids[j], ids[i]];
  }
  const catIds = Array.from({ length: o.categories }, (_, k) => 2 * k + 1);
  const annotations: GtAnnotation[] = [];
  const dets: CocoDetection[] = [];
  let annId = 1;
  for (const imageId of ids) {
    const gtBoxes: { cat: number; box: [number, number, number, number] }[] = [];
    const nGt = rng.int(0, o.maxGt);
    for (let g = 0; g < nGt; g++) {
      const cat = catIds[rng.int(0, catIds.length)];
      const box: [number, number, number, number] = [rng.int(0, 400), rng.int(0, 400), 5 + rng.int(0, 120), 5 + rng.int(0, 120)];
      const crowd = rng.uniform() < 0.08 ? 1 : 0;
      // mostly w*h, sometimes an area field that disagrees (areas decide the range only)
      const area = rng.uniform() < 0.1 ? rng.uniform() * 20000 : box[2] * box[3];
      annotations.push({ id: annId++, image_id: imageId, category_id: cat, bbox: box, area, iscrowd: crowd });
      gtBoxes.push({ cat, box });
    }
    const nDet = rng.int(0, o.maxDets);
    for (let d = 0; d < nDet; d++) {
      const score = (1 + rng.int(0, o.scoreLevels)) / (o.scoreLevels + 1);
      if (gtBoxes.length > 0 && rng.uniform() < 0.6) {
        // near a GT: jitter so IoU spreads over the thresholds; sometimes the wrong class
        const g = gtBoxes[rng.int(0, gtBoxes.length)];
        const j = (): number => (rng.uniform() - 0.5) * 0.4;
        const [x, y, w, h] = g.box;
        const cat = rng.uniform() < 0.85 ? g.cat : catIds[rng.int(0, catIds.length)];
        dets.push({ image_id: imageId, category_id: cat, bbox: [x + j() * w, y + j() * h, w * (1 + j()), h * (1 + j())], score });
      } else {
        const cat = catIds[rng.int(0, catIds.length)];
        dets.push({ image_id: imageId, category_id: cat, bbox: [rng.int(0, 500), rng.int(0, 500), 5 + rng.int(0, 100), 5 + rng.int(0, 100)], score });
      }
    }
  }
  return {
    gt: { images: ids.map((id) => ({ id })), annotations, categories: catIds.map((id) => ({ id, name: `c${id}` })) },
    dets,
  };
}

/**
 * Detections of one model under one condition on a fixed GT: each non-crowd GT is found
 * with probability `recall` (box jittered by up to `jitter` of its size), plus about
 * `fps` false positives per image; scores on `scoreLevels` levels.
 */
export function randomDetections(
  gt: CocoGroundTruth, seed: number, o: { recall: number; jitter: number; fps: number; scoreLevels: number },
): CocoDetection[] {
  const rng = new Rng(seed);
  const catIds = gt.categories.map((c) => c.id);
  const score = (): number => (1 + rng.int(0, o.scoreLevels)) / (o.scoreLevels + 1);
  const dets: CocoDetection[] = [];
  for (const a of gt.annotations) {
    if (a.iscrowd || rng.uniform() >= o.recall) continue;
    const j = (): number => (rng.uniform() - 0.5) * 2 * o.jitter;
    const [x, y, w, h] = a.bbox;
    dets.push({ image_id: a.image_id, category_id: a.category_id, bbox: [x + j() * w, y + j() * h, w * (1 + j()), h * (1 + j())], score: score() });
  }
  for (const im of gt.images) {
    const n = rng.int(0, 2 * o.fps + 1);
    for (let i = 0; i < n; i++) {
      dets.push({ image_id: im.id, category_id: catIds[rng.int(0, catIds.length)], bbox: [rng.int(0, 500), rng.int(0, 500), 5 + rng.int(0, 80), 5 + rng.int(0, 80)], score: score() });
    }
  }
  return dets;
}
