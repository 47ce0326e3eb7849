/**
 * Recognises a detector family from a model's graph signature and metadata and builds
 * its default adapter config. Only what the graph proves is trusted: each family has a
 * matcher that either explains why it fits (with a confidence) or why it does not, and
 * when nothing fits the error lists what was found and every matcher's objection.
 */
import { OdraError } from '../../shared/errors';
import {
  COCO80_CLASS_NAMES,
  COCO91_CLASS_NAMES,
  defaultAdapterConfig,
  FAMILY_DECODING,
  type AdapterConfig,
  type AdapterExtras,
  type DecodingConfig,
  type ExtraInput,
  type ModelFamily,
} from './adapter-config';
import { genericClassNames, parseClassNames } from './class-names';
import { gridCellCount, matchStrides } from './grids';
import type { Dim, ModelIO, TensorInfo } from './inspect-io';
import { boxListRoles, queryRoles, type RoleCandidate } from './output-roles';

export interface AdapterDetection {
  config: AdapterConfig;
  /** 0..1: how sure the match is (shape proof, metadata agreement, guessed sizes lower it) */
  confidence: number;
  reason: string;
}

export interface DetectOptions {
  /** class names from a names file: replace metadata and defaults (count must fit when the graph fixes it) */
  classNames?: readonly string[];
}

interface ImageInput {
  name: string;
  width: number;
  height: number;
  /** true when width/height came from metadata or a default, not from the graph */
  sizeGuessed: boolean;
  note: string;
}

type MatchResult = { ok: true; detection: AdapterDetection } | { ok: false; why: string };

const DEFAULT_SIZE: Readonly<Record<ModelFamily, number>> = {
  yolox: 640,
  nanodet: 320,
  yolov5: 640,
  yolov8: 640,
  yolov10: 640,
  ssd: 300,
  detr: 800,
  rtdetr: 640,
  'nms-in-graph': 640,
};

export function formatShape(shape: readonly Dim[]): string {
  if (shape.length === 0) return '[?]';
  return `[${shape.map((d) => (d === null ? '?' : String(d))).join(', ')}]`;
}

function describe(t: TensorInfo): string {
  return `${t.name} ${t.type} ${formatShape(t.shape)}`;
}

function num(d: Dim | undefined): number | null {
  return typeof d === 'number' ? d : null;
}

/** Ultralytics writes `imgsz` as "[h, w]" (or a single int). */
function metadataImageSize(metadata: Record<string, string>): { width: number; height: number } | null {
  const raw = metadata.imgsz;
  if (!raw) return null;
  const ints = raw.match(/\d+/g)?.map(Number) ?? [];
  if (ints.length === 1) return { width: ints[0], height: ints[0] };
  if (ints.length === 2) return { width: ints[1], height: ints[0] };
  return null;
}

function isUltralytics(metadata: Record<string, string>): boolean {
  return /ultralytics/i.test(metadata.author ?? '') || /ultralytics/i.test(metadata.description ?? '');
}

/** Free text the exporter left: metadata values, producer. */
function provenanceText(io: ModelIO): string {
  return [io.producer ?? '', ...Object.values(io.metadata)].join(' ');
}

/** The image input as the graph declares it: width/height null when symbolic. */
interface FoundInput {
  name: string;
  width: number | null;
  height: number | null;
  layout: 'NCHW' | 'CHW';
  /** inputs besides the image that Odra knows how to fill */
  extras: ExtraInput[];
}

const SIZE_INPUT = /orig_target_sizes|orig_size|target_sizes/i;
const MASK_INPUT = /pixel_mask|mask/i;

function extraInputType(t: TensorInfo): ExtraInput['type'] | null {
  if (t.type === 'int64' || t.type === 'int32' || t.type === 'float32') return t.type;
  return null;
}

/** An input Odra can fill itself, or null. */
function recogniseExtra(t: TensorInfo): ExtraInput | null {
  const type = extraInputType(t);
  if (!type) return null;
  if (SIZE_INPUT.test(t.name) && t.shape.length === 2 && (t.shape[1] === 2 || t.shape[1] === null)) {
    return { name: t.name, fill: 'canvas-size-wh', type };
  }
  if (MASK_INPUT.test(t.name) && t.shape.length === 3) return { name: t.name, fill: 'valid-mask', type };
  return null;
}

