/**
 * Shared decoding for outputs that are already final boxes, one row per detection
 * (the families' own modules call it with their default decoding settings):
 *
 * - YOLOv10 (Ultralytics end-to-end): one output [B, K, 6] = x1, y1, x2, y2, score, class
 *   in input-canvas pixels, padded with zero-score rows.
 * - torchvision detection exports (SSD, SSDlite, RetinaNet, Faster R-CNN): boxes [K, 4]
 *   xyxy in input pixels, scores [K], labels [K] int64 = COCO category ids (1..90).
 * - NMS inside the graph (TensorRT EfficientNMS / YOLO end2end exports): num_dets
 *   [B, 1], boxes [B, K, 4], scores [B, K], classes [B, K]; rows past num_dets are padding.
 * - RT-DETR's deploy export (boxes/scores/labels after its own top-k).
 *
 * Box layout, units, score activation and label offset come from the adapter's
 * `decoding` settings, else the calling family's default (`fallback`).
 */
import type { AdapterConfig, DecodingConfig } from '../adapter-config';
import { Candidates } from '../candidates';
import type { ModelIO, TensorInfo } from '../inspect-io';
import { boxListRoles, type BoxListRoles } from '../output-roles';
import {
  batchSlice,
  imageRegion,
  outputNamed,
  toOriginal,
  type BoxRegion,
  type DecodeContext,
  type OutputMap,
  type OutputTensor,
} from './decoding';
import { roleCandidates, type FoundInput } from './matching';

/** Values of row k at data[base + k * stride + j]. */
export interface Column {
  data: Float32Array;
  base: number;
  stride: number;
}

export function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

/** The canvas area that normalized coordinates are fractions of. */
export function normalizedRegion(config: AdapterConfig, ctx: DecodeContext): BoxRegion {
  const { width, height } = config.input;
  if (config.extraInputs?.some((e) => e.fill === 'valid-mask')) return imageRegion(ctx.transform, width, height);
  return { x0: 0, y0: 0, width, height };
}

/** Four numbers in the configured layout and units -> canvas-pixel corners. */
export function canvasCorners(
  d: DecodingConfig,
  region: BoxRegion,
  a: number,
  b: number,
  c: number,
  e: number,
): [number, number, number, number] {
  let x1: number;
  let y1: number;
  let x2: number;
  let y2: number;
  switch (d.boxFormat) {
    case 'xyxy':
      [x1, y1, x2, y2] = [a, b, c, e];
      break;
    case 'yxyx':
      [x1, y1, x2, y2] = [b, a, e, c];
      break;
    case 'cxcywh':
      [x1, y1, x2, y2] = [a - c / 2, b - e / 2, a + c / 2, b + e / 2];
      break;
    case 'xywh':
      [x1, y1, x2, y2] = [a, b, a + c, b + e];
      break;
  }
  if (d.boxUnits === 'normalized') {
    return [region.x0 + x1 * region.width, region.y0 + y1 * region.height, region.x0 + x2 * region.width, region.y0 + y2 * region.height];
  }
  return [x1, y1, x2, y2];
}

export function classIndexOf(label: number, d: DecodingConfig, config: AdapterConfig, family: string): number {
  const k = Math.round(label) - d.labelOffset;
  if (!(k >= 0 && k < config.classNames.length)) {
    throw new Error(
      `${family} output class label ${label} is outside the adapter's ${config.classNames.length} class names ` +
        `(labelOffset ${d.labelOffset}); fix the class names or the label offset`,
    );
  }
  return k;
}

/** The adapter's decoding settings, else the family's default. */
export function decodingOf(config: Pick<AdapterConfig, 'decoding'>, fallback: DecodingConfig): DecodingConfig {
  return config.decoding ?? fallback;
}

export function emitRows(
  ctx: DecodeContext,
  rows: number,
  boxes: Column,
  scores: Column,
  classes: Column | null,
  family: string,
  fallback: DecodingConfig,
): Candidates {
  const config = ctx.config;
  const d = decodingOf(config, fallback);
  if (d.scoreActivation === 'softmax') throw new Error(`${family}: softmax needs per-class logits; this output has one score per box`);
  const region = normalizedRegion(config, ctx);
  const thr = ctx.scoreThreshold;
  const out = new Candidates(Math.min(rows, 1024));
  for (let k = 0; k < rows; k++) {
    const raw = scores.data[scores.base + k * scores.stride];
    const score = d.scoreActivation === 'sigmoid' ? sigmoid(raw) : raw;
    if (!(score >= thr)) continue;
    const cls = classes ? classIndexOf(classes.data[classes.base + k * classes.stride], d, config, family) : 0;
    const o = boxes.base + k * boxes.stride;
    const bd = boxes.data;
    const [x1, y1, x2, y2] = canvasCorners(d, region, bd[o], bd[o + 1], bd[o + 2], bd[o + 3]);
    const [ox1, oy1, ox2, oy2] = toOriginal(ctx.transform, x1, y1, x2, y2);
    out.push(ox1, oy1, ox2, oy2, score, cls);
  }
  return out;
}

