/**
 * YOLOv8 / YOLO11 (Ultralytics, github.com/ultralytics/ultralytics, `yolo export
 * format=onnx`).
 *
 * Signature: one output [B, 4+C, N], channel-major: [cx, cy, w, h] in input-canvas
 * pixels, then C class scores (sigmoided), no objectness; N = grid cells of strides
 * 8/16/32; metadata task, if any, is 'detect'. Decoding: score = max class.
 * Defaults: Ultralytics' RGB / 255 centred letterbox, fill 114; 640 when the size is open.
 */
import { ULTRALYTICS_PREPROCESSING } from '../adapter-config';
import { Candidates } from '../candidates';
import { gridCellCount, matchStrides } from '../grids';
import type { ModelIO } from '../inspect-io';
import { batchSlice, singleOutput, toOriginal, type Decoder } from './decoding';
import type { AdapterFamily } from './family';
import { describe, finish, isUltralytics, noExtras, rank3, resolveClassNames, resolveInput, type FamilyDefaults, type FoundInput, type MatchResult } from './matching';

const DEFAULTS: FamilyDefaults = { family: 'yolov8', preprocessing: ULTRALYTICS_PREPROCESSING, defaultInputSize: 640 };

function matchYolov8(io: ModelIO, found: FoundInput): MatchResult {
  const extra = noExtras(found, 'YOLOv8');
  if (extra) return { ok: false, why: extra };
  const input = resolveInput(found, io.metadata, DEFAULTS);
  const task = io.metadata.task;
  if (task !== undefined && task !== 'detect') return { ok: false, why: `metadata task is '${task}', not 'detect'` };
  if (io.outputs.length !== 1) return { ok: false, why: `expects one output [1, 4+C, N], found ${io.outputs.length}` };
  const cands = rank3(io);
  if (cands.length !== 1) return { ok: false, why: 'expects one output [1, 4+C, N] with fixed 4+C and N' };
  const { t, a: channels, b: anchors } = cands[0];
  if (channels < 5) return { ok: false, why: `${t.name}: ${channels} channels < 5 (4 box + >= 1 class)` };
  const strides = matchStrides(anchors, input.width, input.height, 1);
  if (!strides) {
    const g = gridCellCount(input.width, input.height, [8, 16, 32]);
    return { ok: false, why: `${t.name}: last dim ${anchors} is not the grid cell count (${g} for strides 8/16/32 at ${input.width}x${input.height})` };
  }
  const facts = [`one output ${describe(t)}: channels [cx, cy, w, h, ${channels - 4} class scores] over ${anchors} anchors (strides ${strides.join('/')})`];
  let confidence = 0.9;
  if (isUltralytics(io.metadata)) {
    confidence = 0.97;
    facts.push('Ultralytics metadata');
  }
  return finish({ defaults: DEFAULTS, input, found, names: resolveClassNames(io.metadata, channels - 4), confidence, facts });
}

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

export const YOLOV8: AdapterFamily = { ...DEFAULTS, match: matchYolov8, decode: decodeYolov8, classCountInGraph: true };