function findImageInput(io: ModelIO): { input: FoundInput } | { why: string } {
  if (io.inputs.length === 0) return { why: 'the graph has no inputs' };
  const isNchw = (i: TensorInfo) => i.shape.length === 4 && i.shape[1] === 3;
  const isChw = (i: TensorInfo) => i.shape.length === 3 && i.shape[0] === 3;
  const images = io.inputs.filter((i) => isNchw(i) || isChw(i));
  const others = io.inputs.filter((i) => !images.includes(i));
  const extras = others.map(recogniseExtra);
  if (images.length !== 1 || extras.some((e) => e === null)) {
    return {
      why:
        'expected exactly one NCHW image input [N, 3, H, W] (or [3, H, W]), plus at most an orig_target_sizes [N, 2] or pixel_mask [N, H, W] input; ' +
        `found ${io.inputs.map(describe).join('; ')}`,
    };
  }
  const input = images[0];
  if (input.type !== 'float32' && input.type !== 'float16') {
    return { why: `image input ${input.name} is ${input.type}; only float32/float16 inputs are supported` };
  }
  const layout = isNchw(input) ? 'NCHW' : 'CHW';
  const [h, w] = layout === 'NCHW' ? [input.shape[2], input.shape[3]] : [input.shape[1], input.shape[2]];
  return { input: { name: input.name, width: num(w), height: num(h), layout, extras: extras as ExtraInput[] } };
}

function resolveInput(found: FoundInput, metadata: Record<string, string>, family: ModelFamily): ImageInput {
  if (found.width !== null && found.height !== null) {
    return { name: found.name, width: found.width, height: found.height, sizeGuessed: false, note: '' };
  }
  const meta = metadataImageSize(metadata);
  if (meta) return { name: found.name, ...meta, sizeGuessed: true, note: `input size ${meta.width}x${meta.height} from metadata imgsz` };
  const size = DEFAULT_SIZE[family];
  return {
    name: found.name,
    width: size,
    height: size,
    sizeGuessed: true,
    note: `dynamic input size: assumed ${size}x${size} (set it in the adapter)`,
  };
}

interface ResolvedNames {
  names: string[];
  note: string;
  /** false when the names are a guess (no metadata) */
  known: boolean;
}

function namesFromMetadata(metadata: Record<string, string>): { raw: string | undefined; parsed: string[] | null } {
  const raw = metadata.names ?? metadata.classes ?? metadata.class_names;
  return { raw, parsed: raw === undefined ? null : parseClassNames(raw) };
}

export function resolveClassNames(metadata: Record<string, string>, classCount: number): ResolvedNames {
  const { raw, parsed } = namesFromMetadata(metadata);
  const guess = (why: string): ResolvedNames => {
    if (classCount === 80) return { names: [...COCO80_CLASS_NAMES], note: `${why}: assumed COCO-80 order`, known: false };
    if (classCount === 91) return { names: [...COCO91_CLASS_NAMES], note: `${why}: assumed COCO category ids (index 0 background)`, known: false };
    return { names: genericClassNames(classCount), note: `${why}: generic class names`, known: false };
  };
  if (raw !== undefined) {
    if (parsed && parsed.length === classCount) return { names: parsed, note: 'class names from metadata', known: true };
    const why = parsed ? `metadata names has ${parsed.length} entries for ${classCount} classes` : 'metadata names could not be parsed';
    return guess(why);
  }
  return guess(`${classCount} classes without names`);
}

/** For outputs that carry a class label, not a class dimension: the count is not in the graph. */
function resolveLabelNames(metadata: Record<string, string>, fallback: readonly string[], fallbackNote: string): ResolvedNames {
  const { raw, parsed } = namesFromMetadata(metadata);
  if (parsed) return { names: parsed, note: 'class names from metadata', known: true };
  const why = raw !== undefined ? 'metadata names could not be parsed' : 'no class names in the metadata';
  return { names: [...fallback], note: `${why}: ${fallbackNote}`, known: false };
}

