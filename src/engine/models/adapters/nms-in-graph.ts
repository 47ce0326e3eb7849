/**
 * Exports with NMS inside the graph: TensorRT EfficientNMS-style YOLO end2end exports
 * (num_dets / det_boxes / det_scores / det_classes) and the TensorFlow Object Detection
 * API's detection_* outputs.
 *
 * Signature: a count output num_dets [B, 1], boxes [B, K, 4], scores [B, K], classes
 * [B, K]; rows past the count are padding; a batched [N, 3, H, W] input only.
 * Decoding: the first `count` rows (box-list.ts), no NMS (an end-to-end family); boxes
 * xyxy input pixels, or, for TensorFlow's detection_boxes, normalized [ymin, xmin, ymax,
 * xmax] with 1-based COCO ids.
 * Defaults: Ultralytics' preprocessing (these are mostly YOLO models with an NMS tail);
 * 640 when the size is open; names from metadata, else COCO-80 (TensorFlow: COCO ids).
 */
import { COCO80_CLASS_NAMES, COCO91_CLASS_NAMES, DECODE_PIXELS_XYXY, ULTRALYTICS_PREPROCESSING, type DecodingConfig } from '../adapter-config';
import type { ModelIO } from '../inspect-io';
import { boxListEvidence, decodeBoxListOutputs } from './box-list';
import type { Decoder } from './decoding';
import type { AdapterFamily } from './family';
import { finish, resolveInput, resolveLabelNames, type FamilyDefaults, type FoundInput, type MatchResult, type ResolvedNames } from './matching';

const DEFAULTS: FamilyDefaults = { family: 'nms-in-graph', preprocessing: ULTRALYTICS_PREPROCESSING, defaultInputSize: 640 };
const DECODING = DECODE_PIXELS_XYXY;

const TF_STYLE = /^detection_boxes$/;

function matchNmsInGraph(io: ModelIO, found: FoundInput): MatchResult {
  if (found.layout === 'CHW') return { ok: false, why: 'expects a batched [N, 3, H, W] input' };
  const e = boxListEvidence(io, found);
  if ('why' in e) return { ok: false, why: e.why };
  const { roles, batched, facts } = e;
  const input = resolveInput(found, io.metadata, DEFAULTS);
  if (!roles.count) return { ok: false, why: 'no detection count output (num_dets / num_detections [B, 1])' };
  if (!batched) return { ok: false, why: `boxes ${roles.boxes} has no batch dimension` };
  let confidence = 0.85;
  if (/det_boxes|detection_boxes/.test(roles.boxes) && roles.count && /num_det/.test(roles.count)) confidence = 0.93;
  let decoding: DecodingConfig = { ...DECODING };
  let names: ResolvedNames;
  if (TF_STYLE.test(roles.boxes)) {
    // TensorFlow Object Detection API names: normalized [ymin, xmin, ymax, xmax], 1-based COCO ids.
    decoding = { ...decoding, boxFormat: 'yxyx', boxUnits: 'normalized' };
    names = resolveLabelNames(io.metadata, COCO91_CLASS_NAMES, 'assumed COCO category ids (TensorFlow label map)');
    facts.push('TensorFlow detection_* names: boxes normalized [ymin, xmin, ymax, xmax]');
  } else {
    names = resolveLabelNames(io.metadata, COCO80_CLASS_NAMES, 'assumed COCO-80 (classes are indices)');
    facts.push('boxes xyxy in input pixels');
  }
  if (!names.known) confidence -= 0.05;
  return finish({ defaults: DEFAULTS, input, found, names, confidence, facts, extras: { decoding, outputs: roles } });
}

const decodeNmsInGraph: Decoder = (outputs, ctx) => decodeBoxListOutputs(outputs, ctx, 'NMS-in-graph', DECODING);

export const NMS_IN_GRAPH: AdapterFamily = { ...DEFAULTS, match: matchNmsInGraph, decode: decodeNmsInGraph, classCountInGraph: false };
