/**
 * YOLOv5 (Ultralytics, github.com/ultralytics/yolov5, export.py --include onnx).
 *
 * Signature: one output [B, N, 5+C] with N = 3 anchors x grid cells of strides 8/16/32,
 * rows already decoded to [cx, cy, w, h] in input-canvas pixels, then objectness and
 * class probabilities (sigmoided). Decoding: score = obj * max class. Metadata `stride`
 * / `names` (as export.py writes them) raise the confidence.
 * Defaults: Ultralytics' RGB / 255 centred letterbox, fill 114; 640 when the size is open.
 */
import { ULTRALYTICS_PREPROCESSING } from '../adapter-config';
import { Candidates } from '../candidates';
import { gridCellCount, matchStrides } from '../grids';
import type { ModelIO } from '../inspect-io';
import { batchSlice, singleOutput, toOriginal, type Decoder } from './decoding';
import type { AdapterFamily } from './family';
import { describe, finish, noExtras, rank3, resolveClassNames, resolveInput, type FamilyDefaults, type FoundInput, type MatchResult } from './matching';

const DEFAULTS: FamilyDefaults = { family: 'yolov5', preprocessing: ULTRALYTICS_PREPROCESSING, defaultInputSize: 640 };

function matchYolov5(io: ModelIO, found: FoundInput): MatchResult {
  const extra = noExtras(found, 'YOLOv5');
  if (extra) return { ok: false, why: extra };
  const input = resolveInput(found, io.metadata, DEFAULTS);
  const cands = rank3(io).filter((c) => c.b >= 6);
  if (cands.length === 0) return { ok: false, why: 'no output [1, N, 5+C] with fixed N and 5+C' };
  for (const { t, a: rows, b: width } of cands) {
    const strides = matchStrides(rows, input.width, input.height, 3);
    if (!strides) continue;
    const facts = [`output ${describe(t)}: 3 anchors per grid cell of strides ${strides.join('/')}, rows [cx, cy, w, h, obj, ${width - 5} classes]`];
    let confidence = 0.85;
    if (io.metadata.stride !== undefined || io.metadata.names !== undefined) {
      confidence = 0.95;
      facts.push('metadata stride/names as YOLOv5 export writes them');
    }
    return finish({ defaults: DEFAULTS, input, found, names: resolveClassNames(io.metadata, width - 5), confidence, facts });
  }
  const g = gridCellCount(input.width, input.height, [8, 16, 32]);
  return {
    ok: false,
    why: `rows ${cands.map((c) => c.a).join(', ')} are not 3 x grid cells (3 x ${g} = ${3 * g} for strides 8/16/32 at ${input.width}x${input.height})`,
  };
}

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

export const YOLOV5: AdapterFamily = { ...DEFAULTS, match: matchYolov5, decode: decodeYolov5, classCountInGraph: true };
