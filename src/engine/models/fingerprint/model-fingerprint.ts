/**
 * The compression fingerprint of an ONNX model: size, parameter count, op histogram,
 * unstructured sparsity (exactly-zero weights), structured sparsity (all-zero output
 * channels of Conv/ConvTranspose/Gemm/MatMul weights), quantized ops and weight
 * precision. Shown beside a model's results, because pruning, quantization and
 * distillation are what the audit compares.
 *
 * Weights are counted where they lie: views of the file's bytes (raw_data or packed
 * typed fields) or EXTERNAL data files read in 1 MiB chunks, never decoded into JS
 * arrays, so a large model costs about its file size in memory.
 *
 * This module assembles the fingerprint from one walk of the model (onnx-walk.ts);
 * the seams: tensor-scan.ts (zero counting, storage checks), quantization.ts (quantized
 * ops, schemes, zero points), channel-layouts.ts (weight element -> output channel).
 */
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { ModelFingerprint } from '../../../shared/adapter';
import { badInput } from '../../../shared/errors';
import { elementTypeName, modelIOFromSkeleton, type ModelIO } from '../inspect-io';
import { allGraphs, OnnxFormatError, walkModel, type GraphSkeleton, type ModelSkeleton, type TensorHeader } from '../onnx-walk';
import { layoutFor, type Use } from './channel-layouts';
import { isQuantOp, opKey, PARAM_SLOTS, QUANT_SLOTS, quantSchemes, zeroPointFor } from './quantization';
import {
  checkStorage,
  decodeRaw,
  FLOAT_TYPES,
  product,
  QUANT_INT_TYPES,
  scanTensor,
  storageBytes,
  ZERO,
  type ExternalFiles,
  type ZeroPoint,
} from './tensor-scan';

export type { ModelFingerprint } from '../../../shared/adapter';

// ---- the fingerprint ------------------------------------------------------------------------

function sortedHistogram(h: Map<string, number>): Record<string, number> {
  return Object.fromEntries([...h].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)));
}

interface WeightRole {
  zp: ZeroPoint;
  quantized: boolean;
}

function describeFingerprintError(file: string, err: unknown): never {
  const why = err instanceof Error ? err.message : String(err);
  throw badInput(`${file} is not a readable ONNX model: ${why}`, [{ file, problem: why }], file);
}

export async function fingerprintModel(file: string): Promise<ModelFingerprint> {
  return (await inspectModelFile(file)).fingerprint;
}

/**
 * The fingerprint and the declared I/O (what adapter detection needs) from one read
 * of the file. Anything that is not a readable ONNX model is a BAD_INPUT naming it.
 */
export async function inspectModelFile(file: string): Promise<{ fingerprint: ModelFingerprint; io: ModelIO }> {
  const s = await stat(file).catch(() => null);
  if (!s?.isFile()) throw badInput(`${file}: no such model file`, [{ file, problem: 'not found' }], file);
  if (s.size === 0) throw badInput(`${file} is not a readable ONNX model: the file is empty`, [{ file, problem: 'empty file' }], file);
  const bytes = await readFile(file);
  try {
    const model = walkModel(bytes);
    const fingerprint = await fingerprintSkeleton(model, bytes, path.dirname(path.resolve(file)));
    const io: ModelIO = { ...modelIOFromSkeleton(model), sha256: fingerprint.sha256, fileSize: fingerprint.fileSize };
    return { fingerprint, io };
  } catch (err) {
    if (err instanceof OnnxFormatError) describeFingerprintError(file, err);
    throw err;
  }
}

