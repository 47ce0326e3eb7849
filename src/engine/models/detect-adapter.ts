/**
 * Recognises a detector family from a model's graph signature and metadata and builds
 * its default adapter config. Only what the graph proves is trusted: each family has a
 * matcher that either explains why it fits (with a confidence) or why it does not, and
 * when nothing fits the error lists what was found and every matcher's objection.
 */
import { OdraError } from '../../shared/errors';
import {
  COCO80_CLASS_NAMES,
  defaultAdapterConfig,
  type AdapterConfig,
  type ModelFamily,
} from './adapter-config';
import { genericClassNames, parseClassNames } from './class-names';
import { gridCellCount, matchStrides } from './grids';
import type { Dim, ModelIO, TensorInfo } from './inspect-io';

export interface AdapterDetection {
  config: AdapterConfig;
  /** 0..1: how sure the match is (shape proof, metadata agreement, guessed sizes lower it) */
  confidence: number;
  reason: string;
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

const DEFAULT_SIZE: Readonly<Record<ModelFamily, number>> = { yolox: 640, nanodet: 320, yolov5: 640, yolov8: 640 };

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

/** The image input as the graph declares it: width/height null when symbolic. */
interface FoundInput {
  name: string;
  width: number | null;
  height: number | null;
}

function findImageInput(io: ModelIO): { input: FoundInput } | { why: string } {
  const images = io.inputs.filter((i) => i.shape.length === 4 && i.shape[1] === 3);
  if (io.inputs.length === 0) return { why: 'the graph has no inputs' };
  if (images.length !== 1 || io.inputs.length !== 1) {
    return {
      why: `expected exactly one NCHW image input [N, 3, H, W], found ${io.inputs.map(describe).join('; ')}`,
    };
  }
  const input = images[0];
  if (input.type !== 'float32' && input.type !== 'float16') {
    return { why: `image input ${input.name} is ${input.type}; only float32/float16 inputs are supported` };
  }
  return { input: { name: input.name, width: num(input.shape[3]), height: num(input.shape[2]) } };
}

function resolveInput(
  found: FoundInput,
  metadata: Record<string, string>,
  family: ModelFamily,
): ImageInput {
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
}

export function resolveClassNames(metadata: Record<string, string>, classCount: number): ResolvedNames {
  const raw = metadata.names ?? metadata.classes ?? metadata.class_names;
  if (raw !== undefined) {
    const parsed = parseClassNames(raw);
    if (parsed && parsed.length === classCount) return { names: parsed, note: 'class names from metadata' };
    const why = parsed ? `metadata names has ${parsed.length} entries for ${classCount} classes` : 'metadata names could not be parsed';
    if (classCount === 80) return { names: [...COCO80_CLASS_NAMES], note: `${why}; assumed COCO-80` };
    return { names: genericClassNames(classCount), note: `${why}; generic class names` };
  }
  if (classCount === 80) return { names: [...COCO80_CLASS_NAMES], note: '80 classes without names: assumed COCO-80 order' };
  return { names: genericClassNames(classCount), note: `${classCount} classes without names: generic class names` };
}

function finish(
  family: ModelFamily,
  input: ImageInput,
  classCount: number,
  metadata: Record<string, string>,
  confidence: number,
  facts: string[],
  strides?: readonly number[],
): MatchResult {
  const names = resolveClassNames(metadata, classCount);
  const config = defaultAdapterConfig(
    family,
    input,
    names.names,
    strides && (family === 'yolox' || family === 'nanodet') ? [...strides] : undefined,
  );
  const notes = [...facts, names.note];
  if (input.note) notes.push(input.note);
  const c = input.sizeGuessed ? confidence - 0.2 : confidence;
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

function matchYolox(io: ModelIO, found: FoundInput): MatchResult {
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
  return finish('yolox', input, width - 5, io.metadata, confidence, facts, strides);
}

function matchYolov5(io: ModelIO, found: FoundInput): MatchResult {
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
    return finish('yolov5', input, width - 5, io.metadata, confidence, facts);
  }
  const g = gridCellCount(input.width, input.height, [8, 16, 32]);
  return {
    ok: false,
    why: `rows ${cands.map((c) => c.a).join(', ')} are not 3 x grid cells (3 x ${g} = ${3 * g} for strides 8/16/32 at ${input.width}x${input.height})`,
  };
}

function matchYolov8(io: ModelIO, found: FoundInput): MatchResult {
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
  return finish('yolov8', input, channels - 4, io.metadata, confidence, facts);
}

const NANODET_CLS = /^cls_pred_stride_(\d+)$/;
const NANODET_DIS = /^dis_pred_stride_(\d+)$/;

function matchNanodet(io: ModelIO, found: FoundInput): MatchResult {
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
  return finish('nanodet', input, classCount as number, io.metadata, 0.95, facts, strides);
}

const MATCHERS: readonly [ModelFamily, typeof matchYolox][] = [
  ['yolox', matchYolox],
  ['nanodet', matchNanodet],
  ['yolov5', matchYolov5],
  ['yolov8', matchYolov8],
];

/**
 * Picks the family whose signature the model proves best. Throws an UNSUPPORTED
 * OdraError listing the model's inputs, outputs and each matcher's objection when
 * none fits. `only` forces a family (the import dialog's override).
 */
export function detectAdapter(io: ModelIO, only?: ModelFamily): AdapterDetection {
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
  if (best) return best;
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