interface Finish {
  family: ModelFamily;
  input: ImageInput;
  found: FoundInput;
  names: ResolvedNames;
  confidence: number;
  facts: string[];
  extras?: AdapterExtras;
}

function finish(f: Finish): MatchResult {
  const config = defaultAdapterConfig(f.family, f.input, f.names.names, { ...f.extras, layout: f.found.layout });
  const notes = [...f.facts, f.names.note];
  if (f.input.note) notes.push(f.input.note);
  const c = f.input.sizeGuessed ? f.confidence - 0.2 : f.confidence;
  return { ok: true, detection: { config, confidence: Math.max(0.05, Math.min(1, c)), reason: notes.join('; ') } };
}

/** Rank-3 outputs [B, a, b] with numeric a, b. */
function rank3(io: ModelIO): { t: TensorInfo; a: number; b: number }[] {
  const out: { t: TensorInfo; a: number; b: number }[] = [];
  for (const t of io.outputs) {
    const a = num(t.shape[1]);
    const b = num(t.shape[2]);
    if (t.shape.length === 3 && a !== null && b !== null) out.push({ t, a, b });
  }
  return out;
}

function noExtras(found: FoundInput, family: string): string | null {
  if (found.extras.length === 0 && found.layout === 'NCHW') return null;
  if (found.layout === 'CHW') return `${family} exports take a batched [N, 3, H, W] input, not [3, H, W]`;
  return `${family} takes only the image, but the graph also wants ${found.extras.map((e) => e.name).join(', ')}`;
}

function matchYolox(io: ModelIO, found: FoundInput): MatchResult {
  const extra = noExtras(found, 'YOLOX');
  if (extra) return { ok: false, why: extra };
  const input = resolveInput(found, io.metadata, 'yolox');
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
  return finish({ family: 'yolox', input, found, names: resolveClassNames(io.metadata, width - 5), confidence, facts, extras: { strides } });
}

function matchYolov5(io: ModelIO, found: FoundInput): MatchResult {
  const extra = noExtras(found, 'YOLOv5');
  if (extra) return { ok: false, why: extra };
  const input = resolveInput(found, io.metadata, 'yolov5');
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
    return finish({ family: 'yolov5', input, found, names: resolveClassNames(io.metadata, width - 5), confidence, facts });
  }
  const g = gridCellCount(input.width, input.height, [8, 16, 32]);
  return {
    ok: false,
    why: `rows ${cands.map((c) => c.a).join(', ')} are not 3 x grid cells (3 x ${g} = ${3 * g} for strides 8/16/32 at ${input.width}x${input.height})`,
  };
}

function matchYolov8(io: ModelIO, found: FoundInput): MatchResult {
  const extra = noExtras(found, 'YOLOv8');
  if (extra) return { ok: false, why: extra };
  const input = resolveInput(found, io.metadata, 'yolov8');
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
  return finish({ family: 'yolov8', input, found, names: resolveClassNames(io.metadata, channels - 4), confidence, facts });
}

function matchYolov10(io: ModelIO, found: FoundInput): MatchResult {
  const extra = noExtras(found, 'YOLOv10');
  if (extra) return { ok: false, why: extra };
  const input = resolveInput(found, io.metadata, 'yolov10');
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
  return finish({ family: 'yolov10', input, found, names, confidence, facts, extras: { decoding: FAMILY_DECODING.yolov10 } });
}

function roleCandidates(io: ModelIO): RoleCandidate[] {
  return io.outputs.map((t) => ({ name: t.name, shape: t.shape, type: t.type }));
}

const TF_STYLE = /^detection_boxes$/;

