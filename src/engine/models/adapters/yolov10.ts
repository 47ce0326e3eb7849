/**
 * YOLOv10 (Ultralytics / THU-MIG, `yolo export format=onnx` of a v10 model: NMS-free,
 * one-to-one head).
 *
 * Signature: one output [B, K, 6] = x1, y1, x2, y2, score, class in input-canvas pixels,
 * padded with zero-score rows; metadata task, if any, is 'detect'. A K that is also a
 * YOLO grid cell count lowers the confidence (a one-class YOLOX/YOLOv5 head looks the
 * same). Decoding: rows as they are (box-list.ts), no NMS (an end-to-end family).
 * Defaults: Ultralytics' RGB / 255 centred letterbox, fill 114; 640 when the size is
 * open; class names from metadata, else COCO-80 (the class column is an index).
 */
import { COCO80_CLASS_NAMES, DECODE_PIXELS_XYXY, ULTRALYTICS_PREPROCESSING } from '../adapter-config';
import { matchStrides } from '../grids';
import type { ModelIO } from '../inspect-io';
import { emitRows } from './box-list';
import { batchSlice, singleOutput, type Decoder } from './decoding';
import type { AdapterFamily } from './family';
import { describe, finish, isUltralytics, noExtras, num, resolveInput, resolveLabelNames, type FamilyDefaults, type FoundInput, type MatchResult } from './matching';

const DEFAULTS: FamilyDefaults = { family: 'yolov10', preprocessing: ULTRALYTICS_PREPROCESSING, defaultInputSize: 640 };
const DECODING = DECODE_PIXELS_XYXY;

function matchYolov10(io: ModelIO, found: FoundInput): MatchResult {
  const extra = noExtras(found, 'YOLOv10');
  if (extra) return { ok: false, why: extra };
  const input = resolveInput(found, io.metadata, DEFAULTS);
  const task = io.metadata.task;
  if (task !== undefined && task !== 'detect') return { ok: false, why: `metadata task is '${task}', not 'detect'` };
  if (io.outputs.length !== 1) return { ok: false, why: `expects one output [1, K, 6], found ${io.outputs.length}` };
  const t = io.outputs[0];
  const k = num(t.shape[1]);
  if (t.shape.length !== 3 || t.shape[2] !== 6) return { ok: false, why: `${describe(t)} is not [B, K, 6] (x1, y1, x2, y2, score, class)` };
  const facts = [`one output ${describe(t)}: ${k ?? 'K'} final detections [x1, y1, x2, y2, score, class], NMS-free`];
  let confidence = 0.8;
  if (k !== null && (matchStrides(k, input.width, input.height, 1) || matchStrides(k, input.width, input.height, 3))) {
    confidence = 0.45;
    facts.push(`but K = ${k} is also a grid cell count (a one-class YOLOX/YOLOv5 head would look the same)`);
  }
  if (isUltralytics(io.metadata)) {
    confidence += 0.15;
    facts.push('Ultralytics metadata');
  }
  if (/true/i.test(io.metadata.end2end ?? '')) {
    confidence += 0.05;
    facts.push('metadata end2end');
  }
  const names = resolveLabelNames(io.metadata, COCO80_CLASS_NAMES, 'assumed COCO-80 (the class column is an index)');
  if (!names.known) confidence -= 0.1;
  return finish({ defaults: DEFAULTS, input, found, names, confidence, facts, extras: { decoding: DECODING } });
}

const decodeYolov10: Decoder = (outputs, ctx) => {
  const [name, t] = singleOutput(outputs, 'YOLOv10');
  if (t.dims[2] !== 6) throw new Error(`YOLOv10 output ${name} [${t.dims.join(', ')}] is not [B, K, 6]`);
  const base = batchSlice(t, name, ctx.batchIndex);
  return emitRows(
    ctx,
    t.dims[1],
    { data: t.data, base, stride: 6 },
    { data: t.data, base: base + 4, stride: 6 },
    { data: t.data, base: base + 5, stride: 6 },
    'YOLOv10',
    DECODING,
  );
};

export const YOLOV10: AdapterFamily = { ...DEFAULTS, match: matchYolov10, decode: decodeYolov10, classCountInGraph: false };