async function fingerprintSkeleton(model: ModelSkeleton, bytes: Uint8Array, modelDir: string): Promise<ModelFingerprint> {
  const graphs = allGraphs(model);
  const histogram = new Map<string, number>();
  const quantOps = new Map<string, number>();
  const uses = new Map<string, Use[]>();
  const inits = new Map<string, TensorHeader>();
  let nodeCount = 0;
  let constantNodes = 0;
  let constantElements = 0;
  for (const g of graphs) {
    for (const t of g.initializers) inits.set(t.name, t);
    for (const n of g.nodes) {
      nodeCount++;
      const key = opKey(n);
      histogram.set(key, (histogram.get(key) ?? 0) + 1);
      if (isQuantOp(n)) quantOps.set(key, (quantOps.get(key) ?? 0) + 1);
      n.inputs.forEach((name, slot) => {
        if (!name) return;
        const list = uses.get(name);
        if (list) list.push({ node: n, slot });
        else uses.set(name, [{ node: n, slot }]);
      });
      if (n.opType === 'Constant' && (!n.domain || n.domain === 'ai.onnx')) {
        constantNodes++;
        for (const a of n.attributes) {
          if (a.t) constantElements += product(a.t.dims);
          else if (a.name === 'value_ints') constantElements += a.ints.length;
          else if (a.name === 'value_floats') constantElements += a.floatCount;
          else if (a.name === 'value_int' || a.name === 'value_float' || a.name === 'value_string') constantElements += 1;
        }
      }
    }
  }

  const notes = new Set<string>();
  // Roles of integer initializers in quantized ops.
  const quantRole = new Map<string, WeightRole>();
  for (const g of graphs) {
    for (const n of g.nodes) {
      if (n.domain && n.domain !== 'ai.onnx') continue;
      for (const slot of QUANT_SLOTS[n.opType] ?? []) {
        const name = n.inputs[slot.data];
        const t = name ? inits.get(name) : undefined;
        if (t && !quantRole.has(name)) quantRole.set(name, { zp: zeroPointFor(n, slot, t.dims, inits, notes), quantized: true });
      }
    }
  }
  // Scales and zero points are quantization parameters, not weights: every use of them is a parameter slot
  // (any float input of a com.microsoft quantized op, whose data inputs are integers).
  const isParamUse = ({ node, slot }: Use, isFloat: boolean): boolean => {
    if (!node.domain || node.domain === 'ai.onnx') return (PARAM_SLOTS[node.opType] ?? []).includes(slot);
    return isFloat && isQuantOp(node);
  };
  const onlyQuantParams = (name: string, isFloat: boolean): boolean => {
    const list = uses.get(name);
    return list !== undefined && list.length > 0 && list.every((u) => isParamUse(u, isFloat));
  };

  const ext: ExternalFiles = { modelDir, sizes: new Map() };
  let parameterCount = 0;
  let initializerCount = 0;
  const weights = { tensors: 0, elements: 0, zeros: 0 };
  const channels = { layers: 0, channels: 0, zeroChannels: 0 };
  const pruned: ModelFingerprint['channels']['prunedLayers'] = [];
  const precision = new Map<string, { tensors: number; elements: number; bytes: number }>();

  for (const g of graphs) {
    for (const t of g.initializers) {
      initializerCount++;
      const elements = product(t.dims);
      if (!Number.isSafeInteger(elements)) throw new OnnxFormatError(`tensor ${t.name} has ${elements} elements`);
      parameterCount += elements;
      const externalRange = await checkStorage(t, elements, ext);
      const role = quantRole.get(t.name);
      const isFloat = FLOAT_TYPES.has(t.dataType);
      const isWeight = ((isFloat && !onlyQuantParams(t.name, true)) || (role !== undefined && QUANT_INT_TYPES.has(t.dataType))) && t.data.kind !== 'strings';
      if (!isWeight) continue;
      const type = elementTypeName(t.dataType);
      const p = precision.get(type) ?? { tensors: 0, elements: 0, bytes: 0 };
      p.tensors++;
      p.elements += elements;
      p.bytes += storageBytes(t.dataType, elements);
      precision.set(type, p);
      const layout = layoutFor(t.name, t.dims, uses);
      const result = elements === 0 ? { zeros: 0, zeroChannels: 0 } : await scanTensor(t, elements, role?.zp ?? ZERO, layout, externalRange);
      weights.tensors++;
      weights.elements += elements;
      weights.zeros += result.zeros;
      if (layout) {
        channels.layers++;
        channels.channels += layout.channels;
        channels.zeroChannels += result.zeroChannels;
        if (result.zeroChannels > 0) pruned.push({ weight: t.name, op: layout.op, channels: layout.channels, zeroChannels: result.zeroChannels });
      }
    }
    sparseInitializers(g, (dense, zeros, type, bytes) => {
      parameterCount += dense;
      if (type === null) return;
      const p = precision.get(type) ?? { tensors: 0, elements: 0, bytes: 0 };
      p.tensors++;
      p.elements += dense;
      p.bytes += bytes;
      precision.set(type, p);
      weights.tensors++;
      weights.elements += dense;
      weights.zeros += zeros;
    });
  }

  const opsets: Record<string, number> = {};
  for (const o of model.opsetImports) opsets[o.domain === 'ai.onnx' ? '' : o.domain] = o.version;
  const defaultOpset = model.opsetImports.find((o) => !o.domain || o.domain === 'ai.onnx');
  const producer = [model.producerName, model.producerVersion].filter((x) => x).join(' ');
  const quantHistogram = sortedHistogram(quantOps);
  const externalBytes = [...ext.sizes.values()].reduce((a, b) => a + b, 0);
  if (model.functionCount > 0) notes.add(`${model.functionCount} model-local function(s): their bodies are not in the op histogram`);
  return {
    fileSize: bytes.length,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    externalData: { files: [...ext.sizes.keys()].map((f) => path.relative(modelDir, f)).sort(), bytes: externalBytes },
    irVersion: model.irVersion,
    opset: defaultOpset ? defaultOpset.version : null,
    opsets,
    producer: producer || null,
    parameterCount,
    initializerCount,
    nodeCount,
    subgraphCount: graphs.length - 1,
    opHistogram: sortedHistogram(histogram),
    constantNodes: { count: constantNodes, elements: constantElements },
    weights: { ...weights, zeroShare: weights.elements ? weights.zeros / weights.elements : 0 },
    channels: {
      ...channels,
      zeroShare: channels.channels ? channels.zeroChannels / channels.channels : 0,
      prunedLayers: pruned,
    },
    quantization: { schemes: quantSchemes(quantHistogram), ops: quantHistogram },
    precision: Object.fromEntries([...precision].sort((a, b) => b[1].elements - a[1].elements)),
    notes: [...notes],
  };
}

/** Sparse initializers: dense size, and zeros = implicit zeros + explicit zero values (floats only). */
function sparseInitializers(g: GraphSkeleton, add: (dense: number, zeros: number, type: string | null, bytes: number) => void): void {
  for (const s of g.sparseInitializers) {
    const dense = product(s.dims);
    const v = s.values;
    if (!v || !FLOAT_TYPES.has(v.dataType) || v.data.kind !== 'raw') {
      add(dense, 0, null, 0);
      continue;
    }
    const nnz = product(v.dims);
    const values = new Float64Array(nnz);
    if (v.data.bytes.length !== storageBytes(v.dataType, nnz)) throw new OnnxFormatError(`sparse tensor ${v.name} values have ${v.data.bytes.length} bytes for ${nnz} elements`);
    decodeRaw(v.dataType, v.data.bytes, 0, 0, nnz, values);
    let zeros = dense - nnz;
    for (const x of values) if (x === 0) zeros++;
    add(dense, zeros, elementTypeName(v.dataType), storageBytes(v.dataType, nnz));
  }
}
