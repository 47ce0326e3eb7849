/**
 * NanoDet v0.x (RangiLyu, github.com/RangiLyu/nanodet, tools/export_onnx.py; GFL head
 * with the distribution integral inside the graph).
 *
 * Signature: per stride s, outputs cls_pred_stride_s [B, cells, C] (sigmoided) and
 * dis_pred_stride_s [B, cells, 4] = (l, t, r, b) in stride units from the cell centre
 * ((gx + 0.5) s, (gy + 0.5) s). Decoding: score = max class.
 * Defaults: BGR with ImageNet mean/std in 0..255 units (B, G, R order), centred
 * letterbox, fill 0 (the configs' pipeline `normalize`); 320 when the size is open.
 */
import { DEFAULT_STRIDES } from '../adapter-config';
import { Candidates } from '../candidates';
import type { ModelIO, TensorInfo } from '../inspect-io';
import { batchSlice, toOriginal, type Decoder, type OutputTensor } from './decoding';
import type { AdapterFamily } from './family';
import { describe, finish, noExtras, num, resolveClassNames, resolveInput, type FamilyDefaults, type FoundInput, type MatchResult } from './matching';

const DEFAULTS: FamilyDefaults = {
  family: 'nanodet',
  preprocessing: {
    resize: 'letterbox',
    align: 'center',
    padValue: 0,
    channelOrder: 'BGR',
    scale: 1,
    mean: [103.53, 116.28, 123.675],
    std: [57.375, 57.12, 58.395],
  },
  defaultInputSize: 320,
};

const NANODET_CLS = /^cls_pred_stride_(\d+)$/;
const NANODET_DIS = /^dis_pred_stride_(\d+)$/;

function matchNanodet(io: ModelIO, found: FoundInput): MatchResult {
  const extra = noExtras(found, 'NanoDet');
  if (extra) return { ok: false, why: extra };
  const input = resolveInput(found, io.metadata, DEFAULTS);
  const cls = new Map<number, TensorInfo>();
  const dis = new Map<number, TensorInfo>();
  for (const t of io.outputs) {
    const c = NANODET_CLS.exec(t.name);
    if (c) cls.set(Number(c[1]), t);
    const d = NANODET_DIS.exec(t.name);
    if (d) dis.set(Number(d[1]), t);
  }
  if (cls.size === 0) return { ok: false, why: 'no outputs named cls_pred_stride_<s> / dis_pred_stride_<s>' };
  const strides = [...cls.keys()].sort((x, y) => x - y);
  let classCount: number | null = null;
  for (const s of strides) {
    const c = cls.get(s) as TensorInfo;
    const d = dis.get(s);
    if (!d) return { ok: false, why: `cls_pred_stride_${s} has no dis_pred_stride_${s}` };
    const cells = Math.ceil(input.width / s) * Math.ceil(input.height / s);
    const cc = num(c.shape[2]);
    if (c.shape.length !== 3 || num(c.shape[1]) !== cells || cc === null) {
      return { ok: false, why: `${describe(c)}: expected [1, ${cells}, C] at ${input.width}x${input.height}` };
    }
    if (d.shape.length !== 3 || num(d.shape[1]) !== cells || num(d.shape[2]) !== 4) {
      return { ok: false, why: `${describe(d)}: expected [1, ${cells}, 4] (l, t, r, b distances)` };
    }
    if (classCount !== null && cc !== classCount) return { ok: false, why: 'class counts differ between strides' };
    classCount = cc;
  }
  if (dis.size !== cls.size) return { ok: false, why: 'dis_pred outputs without matching cls_pred outputs' };
  const facts = [`per-stride outputs cls_pred/dis_pred for strides ${strides.join('/')}, ${classCount} classes`];
  return finish({ defaults: DEFAULTS, input, found, names: resolveClassNames(io.metadata, classCount as number), confidence: 0.95, facts, extras: { strides } });
}

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

export const NANODET: AdapterFamily = { ...DEFAULTS, match: matchNanodet, decode: decodeNanodet, classCountInGraph: true };
