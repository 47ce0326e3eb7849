/**
 * Pre-NMS candidate boxes in original-image pixels, stored in growable typed arrays:
 * at score threshold 0.001 a YOLOX frame yields thousands of them, and objects per
 * candidate would dominate the decode time.
 */
export class Candidates {
  /** x1, y1, x2, y2 per candidate */
  boxes: Float32Array;
  scores: Float32Array;
  classes: Int32Array;
  count = 0;

  constructor(capacity = 256) {
    const c = Math.max(1, capacity);
    this.boxes = new Float32Array(c * 4);
    this.scores = new Float32Array(c);
    this.classes = new Int32Array(c);
  }

  push(x1: number, y1: number, x2: number, y2: number, score: number, classIndex: number): void {
    if (this.count === this.scores.length) this.grow();
    const i = this.count++;
    const b = i * 4;
    this.boxes[b] = x1;
    this.boxes[b + 1] = y1;
    this.boxes[b + 2] = x2;
    this.boxes[b + 3] = y2;
    this.scores[i] = score;
    this.classes[i] = classIndex;
  }

  private grow(): void {
    const c = this.scores.length * 2;
    const boxes = new Float32Array(c * 4);
    boxes.set(this.boxes);
    const scores = new Float32Array(c);
    scores.set(this.scores);
    const classes = new Int32Array(c);
    classes.set(this.classes);
    this.boxes = boxes;
    this.scores = scores;
    this.classes = classes;
  }
}