function matchBoxList(io: ModelIO, found: FoundInput, family: 'ssd' | 'nms-in-graph'): MatchResult {
  if (found.extras.length > 0) return { ok: false, why: `takes only the image, but the graph also wants ${found.extras.map((e) => e.name).join(', ')}` };
  const r = boxListRoles(roleCandidates(io));
  if ('why' in r) return { ok: false, why: r.why };
  const { roles } = r;
  const boxes = io.outputs.find((o) => o.name === roles.boxes) as TensorInfo;
  const batched = boxes.shape.length === 3;
  const input = resolveInput(found, io.metadata, family);
  const facts = [`outputs boxes ${roles.boxes}, scores ${roles.scores}${roles.classes ? `, classes ${roles.classes}` : ''}${roles.count ? `, count ${roles.count}` : ''}`];
  let confidence: number;
  let decoding: DecodingConfig = { ...(FAMILY_DECODING[family] as DecodingConfig) };
  let names: ResolvedNames;
  if (family === 'ssd') {
    if (roles.count) return { ok: false, why: `has a detection count output (${roles.count}): NMS-in-graph layout, not torchvision's` };
    if (!roles.classes) return { ok: false, why: 'no labels output beside boxes and scores' };
    confidence = 0.75;
    if (found.layout === 'CHW' || !batched) {
      confidence = 0.88;
      facts.push(found.layout === 'CHW' ? 'unbatched [3, H, W] input as torchvision exports' : 'unbatched [K, 4] boxes as torchvision exports');
    }
    if ([roles.boxes, roles.scores, roles.classes].join() === 'boxes,scores,labels') confidence += 0.05;
    names = resolveLabelNames(io.metadata, COCO91_CLASS_NAMES, 'assumed torchvision COCO category ids (91 entries, index 0 background)');
    facts.push('boxes xyxy in input pixels');
  } else {
    if (!roles.count) return { ok: false, why: 'no detection count output (num_dets / num_detections [B, 1])' };
    if (!batched) return { ok: false, why: `boxes ${roles.boxes} has no batch dimension` };
    confidence = 0.85;
    if (/det_boxes|detection_boxes/.test(roles.boxes) && roles.count && /num_det/.test(roles.count)) confidence = 0.93;
    if (TF_STYLE.test(roles.boxes)) {
      // TensorFlow Object Detection API names: normalized [ymin, xmin, ymax, xmax], 1-based COCO ids.
      decoding = { ...decoding, boxFormat: 'yxyx', boxUnits: 'normalized' };
      names = resolveLabelNames(io.metadata, COCO91_CLASS_NAMES, 'assumed COCO category ids (TensorFlow label map)');
      facts.push('TensorFlow detection_* names: boxes normalized [ymin, xmin, ymax, xmax]');
    } else {
      names = resolveLabelNames(io.metadata, COCO80_CLASS_NAMES, 'assumed COCO-80 (classes are indices)');
      facts.push('boxes xyxy in input pixels');
    }
  }
  if (!names.known) confidence -= 0.05;
  return finish({ family, input, found, names, confidence, facts, extras: { decoding, outputs: roles } });
}

function matchSsd(io: ModelIO, found: FoundInput): MatchResult {
  return matchBoxList(io, found, 'ssd');
}

function matchNmsInGraph(io: ModelIO, found: FoundInput): MatchResult {
  if (found.layout === 'CHW') return { ok: false, why: 'expects a batched [N, 3, H, W] input' };
  return matchBoxList(io, found, 'nms-in-graph');
}

/** Evidence shared by the DETR and RT-DETR matchers: which one the graph looks like. */
function detrEvidence(io: ModelIO): { rt: number; facts: string[] } {
  const text = provenanceText(io);
  const facts: string[] = [];
  let rt = 0;
  if (/rt-?detr/i.test(text)) {
    rt += 0.3;
    facts.push('metadata/producer names RT-DETR');
  } else if (/detr/i.test(text)) {
    rt -= 0.3;
    facts.push('metadata/producer names DETR');
  }
  if (io.opTypes.includes('GridSample') || io.opTypes.some((o) => /MultiScaleDeformableAttn/i.test(o))) {
    rt += 0.1;
    facts.push('GridSample ops (deformable attention: sigmoid/focal head)');
  }
  return { rt, facts };
}

