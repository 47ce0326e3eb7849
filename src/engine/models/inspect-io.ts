/**
 * Reads what adapter detection needs from an ONNX file without running it: graph
 * inputs/outputs with their shapes, metadata_props, opset, producer, and the file's
 * SHA-256 (the model's identity in the store and in every report).
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import onnxProto from 'onnx-proto';
import type { ModelIODto } from '../../shared/schemas';

const { onnx } = onnxProto;

export type Dim = number | string | null;

export interface TensorInfo {
  name: string;
  /** element type in onnxruntime's spelling ('float32', 'float16', 'int64', ...) */
  type: string;
  /** numbers for fixed dims, strings for symbolic ones, null when unknown; [] when the rank is unknown */
  shape: Dim[];
}

export interface ModelIO extends ModelIODto {
  inputs: TensorInfo[];
  outputs: TensorInfo[];
  metadata: Record<string, string>;
  /** version of the default ('' / ai.onnx) opset */
  opset: number | null;
  /** producer name and version, e.g. "pytorch 1.10" */
  producer: string | null;
  irVersion: number | null;
  sha256: string;
  fileSize: number;
}

/** TensorProto.DataType -> onnxruntime type names. */
const ELEMENT_TYPES: Readonly<Record<number, string>> = {
  1: 'float32',
  2: 'uint8',
  3: 'int8',
  4: 'uint16',
  5: 'int16',
  6: 'int32',
  7: 'int64',
  8: 'string',
  9: 'bool',
  10: 'float16',
  11: 'float64',
  12: 'uint32',
  13: 'uint64',
  14: 'complex64',
  15: 'complex128',
  16: 'bfloat16',
  17: 'float8e4m3fn',
  18: 'float8e4m3fnuz',
  19: 'float8e5m2',
  20: 'float8e5m2fnuz',
  21: 'uint4',
  22: 'int4',
};

export function elementTypeName(code: number | null | undefined): string {
  if (code === null || code === undefined) return 'unknown';
  return ELEMENT_TYPES[code] ?? `onnx-type-${code}`;
}

interface LongLike {
  toNumber(): number;
}

function toNumber(v: number | LongLike | null | undefined): number | null {
  if (v === null || v === undefined) return null;
  return typeof v === 'number' ? v : v.toNumber();
}

function dimOf(d: onnxProto.onnx.TensorShapeProto.IDimension): Dim {
  // protobufjs sets only the oneof member present in the file as an own property.
  if (Object.prototype.hasOwnProperty.call(d, 'dimValue')) {
    const v = toNumber(d.dimValue);
    return v !== null && v >= 0 ? v : null;
  }
  if (Object.prototype.hasOwnProperty.call(d, 'dimParam') && d.dimParam) return d.dimParam;
  return null;
}

function tensorInfo(v: onnxProto.onnx.IValueInfoProto): TensorInfo {
  const tensorType = v.type?.tensorType;
  const dims = tensorType?.shape?.dim ?? null;
  return {
    name: v.name ?? '',
    type: tensorType ? elementTypeName(tensorType.elemType) : 'non-tensor',
    shape: dims ? dims.map(dimOf) : [],
  };
}

/** Decoded-model part of ModelIO (no hash): pure, so tests can feed it bytes. */
export function readModelIO(bytes: Uint8Array): Omit<ModelIO, 'sha256' | 'fileSize'> {
  let model: onnxProto.onnx.ModelProto;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (err) {
    throw new Error(`not an ONNX model (protobuf decode failed: ${err instanceof Error ? err.message : String(err)})`);
  }
  const graph = model.graph;
  if (!graph) throw new Error('not an ONNX model (no graph)');
  // Before IR v4 exporters listed every initializer as a graph input too; those are weights, not inputs.
  const initializers = new Set((graph.initializer ?? []).map((t) => t.name ?? ''));
  const inputs = (graph.input ?? []).filter((i) => !initializers.has(i.name ?? '')).map(tensorInfo);
  const outputs = (graph.output ?? []).map(tensorInfo);
  const metadata: Record<string, string> = {};
  for (const p of model.metadataProps ?? []) if (p.key) metadata[p.key] = p.value ?? '';
  const defaultOpset = (model.opsetImport ?? []).find((o) => !o.domain || o.domain === 'ai.onnx');
  const producer = [model.producerName, model.producerVersion].filter((s) => s).join(' ');
  return {
    inputs,
    outputs,
    metadata,
    opset: defaultOpset ? toNumber(defaultOpset.version) : null,
    producer: producer || null,
    irVersion: toNumber(model.irVersion),
  };
}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * Decodes the whole protobuf, weights included. Fine for the detectors Odra targets
 * (a few to a few hundred MB); multi-GB models will need a streaming reader that skips
 * the initializers (a later issue).
 */
export async function inspectModelIO(path: string): Promise<ModelIO> {
  const [bytes, sha256, info] = await Promise.all([readFile(path), sha256File(path), stat(path)]);
  let decoded: Omit<ModelIO, 'sha256' | 'fileSize'>;
  try {
    decoded = readModelIO(bytes);
  } catch (err) {
    throw new Error(`${path}: ${err instanceof Error ? err.message : String(err)}`);
  }
  return { ...decoded, sha256, fileSize: info.size };
}
