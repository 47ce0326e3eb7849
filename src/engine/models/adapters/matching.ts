/**
 * What every adapter family's matcher shares: finding the image input, resolving the
 * input size and the class names, and turning the evidence into an AdapterDetection.
 *
 * Inputs: the model's declared I/O (inspect-io.ts ModelIO). A matcher answers
 * `{ ok: true, detection }` with a confidence in 0..1 and a reason that lists the facts
 * it relied on, or `{ ok: false, why }` naming what does not fit; detect-adapter.ts
 * picks the most confident match and, when none fits, reports every objection.
 *
 * Conventions: a size taken from metadata or a family default instead of the graph
 * lowers the confidence by 0.2 (finish); class names come from a names file, else the
 * metadata, else a guess that says so (COCO-80, COCO-91 ids or class_<i>).
 */
import {
  adapterConfigSchema,
  COCO80_CLASS_NAMES,
  COCO91_CLASS_NAMES,
  EVAL_POSTPROCESSING,
  type AdapterConfig,
  type DecodingConfig,
  type ExtraInput,
  type ModelFamily,
  type OutputRoles,
  type PreprocessingConfig,
} from '../adapter-config';
import { genericClassNames, parseClassNames } from '../class-names';
import type { Dim, ModelIO, TensorInfo } from '../inspect-io';
import type { RoleCandidate } from '../output-roles';

export interface AdapterDetection {
  config: AdapterConfig;
  /** 0..1: how sure the match is (shape proof, metadata agreement, guessed sizes lower it) */
  confidence: number;
  reason: string;
}

export type MatchResult = { ok: true; detection: AdapterDetection } | { ok: false; why: string };

/** A family's defaults: what its exporters train and export with (the family module says where from). */
export interface FamilyDefaults {
  family: ModelFamily;
  preprocessing: PreprocessingConfig;
  /** square input side assumed when neither the graph nor the metadata fixes it */
  defaultInputSize: number;
}

export interface ImageInput {
  name: string;
  width: number;
  height: number;
  /** true when width/height came from metadata or a default, not from the graph */
  sizeGuessed: boolean;
  note: string;
}

/** The image input as the graph declares it: width/height null when symbolic. */
export interface FoundInput {
  name: string;
  width: number | null;
  height: number | null;
  layout: 'NCHW' | 'CHW';
  /** inputs besides the image that Odra knows how to fill */
  extras: ExtraInput[];
}

export function formatShape(shape: readonly Dim[]): string {
  if (shape.length === 0) return '[?]';
  return `[${shape.map((d) => (d === null ? '?' : String(d))).join(', ')}]`;
}

export function describe(t: TensorInfo): string {
  return `${t.name} ${t.type} ${formatShape(t.shape)}`;
}

export function num(d: Dim | undefined): number | null {
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

export function isUltralytics(metadata: Record<string, string>): boolean {
  return /ultralytics/i.test(metadata.author ?? '') || /ultralytics/i.test(metadata.description ?? '');
}

/** Free text the exporter left: metadata values, producer. */
export function provenanceText(io: ModelIO): string {
  return [io.producer ?? '', ...Object.values(io.metadata)].join(' ');
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

export function findImageInput(io: ModelIO): { input: FoundInput } | { why: string } {
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

export function resolveInput(found: FoundInput, metadata: Record<string, string>, defaults: FamilyDefaults): ImageInput {
  if (found.width !== null && found.height !== null) {
    return { name: found.name, width: found.width, height: found.height, sizeGuessed: false, note: '' };
  }
  const meta = metadataImageSize(metadata);
  if (meta) return { name: found.name, ...meta, sizeGuessed: true, note: `input size ${meta.width}x${meta.height} from metadata imgsz` };
  const size = defaults.defaultInputSize;
  return {
    name: found.name,
    width: size,
    height: size,
    sizeGuessed: true,
    note: `dynamic input size: assumed ${size}x${size} (set it in the adapter)`,
  };
}

export interface ResolvedNames {
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
export function resolveLabelNames(metadata: Record<string, string>, fallback: readonly string[], fallbackNote: string): ResolvedNames {
  const { raw, parsed } = namesFromMetadata(metadata);
  if (parsed) return { names: parsed, note: 'class names from metadata', known: true };
  const why = raw !== undefined ? 'metadata names could not be parsed' : 'no class names in the metadata';
  return { names: [...fallback], note: `${why}: ${fallbackNote}`, known: false };
}

export interface AdapterExtras {
  strides?: readonly number[];
  decoding?: DecodingConfig;
  outputs?: OutputRoles;
  extraInputs?: ExtraInput[];
  layout?: 'NCHW' | 'CHW';
}

/** The adapter config a detection proposes: the family's defaults, evaluation post-processing, what the graph showed. */
export function defaultAdapterConfig(
  defaults: FamilyDefaults,
  input: { name: string; width: number; height: number },
  classNames: string[],
  x: AdapterExtras = {},
): AdapterConfig {
  const config: AdapterConfig = {
    family: defaults.family,
    input: { name: input.name, width: input.width, height: input.height, layout: x.layout ?? 'NCHW' },
    preprocessing: { ...defaults.preprocessing },
    postprocessing: { ...EVAL_POSTPROCESSING },
    classNames,
  };
  if (x.strides) config.strides = [...x.strides];
  if (x.decoding) config.decoding = { ...x.decoding };
  if (x.outputs) config.outputs = { ...x.outputs };
  if (x.extraInputs) config.extraInputs = x.extraInputs.map((e) => ({ ...e }));
  return adapterConfigSchema.parse(config);
}

export interface Finish {
  defaults: FamilyDefaults;
  input: ImageInput;
  found: FoundInput;
  names: ResolvedNames;
  confidence: number;
  facts: string[];
  extras?: AdapterExtras;
}

export function finish(f: Finish): MatchResult {
  const config = defaultAdapterConfig(f.defaults, f.input, f.names.names, { ...f.extras, layout: f.found.layout });
  const notes = [...f.facts, f.names.note];
  if (f.input.note) notes.push(f.input.note);
  const c = f.input.sizeGuessed ? f.confidence - 0.2 : f.confidence;
  return { ok: true, detection: { config, confidence: Math.max(0.05, Math.min(1, c)), reason: notes.join('; ') } };
}

/** Rank-3 outputs [B, a, b] with numeric a, b. */
export function rank3(io: ModelIO): { t: TensorInfo; a: number; b: number }[] {
  const out: { t: TensorInfo; a: number; b: number }[] = [];
  for (const t of io.outputs) {
    const a = num(t.shape[1]);
    const b = num(t.shape[2]);
    if (t.shape.length === 3 && a !== null && b !== null) out.push({ t, a, b });
  }
  return out;
}

/** Why a family that takes only a batched image refuses this input, or null when it fits. */
export function noExtras(found: FoundInput, family: string): string | null {
  if (found.extras.length === 0 && found.layout === 'NCHW') return null;
  if (found.layout === 'CHW') return `${family} exports take a batched [N, 3, H, W] input, not [3, H, W]`;
  return `${family} takes only the image, but the graph also wants ${found.extras.map((e) => e.name).join(', ')}`;
}

export function roleCandidates(io: ModelIO): RoleCandidate[] {
  return io.outputs.map((t) => ({ name: t.name, shape: t.shape, type: t.type }));
}
