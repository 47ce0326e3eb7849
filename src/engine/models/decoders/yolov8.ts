/**
 * YOLOv8 / YOLO11 (Ultralytics export): one output [B, 4+C, N], channel-major:
 * [cx, cy, w, h] in input-canvas pixels, then C class scores (sigmoided), no
 * objectness. score = max class.
 */
import { Candidates } from '../candidates';
import { batchSlice, singleOutput, toOriginal, type Decoder } from './types';

export const decodeYolov8: Decoder = (outputs, ctx) => {
  const [name, t] = singleOutput(outputs, 'YOLOv8');
  const channels = t.dims[1];
  const n = t.dims[2];
  const classCount = channels - 4;
  if (classCount < 1) throw new Error(`YOLOv8 output ${name} [${t.dims.join(', ')}] has no class channels`);
  const data = t.data;
  const base = batchSlice(t, name, ctx.batchIndex);
  // Channel-major layout: sweep one class plane at a time so memory is read in order.
  const best = new Float32Array(n).fill(-Infinity);
  const arg = new Int32Array(n);
  for (let c = 0; c < classCount; c++) {
    const plane = base + (4 + c) * n;
    for (let i = 0; i < n; i++) {
      const v = data[plane + i];
      if (v > best[i]) {
        best[i] = v;
        arg[i] = c;
      }
    }
  }
  const thr = ctx.scoreThreshold;
  const out = new Candidates();
  for (let i = 0; i < n; i++) {
    const score = best[i];
    if (!(score >= thr)) continue;
    const cx = data[base + i];
    const cy = data[base + n + i];
    const hw = data[base + 2 * n + i] / 2;
    const hh = data[base + 3 * n + i] / 2;
    const [x1, y1, x2, y2] = toOriginal(ctx.transform, cx - hw, cy - hh, cx + hw, cy + hh);
    out.push(x1, y1, x2, y2, score, arg[i]);
  }
  return out;
};