function matchQueryHead(io: ModelIO, found: FoundInput, family: 'detr' | 'rtdetr'): MatchResult {
  const sizeInput = found.extras.find((e) => e.fill !== 'valid-mask');
  if (sizeInput && family === 'detr') return { ok: false, why: `DETR exports take no ${sizeInput.name} input` };
  if (found.layout === 'CHW') return { ok: false, why: 'expects a batched [N, 3, H, W] input' };
  const input = resolveInput(found, io.metadata, family);
  const evidence = detrEvidence(io);
  const lean = family === 'rtdetr' ? evidence.rt : -evidence.rt;
  // RT-DETR's deploy export: its postprocessor in the graph scales boxes by orig_target_sizes.
  if (sizeInput) {
    const r = boxListRoles(roleCandidates(io));
    if ('why' in r) return { ok: false, why: `has ${sizeInput.name} but ${r.why}` };
    if (!r.roles.classes) return { ok: false, why: `has ${sizeInput.name} but no labels output` };
    const facts = [
      `input ${sizeInput.name} (fed the input canvas size, so boxes come out in canvas pixels) and outputs ${r.roles.boxes}/${r.roles.scores}/${r.roles.classes}: RT-DETR deploy export`,
      ...evidence.facts,
    ];
    const names = resolveLabelNames(io.metadata, COCO80_CLASS_NAMES, 'assumed COCO-80 (deploy labels are 0-based)');
    return finish({
      family,
      input,
      found,
      names,
      confidence: 0.9 + Math.max(0, lean) - (names.known ? 0 : 0.05),
      facts,
      extras: {
        decoding: { boxFormat: 'xyxy', boxUnits: 'pixels', scoreActivation: 'none', backgroundClass: 'none', labelOffset: 0 },
        outputs: r.roles,
        extraInputs: [sizeInput],
      },
    });
  }
  const q = queryRoles(roleCandidates(io));
  if ('why' in q) return { ok: false, why: q.why };
  const cols = q.classColumns;
  if ('combined' in q.roles) {
    if (family === 'detr') return { ok: false, why: 'one combined [B, Q, 4 + C] output is the Ultralytics RT-DETR layout, not DETR' };
    const qn = q.queries;
    if (qn !== null && (matchStrides(qn, input.width, input.height, 1) || (cols !== null && matchStrides(cols + 4, input.width, input.height, 1)))) {
      return { ok: false, why: 'the [B, a, b] output fits a YOLO grid, not a query head' };
    }
    const facts = [`one output ${q.roles.combined} [B, ${qn ?? 'Q'}, 4 + ${cols ?? 'C'}]: per query cxcywh (normalized) + class scores`, ...evidence.facts];
    let confidence = 0.45 + lean;
    if (isUltralytics(io.metadata)) {
      confidence += 0.2;
      facts.push('Ultralytics metadata');
    }
    const names = cols !== null ? resolveClassNames(io.metadata, cols) : resolveLabelNames(io.metadata, COCO80_CLASS_NAMES, 'assumed COCO-80');
    return finish({
      family,
      input,
      found,
      names,
      confidence,
      facts,
      extras: { decoding: { boxFormat: 'cxcywh', boxUnits: 'normalized', scoreActivation: 'none', backgroundClass: 'none', labelOffset: 0 }, outputs: q.roles },
    });
  }
  if (cols === null) return { ok: false, why: `logits ${q.roles.logits} has no fixed class dimension` };
  const mask = found.extras.find((e) => e.fill === 'valid-mask');
  if (mask && family === 'rtdetr') return { ok: false, why: `RT-DETR exports take no ${mask.name} input` };
  const facts = [`outputs boxes ${q.roles.boxes} [B, ${q.queries ?? 'Q'}, 4] (normalized cxcywh) and logits ${q.roles.logits} [B, Q, ${cols}]`, ...evidence.facts];
  let confidence: number;
  let names: ResolvedNames;
  if (family === 'detr') {
    // DETR: C real classes + 1 "no object" column; COCO checkpoints have 91 + 1.
    if (cols < 2) return { ok: false, why: `${cols} logit columns: no room for a class and "no object"` };
    confidence = cols === 92 || cols === 81 ? 0.8 : 0.6;
    if (q.queries === 100) confidence += 0.05;
    if (mask) {
      confidence += 0.1;
      facts.push(`input ${mask.name} fed 1 on image pixels, 0 on padding`);
    }
    names = resolveClassNames(io.metadata, cols - 1);
    facts.push(`softmax over ${cols - 1} classes + "no object" (last column)`);
  } else {
    confidence = cols === 80 || cols === 91 ? 0.75 : 0.55;
    if (q.queries === 300) confidence += 0.05;
    names = resolveClassNames(io.metadata, cols);
    facts.push(`sigmoid (focal) scores over ${cols} classes, top-k over queries x classes`);
  }
  confidence += lean;
  if (!names.known) confidence -= 0.05;
  return finish({
    family,
    input,
    found,
    names,
    confidence,
    facts,
    extras: { decoding: FAMILY_DECODING[family], outputs: q.roles, extraInputs: mask ? [mask] : undefined },
  });
}

