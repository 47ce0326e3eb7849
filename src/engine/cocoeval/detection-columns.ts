/**
 * loadRes one detection at a time: a results file read as a stream fills these
 * columns and never holds one object per detection (2 million detections are 128 MB
 * here, several times that as objects).
 *
 * `push` takes a detection already checked to be {image_id: int, category_id: int,
 * bbox: 4 finite numbers, score: finite}; `finish(gt)` gives the DetectionSet that
 * loadResults (cocoeval.ts) gives for the same list in the same order: area = w * h,
 * and the same error when detections name images the ground truth does not list.
 */
import { missingImagesMessage, type DetectionSet, type GroundTruthIndex } from './cocoeval';

export class DetectionColumns {
  private imageId: Float64Array = new Float64Array(1024);
  private categoryId: Float64Array = new Float64Array(1024);
  private box: Float64Array = new Float64Array(4 * 1024);
  private score: Float64Array = new Float64Array(1024);
  n = 0;

  push(imageId: number, categoryId: number, x: number, y: number, w: number, h: number, score: number): void {
    if (this.n === this.imageId.length) this.grow();
    const i = this.n++;
    this.imageId[i] = imageId;
    this.categoryId[i] = categoryId;
    this.score[i] = score;
    const b = this.box;
    b[4 * i] = x;
    b[4 * i + 1] = y;
    b[4 * i + 2] = w;
    b[4 * i + 3] = h;
  }

  finish(gt: GroundTruthIndex): DetectionSet {
    const { n } = this;
    const imageId = this.imageId.subarray(0, n);
    const missing = new Set<number>();
    for (let i = 0; i < n; i++) if (!gt.imageIds.has(imageId[i])) missing.add(imageId[i]);
    if (missing.size) throw new Error(missingImagesMessage(missing));
    const box = this.box.subarray(0, 4 * n);
    const area = new Float64Array(n);
    for (let i = 0; i < n; i++) area[i] = box[4 * i + 2] * box[4 * i + 3];
    return { n, imageId, categoryId: this.categoryId.subarray(0, n), box, area, score: this.score.subarray(0, n) };
  }

  private grow(): void {
    const cap = 2 * this.imageId.length;
    const grown = (a: Float64Array, len: number): Float64Array => {
      const out = new Float64Array(len);
      out.set(a);
      return out;
    };
    this.imageId = grown(this.imageId, cap);
    this.categoryId = grown(this.categoryId, cap);
    this.box = grown(this.box, 4 * cap);
    this.score = grown(this.score, cap);
  }
}
