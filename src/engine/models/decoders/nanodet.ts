/**
 * NanoDet v0.x (GFL head with the distribution integral inside the graph): per stride
 * s, cls_pred_stride_s [B, cells, C] (sigmoided) and dis_pred_stride_s [B, cells, 4]
 * = (l, t, r, b) in stride units from the cell centre ((gx + 0.5) s, (gy + 0.5) s).
 * score = max class.
 */
import { DEFAULT_STRIDES } from '../adapter-config';
import { Candidates } from '../candidates';
import { batchSlice, toOriginal, type Decoder, type OutputTensor } from './types';

export const decodeNanodet: Decoder = (outputs, ctx) => {
  const { width: inW, height: inH } = ctx.config.input;
  const thr = ctx.scoreThreshold;
  const out = new Candidates();
  for (const s of ctx.config.strides ?? DEFAULT_STRIDES) {
    const clsName = `cls_pred_stride_${s}`;
    const disName = `dis_pred_stride_${s}`;
    const cls: OutputTensor | undefined = outputs[clsName];
    const dis: OutputTensor | undefined = outputs[disName];
    if (!cls || !dis) throw new Error(`NanoDet decoder needs outputs ${clsName} and ${disName}; got ${Object.keys(outputs).join(', ')}`);
    const gw = Math.ceil(inW / s);
    const gh = Math.ceil(inH / s);
    const cells = gw * gh;
    const classCount = cls.dims[2];
    if (cls.dims[1] !== cells || dis.dims[1] !== cells || dis.dims[2] !== 4) {
      throw new Error(`NanoDet outputs ${clsName} [${cls.dims.join(', ')}] / ${disName} [${dis.dims.join(', ')}] do not fit a ${gw}x${gh} grid`);
    }
    const cBase = batchSlice(cls, clsName, ctx.batchIndex);
    const dBase = batchSlice(dis, disName, ctx.batchIndex);
    const cd = cls.data;
    const dd = dis.data;
    for (let i = 0; i < cells; i++) {
      const r = cBase + i * classCount;
      let best = -Infinity;
      let arg = 0;
      for (let c = 0; c < classCount; c++) {
        const v = cd[r + c];
        if (v > best) {
          best = v;
          arg = c;
        }
      }
      if (!(best >= thr)) continue;
      const cx = ((i % gw) + 0.5) * s;
      const cy = (Math.floor(i / gw) + 0.5) * s;
      const d = dBase + i * 4;
      const [x1, y1, x2, y2] = toOriginal(ctx.transform, cx - dd[d] * s, cy - dd[d + 1] * s, cx + dd[d + 2] * s, cy + dd[d + 3] * s);
      out.push(x1, y1, x2, y2, best, arg);
    }
  }
  return out;
};
