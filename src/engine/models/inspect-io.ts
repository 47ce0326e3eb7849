/**
 * Reads what adapter detection needs from an ONNX file without running it: graph
 * inputs/outputs with their shapes, metadata_props, opset, producer, and the file's
 * SHA-256 (the model's identity in the store and in every report), and the op types
 * used (some families are told apart by them).
 */
import { readFile, stat } from 'node:fs/promises';
import { sha256File } from '../images/file-hash';
import type onnxProto from 'onnx-proto';
import type { ModelIODto } from '../../shared/schemas';
import { allGraphs, OnnxFormatError, walkModel, type ModelSkeleton, type ValueInfo } from './onnx-walk';

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
  /** op types of every node, subgraphs included (`domain.Op` outside the default domain), sorted */
  opTypes: string[];
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

function dimOf(d: onnxProto.onnx.TensorShapeProto.IDimension): Dim {
  // protobufjs sets only the oneof member present in the file as an own property.
  if (Object.prototype.hasOwnProperty.call(d, 'dimValue')) {
    const raw = d.dimValue;
    const v = raw === null || raw === undefined ? null : typeof raw === 'number' ? raw : raw.toNumber();
    return v !== null && v >= 0 ? v : null;
  }
  if (Object.prototype.hasOwnProperty.call(d, 'dimParam') && d.dimParam) return d.dimParam;
  return null;
}

function tensorInfo(v: ValueInfo): TensorInfo {
  const tensorType = v.type?.tensorType;
  const dims = tensorType?.shape?.dim ?? null;
  return {
    name: v.name,
    type: tensorType ? elementTypeName(tensorType.elemType) : 'non-tensor',
    shape: dims ? dims.map(dimOf) : [],
  };
}

/** Decoded-model part of ModelIO (no hash): pure, so tests can feed it bytes. */
export function readModelIO(bytes: Uint8Array): Omit<ModelIO, 'sha256' | 'fileSize'> {
  let model: ModelSkeleton;
  try {
    model = walkModel(bytes);
  } catch (err) {
    if (!(err instanceof OnnxFormatError)) throw err;
    if (err.message === 'no graph' || err.message === 'the file is empty') throw new Error('not an ONNX model (no graph)');
    throw new Error(`not an ONNX model (${err.message})`);
  }
  return modelIOFromSkeleton(model);
}

export function modelIOFromSkeleton(model: ModelSkeleton): Omit<ModelIO, 'sha256' | 'fileSize'> {
  const graph = model.graph;
  if (!graph) throw new Error('not an ONNX model (no graph)');
  // Before IR v4 exporters listed every initializer as a graph input too; those are weights, not inputs.
  const initializers = new Set(graph.initializers.map((t) => t.name));
  const inputs = graph.inputs.filter((i) => !initializers.has(i.name)).map(tensorInfo);
  const outputs = graph.outputs.map(tensorInfo);
  const defaultOpset = model.opsetImports.find((o) => !o.domain || o.domain === 'ai.onnx');
  const producer = [model.producerName, model.producerVersion].filter((s) => s).join(' ');
  const opTypes = new Set<string>();
  for (const g of allGraphs(model)) for (const n of g.nodes) opTypes.add(n.domain && n.domain !== 'ai.onnx' ? `${n.domain}.${n.opType}` : n.opType);
  return {
    inputs,
    outputs,
    metadata: { ...model.metadata },
    opset: defaultOpset ? defaultOpset.version : null,
    producer: producer || null,
    irVersion: model.irVersion,
    opTypes: [...opTypes].sort(),
  };
}

/**
 * Reads the file once into memory and walks it without decoding tensor contents (see
 * onnx-walk.ts), so the model costs its file size in memory, not a multiple of it.
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
