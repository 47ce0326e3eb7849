/**
 * Greedy non-maximum suppression over decoded candidates, then clipping to the image.
 *
 * Candidates are visited once in descending score (stable: equal scores keep decode
 * order) and each is compared only with the boxes already kept, which is exactly
 * greedy NMS (only kept boxes suppress) and lets the loop stop at maxDetections:
 * O(n log n + n * maxDetections) however many low-score candidates there are.
 */
import type { Candidates } from './candidates';

/** COCO-style box in original image pixels: [x, y, width, height]. */
export type BBox = [number, number, number, number];

export interface Detection {
  bbox: BBox;
  score: number;
  classIndex: number;
}

export interface NmsOptions {
  /** a candidate is suppressed when IoU with a kept box is strictly greater */
  iouThreshold: number;
  /** true: only boxes of the same class suppress each other */
  classAware: boolean;
  maxDetections: number;
  /** original image size, for clipping */
  imageWidth: number;
  imageHeight: number;
  /** false: no suppression, only sort, clip and cap (models that ran NMS in their graph); default true */
  suppress?: boolean;
}

export function iou(a: ArrayLike<number>, ai: number, b: ArrayLike<number>, bi: number): number {
  const ax1 = a[ai];
  const ay1 = a[ai + 1];
  const ax2 = a[ai + 2];
  const ay2 = a[ai + 3];
  const bx1 = b[bi];
  const by1 = b[bi + 1];
  const bx2 = b[bi + 2];
  const by2 = b[bi + 3];
  const iw = Math.min(ax2, bx2) - Math.max(ax1, bx1);
  const ih = Math.min(ay2, by2) - Math.max(ay1, by1);
  if (iw <= 0 || ih <= 0) return 0;
  const inter = iw * ih;
  const union = (ax2 - ax1) * (ay2 - ay1) + (bx2 - bx1) * (by2 - by1) - inter;
  return union > 0 ? inter / union : 0;
}

/** Indices 0..count-1 ordered by descending score; ties keep ascending index. */
export function orderByScore(scores: Float32Array, count: number): Uint32Array {
  const order = new Uint32Array(count);
  for (let i = 0; i < count; i++) order[i] = i;
  // TypedArray.prototype.sort is not guaranteed stable with a comparator; the index tiebreak makes it total.
  order.sort((a, b) => scores[b] - scores[a] || a - b);
  return order;
}

function clip(v: number, hi: number): number {
  return v < 0 ? 0 : v > hi ? hi : v;
}

/**
 * Boxes are compared unclipped (as the reference implementations do), then clipped to
 * the image; a kept box that has no area left inside the image is dropped and does
 * not count toward maxDetections.
 */
export function nms(c: Candidates, opts: NmsOptions): Detection[] {
  const order = orderByScore(c.scores, c.count);
  const max = opts.maxDetections;
  // Degenerate boxes are kept (they still suppress) without being output, so `kept` can exceed max.
  let keptCapacity = Math.max(16, Math.min(order.length, max + 16));
  let boxes = new Float32Array(keptCapacity * 4);
  let classes = new Int32Array(keptCapacity);
  let kept = 0;
  const out: Detection[] = [];
  const W = opts.imageWidth;
  const H = opts.imageHeight;
  const suppress = opts.suppress !== false;
  for (let k = 0; k < order.length && out.length < max; k++) {
    const i = order[k];
    const cls = c.classes[i];
    const bi = i * 4;
    let suppressed = false;
    for (let j = 0; suppress && j < kept; j++) {
      if (opts.classAware && classes[j] !== cls) continue;
      if (iou(c.boxes, bi, boxes, j * 4) > opts.iouThreshold) {
        suppressed = true;
        break;
      }
    }
    if (suppressed) continue;
    if (kept === keptCapacity) {
      keptCapacity *= 2;
      const nb = new Float32Array(keptCapacity * 4);
      nb.set(boxes);
      const nc = new Int32Array(keptCapacity);
      nc.set(classes);
      boxes = nb;
      classes = nc;
    }
    boxes.set(c.boxes.subarray(bi, bi + 4), kept * 4);
    classes[kept++] = cls;
    const x1 = clip(c.boxes[bi], W);
    const y1 = clip(c.boxes[bi + 1], H);
    const x2 = clip(c.boxes[bi + 2], W);
    const y2 = clip(c.boxes[bi + 3], H);
    if (x2 - x1 <= 0 || y2 - y1 <= 0) continue;
    out.push({ bbox: [x1, y1, x2 - x1, y2 - y1], score: c.scores[i], classIndex: cls });
  }
  return out;
}