/** Roles from the config, else found by name and shape on the actual outputs. */
export function resolveBoxListRoles(outputs: OutputMap, config: AdapterConfig, family: string): BoxListRoles {
  const r = config.outputs;
  if (r?.boxes && r.scores) return { boxes: r.boxes, scores: r.scores, classes: r.classes, count: r.count };
  const found = boxListRoles(Object.entries(outputs).map(([name, t]) => ({ name, shape: t.dims, type: t.type ?? 'unknown' })));
  if ('why' in found) {
    const got = Object.entries(outputs).map(([n, t]) => `${n} [${t.dims.join(', ')}]`).join('; ');
    throw new Error(`${family} decoder: ${found.why} (outputs: ${got})`);
  }
  return found.roles;
}

/**
 * Start of batch item b in a per-detection tensor: tensors of rank `rank + 1` carry
 * a batch dim; unbatched ones (torchvision) only have item 0.
 */
function itemBase(t: OutputTensor, name: string, batched: boolean, batchIndex: number): number {
  if (batched) return batchSlice(t, name, batchIndex);
  if (batchIndex !== 0) throw new Error(`output ${name} [${t.dims.join(', ')}] has no batch dimension; only one image per run`);
  return 0;
}

export function decodeBoxListOutputs(outputs: OutputMap, ctx: DecodeContext, family: string, fallback: DecodingConfig): Candidates {
  const roles = resolveBoxListRoles(outputs, ctx.config, family);
  const boxes = outputNamed(outputs, roles.boxes, family);
  const scores = outputNamed(outputs, roles.scores, family);
  const classes = roles.classes ? outputNamed(outputs, roles.classes, family) : null;
  if (boxes.dims[boxes.dims.length - 1] !== 4 || (boxes.dims.length !== 2 && boxes.dims.length !== 3)) {
    throw new Error(`${family}: boxes ${roles.boxes} [${boxes.dims.join(', ')}] is not [K, 4] or [B, K, 4]`);
  }
  const batched = boxes.dims.length === 3;
  const k = boxes.dims[boxes.dims.length - 2];
  for (const [name, t] of [[roles.scores, scores], [roles.classes, classes]] as const) {
    if (!t || !name) continue;
    const perItem = batched ? t.dims.slice(1) : t.dims;
    if (perItem.reduce((a, b) => a * b, 1) !== k) {
      throw new Error(`${family}: ${name} [${t.dims.join(', ')}] does not hold one value per box of ${roles.boxes} [${boxes.dims.join(', ')}]`);
    }
  }
  let rows = k;
  if (roles.count) {
    const count = outputNamed(outputs, roles.count, family);
    const n = count.dims.length === 0 ? count.data[0] : count.data[itemBase(count, roles.count, true, ctx.batchIndex)];
    if (!(n >= 0)) throw new Error(`${family}: ${roles.count} says ${n} detections`);
    rows = Math.min(k, Math.round(n));
  }
  return emitRows(
    ctx,
    rows,
    { data: boxes.data, base: itemBase(boxes, roles.boxes, batched, ctx.batchIndex), stride: 4 },
    { data: scores.data, base: itemBase(scores, roles.scores, batched, ctx.batchIndex), stride: 1 },
    classes && roles.classes ? { data: classes.data, base: itemBase(classes, roles.classes, batched, ctx.batchIndex), stride: 1 } : null,
    family,
    fallback,
  );
}

/** What the graph shows of a box-list head that takes only the image: its output roles. */
export interface BoxListEvidence {
  roles: BoxListRoles;
  /** boxes are [B, K, 4] (true) or torchvision's unbatched [K, 4] */
  batched: boolean;
  facts: string[];
}

/** The box-list outputs of a graph whose only input is the image, or why it is not one. */
export function boxListEvidence(io: ModelIO, found: FoundInput): BoxListEvidence | { why: string } {
  if (found.extras.length > 0) return { why: `takes only the image, but the graph also wants ${found.extras.map((e) => e.name).join(', ')}` };
  const r = boxListRoles(roleCandidates(io));
  if ('why' in r) return { why: r.why };
  const { roles } = r;
  const boxes = io.outputs.find((o) => o.name === roles.boxes) as TensorInfo;
  const facts = [`outputs boxes ${roles.boxes}, scores ${roles.scores}${roles.classes ? `, classes ${roles.classes}` : ''}${roles.count ? `, count ${roles.count}` : ''}`];
  return { roles, batched: boxes.shape.length === 3, facts };
}
