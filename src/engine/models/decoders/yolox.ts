/**
 * YOLOX (Megvii export, decode_in_inference off): one output [B, N, 5+C], one row per
 * grid cell of strides 8/16/32 (levels in order, each row-major), rows
 * [tx, ty, tw, th, obj, c0..] with obj and classes already sigmoided.
 * cx = (tx + gx) * s, w = exp(tw) * s; score = obj * max class.
 */
import { DEFAULT_STRIDES } from '../adapter-config';
import { Candidates } from '../candidates';
import { gridLevels } from '../grids';
import { batchSlice, singleOutput, toOriginal, type Decoder } from './types';

export const decodeYolox: Decoder = (outputs, ctx) => {
  const [name, t] = singleOutput(outputs, 'YOLOX');
  const rows = t.dims[1];
  const width = t.dims[2];
  const classCount = width - 5;
  const { width: inW, height: inH } = ctx.config.input;
  const levels = gridLevels(inW, inH, ctx.config.strides ?? DEFAULT_STRIDES);
  const cells = levels.reduce((n, l) => n + l.width * l.height, 0);
  if (classCount < 1 || cells !== rows) {
    throw new Error(`YOLOX output ${name} [${t.dims.join(', ')}] does not fit ${cells} grid cells x (5 + classes) at ${inW}x${inH}`);
  }
  const data = t.data;
  const base = batchSlice(t, name, ctx.batchIndex);
  const thr = ctx.scoreThreshold;
  const out = new Candidates();
  for (const level of levels) {
    const s = level.stride;
    for (let gy = 0; gy < level.height; gy++) {
      for (let gx = 0; gx < level.width; gx++) {
        const r = base + (level.offset + gy * level.width + gx) * width;
        const obj = data[r + 4];
        // Class scores are sigmoids (<= 1), so obj bounds the score: skip most rows early.
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
        const cx = (data[r] + gx) * s;
        const cy = (data[r + 1] + gy) * s;
        const w = Math.exp(data[r + 2]) * s;
        const h = Math.exp(data[r + 3]) * s;
        const [x1, y1, x2, y2] = toOriginal(ctx.transform, cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2);
        out.push(x1, y1, x2, y2, score, cls);
      }
    }
  }
  return out;
};
