/**
 * YOLOX (Megvii, github.com/Megvii-BaseDetection/YOLOX, tools/export_onnx.py with
 * decode_in_inference off).
 *
 * Signature: one output [B, N, 5+C], one row per grid cell of strides 8/16/32 (levels in
 * order, each row-major), rows [tx, ty, tw, th, obj, c0..] with obj and classes already
 * sigmoided. Decoding: cx = (tx + gx) * s, w = exp(tw) * s; score = obj * max class.
 * Defaults: OpenCV BGR, raw 0..255, letterbox at the top-left corner, fill 114
 * (yolox/data/data_augment.py preproc); 640 when the graph leaves the size open.
 */
import { DEFAULT_STRIDES } from '../adapter-config';
import { Candidates } from '../candidates';
import { gridCellCount, gridLevels, matchStrides } from '../grids';
import type { ModelIO } from '../inspect-io';
import { batchSlice, singleOutput, toOriginal, type Decoder } from './decoding';
import type { AdapterFamily } from './family';
import { describe, finish, isUltralytics, noExtras, rank3, resolveClassNames, resolveInput, type FamilyDefaults, type FoundInput, type MatchResult } from './matching';

const DEFAULTS: FamilyDefaults = {
  family: 'yolox',
  preprocessing: { resize: 'letterbox', align: 'top-left', padValue: 114, channelOrder: 'BGR', scale: 1, mean: [0, 0, 0], std: [1, 1, 1] },
  defaultInputSize: 640,
};

function matchYolox(io: ModelIO, found: FoundInput): MatchResult {
  const extra = noExtras(found, 'YOLOX');
  if (extra) return { ok: false, why: extra };
  const input = resolveInput(found, io.metadata, DEFAULTS);
  if (io.outputs.length !== 1) return { ok: false, why: `expects one output [1, N, 5+C], found ${io.outputs.length}` };
  const cands = rank3(io);
  if (cands.length !== 1) return { ok: false, why: 'expects one output [1, N, 5+C] with fixed N and 5+C' };
  const { t, a: rows, b: width } = cands[0];
  if (width < 6) return { ok: false, why: `${t.name}: last dim ${width} < 6 (4 box + objectness + >= 1 class)` };
  const strides = matchStrides(rows, input.width, input.height, 1);
  if (!strides) {
    const g = gridCellCount(input.width, input.height, [8, 16, 32]);
    return { ok: false, why: `${t.name}: ${rows} rows, not one per grid cell (${g} cells for strides 8/16/32 at ${input.width}x${input.height})` };
  }
  let confidence = 0.9;
  const facts = [`one output ${describe(t)}: one row per grid cell of strides ${strides.join('/')}, rows [tx, ty, tw, th, obj, ${width - 5} classes]`];
  if (isUltralytics(io.metadata)) {
    confidence = 0.5;
    facts.push('but the metadata says Ultralytics, which does not export this layout');
  }
  return finish({ defaults: DEFAULTS, input, found, names: resolveClassNames(io.metadata, width - 5), confidence, facts, extras: { strides } });
}

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

export const YOLOX: AdapterFamily = { ...DEFAULTS, match: matchYolox, decode: decodeYolox, classCountInGraph: true };
