/**
 * YOLOv5 (original repo export): one output [B, N, 5+C] with N = 3 anchors x grid
 * cells, rows already decoded to [cx, cy, w, h] in input-canvas pixels, then
 * objectness and class probabilities (sigmoided). score = obj * max class.
 */
import { Candidates } from '../candidates';
import { batchSlice, singleOutput, toOriginal, type Decoder } from './types';

export const decodeYolov5: Decoder = (outputs, ctx) => {
  const [name, t] = singleOutput(outputs, 'YOLOv5');
  const rows = t.dims[1];
  const width = t.dims[2];
  const classCount = width - 5;
  if (classCount < 1) throw new Error(`YOLOv5 output ${name} [${t.dims.join(', ')}] has no class columns`);
  const data = t.data;
  const base = batchSlice(t, name, ctx.batchIndex);
  const thr = ctx.scoreThreshold;
  const out = new Candidates();
  for (let i = 0; i < rows; i++) {
    const r = base + i * width;
    const obj = data[r + 4];
    if (!(obj >= thr)) continue;
    let best = -Infinity;
    let cls = 0;
    for (let c = 0; c < classCount; c++) {
      const v = data[r + 5 + c];
      if (v > best) {
        best = v;
        cls = c;
      }
    }
    const score = obj * best;
    if (!(score >= thr)) continue;
    const cx = data[r];
    const cy = data[r + 1];
    const hw = data[r + 2] / 2;
    const hh = data[r + 3] / 2;
    const [x1, y1, x2, y2] = toOriginal(ctx.transform, cx - hw, cy - hh, cx + hw, cy + hh);
    out.push(x1, y1, x2, y2, score, cls);
  }
  return out;
};