function matchDetr(io: ModelIO, found: FoundInput): MatchResult {
  return matchQueryHead(io, found, 'detr');
}

function matchRtdetr(io: ModelIO, found: FoundInput): MatchResult {
  return matchQueryHead(io, found, 'rtdetr');
}

const NANODET_CLS = /^cls_pred_stride_(\d+)$/;
const NANODET_DIS = /^dis_pred_stride_(\d+)$/;

function matchNanodet(io: ModelIO, found: FoundInput): MatchResult {
  const extra = noExtras(found, 'NanoDet');
  if (extra) return { ok: false, why: extra };
  const input = resolveInput(found, io.metadata, 'nanodet');
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
  return finish({ family: 'nanodet', input, found, names: resolveClassNames(io.metadata, classCount as number), confidence: 0.95, facts, extras: { strides } });
}

const MATCHERS: readonly [ModelFamily, (io: ModelIO, found: FoundInput) => MatchResult][] = [
  ['yolox', matchYolox],
  ['nanodet', matchNanodet],
  ['yolov5', matchYolov5],
  ['yolov8', matchYolov8],
  ['yolov10', matchYolov10],
  ['ssd', matchSsd],
  ['detr', matchDetr],
  ['rtdetr', matchRtdetr],
  ['nms-in-graph', matchNmsInGraph],
];

/** Families whose class count comes from the graph; for the others any names list fits. */
function fixedClassCount(config: AdapterConfig): number | null {
  if (config.family === 'yolov10' || config.family === 'ssd' || config.family === 'nms-in-graph') return null;
  if (config.outputs?.classes) return null; // RT-DETR deploy: labels
  return config.classNames.length;
}

function applyNames(d: AdapterDetection, names: readonly string[]): AdapterDetection {
  const want = fixedClassCount(d.config);
  if (want !== null && names.length !== want) {
    throw new OdraError('BAD_INPUT', `the names list has ${names.length} names but the model has ${want} classes`);
  }
  return {
    ...d,
    config: { ...d.config, classNames: [...names] },
    reason: `${d.reason}; class names replaced by the ${names.length} given names`,
  };
}

/**
 * Picks the family whose signature the model proves best. Throws an UNSUPPORTED
 * OdraError listing the model's inputs, outputs and each matcher's objection when
 * none fits. `only` forces a family (the import dialog's override).
 */
export function detectAdapter(io: ModelIO, only?: ModelFamily, options: DetectOptions = {}): AdapterDetection {
  const found = findImageInput(io);
  const tried: { family: ModelFamily; why: string }[] = [];
  let best: AdapterDetection | null = null;
  if ('input' in found) {
    for (const [family, match] of MATCHERS) {
      if (only && family !== only) continue;
      const r = match(io, found.input);
      if (!r.ok) tried.push({ family, why: r.why });
      else if (!best || r.detection.confidence > best.confidence) best = r.detection;
    }
  } else {
    for (const [family] of MATCHERS) if (!only || family === only) tried.push({ family, why: found.why });
  }
  if (best) return options.classNames ? applyNames(best, options.classNames) : best;
  const lines = [
    `No detector adapter matches this model${only ? ` as ${only}` : ''}.`,
    `inputs: ${io.inputs.map(describe).join('; ') || 'none'}`,
    `outputs: ${io.outputs.map(describe).join('; ') || 'none'}`,
    ...tried.map((t) => `${t.family}: ${t.why}`),
  ];
  throw new OdraError('UNSUPPORTED', lines.join('\n  '), {
    inputs: io.inputs,
    outputs: io.outputs,
    problems: tried.map((t) => ({ problem: `${t.family}: ${t.why}` })),
  });
}


