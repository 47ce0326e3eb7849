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
 */
import { createHash } from 'node:crypto';
import { open, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import protobuf from 'protobufjs/minimal.js';
import type { ModelFingerprint } from '../../shared/adapter';
import { badInput } from '../../shared/errors';
import { elementTypeName, modelIOFromSkeleton, type ModelIO } from './inspect-io';
import { allGraphs, OnnxFormatError, walkModel, type GraphSkeleton, type ModelSkeleton, type NodeSkeleton, type TensorHeader } from './onnx-walk';

export type { ModelFingerprint } from '../../shared/adapter';

// TensorProto.DataType codes
const T = {
  FLOAT: 1,
  UINT8: 2,
  INT8: 3,
  UINT16: 4,
  INT16: 5,
  INT32: 6,
  INT64: 7,
  STRING: 8,
  BOOL: 9,
  FLOAT16: 10,
  DOUBLE: 11,
  UINT32: 12,
  UINT64: 13,
  COMPLEX64: 14,
  COMPLEX128: 15,
  BFLOAT16: 16,
  F8E4M3FN: 17,
  F8E4M3FNUZ: 18,
  F8E5M2: 19,
  F8E5M2FNUZ: 20,
  UINT4: 21,
  INT4: 22,
} as const;

/** Bytes per element; 0.5 for 4-bit types. */
const ELEMENT_BYTES: Readonly<Record<number, number>> = {
  1: 4, 2: 1, 3: 1, 4: 2, 5: 2, 6: 4, 7: 8, 9: 1, 10: 2, 11: 8, 12: 4, 13: 8, 14: 8, 15: 16, 16: 2, 17: 1, 18: 1, 19: 1, 20: 1, 21: 0.5, 22: 0.5,
};

const FLOAT_TYPES: ReadonlySet<number> = new Set([T.FLOAT, T.FLOAT16, T.DOUBLE, T.BFLOAT16, T.F8E4M3FN, T.F8E4M3FNUZ, T.F8E5M2, T.F8E5M2FNUZ]);
const QUANT_INT_TYPES: ReadonlySet<number> = new Set([T.UINT8, T.INT8, T.UINT16, T.INT16, T.INT32, T.UINT4, T.INT4]);

/** Elements decoded per step; also the external-data read size divided by element size. */
const CHUNK_ELEMENTS = 1 << 16;
const EXTERNAL_CHUNK_BYTES = 1 << 20;

function product(dims: readonly number[]): number {
  return dims.reduce((a, b) => a * b, 1);
}

function storageBytes(dataType: number, elements: number): number {
  const per = ELEMENT_BYTES[dataType];
  if (per === undefined) return 0;
  return per === 0.5 ? Math.ceil(elements / 2) : elements * per;
}

// ---- quantized ops --------------------------------------------------------------------

const QUANT_OPS: ReadonlySet<string> = new Set([
  'QuantizeLinear',
  'DequantizeLinear',
  'DynamicQuantizeLinear',
  'QLinearConv',
  'QLinearMatMul',
  'ConvInteger',
  'MatMulInteger',
]);
const MS_QUANT_OP = /^(QLinear\w+|QGemm|QAttention|QOrdered\w+|DynamicQuantize\w+|MatMulIntegerToFloat|MatMulNBits|MatMulBnb4|QuantizeLinear|DequantizeLinear|GatherBlockQuantized)$/;

function opKey(n: NodeSkeleton): string {
  return n.domain && n.domain !== 'ai.onnx' ? `${n.domain}.${n.opType}` : n.opType;
}

function isQuantOp(n: NodeSkeleton): boolean {
  if (!n.domain || n.domain === 'ai.onnx') return QUANT_OPS.has(n.opType);
  return n.domain === 'com.microsoft' && MS_QUANT_OP.test(n.opType);
}

function quantSchemes(ops: Record<string, number>): string[] {
  const has = (re: RegExp) => Object.keys(ops).some((k) => re.test(k.replace(/^com\.microsoft\./, '')));
  const schemes: string[] = [];
  if (has(/^QuantizeLinear$/) && has(/^DequantizeLinear$/)) schemes.push('qdq');
  if ((has(/^DequantizeLinear$/) && !has(/^QuantizeLinear$/)) || has(/^(MatMulNBits|MatMulBnb4|GatherBlockQuantized)$/)) schemes.push('weight-only');
  if (has(/^(QLinear\w+|QGemm|QAttention|QOrdered\w+)$/)) schemes.push('qoperator');
  if (has(/^(ConvInteger|MatMulInteger|MatMulIntegerToFloat)$/)) schemes.push('integer');
  if (has(/^DynamicQuantize/)) schemes.push('dynamic');
  return schemes;
}

/**
 * Input slots of quantized ops: which input is a quantized tensor, and which inputs
 * carry its zero point (for "is this weight zero": q == zero point) and scale.
 */
interface QuantSlot {
  data: number;
  zeroPoint: number | null;
  scale: number | null;
  /** per-axis parameters run along this axis of the data (null: the op's `axis` attribute, default 1) */
  axis: number | 'attr';
}

const QUANT_SLOTS: Readonly<Record<string, readonly QuantSlot[]>> = {
  DequantizeLinear: [{ data: 0, zeroPoint: 2, scale: 1, axis: 'attr' }],
  QLinearConv: [
    { data: 0, zeroPoint: 2, scale: 1, axis: 0 },
    { data: 3, zeroPoint: 5, scale: 4, axis: 0 },
    { data: 8, zeroPoint: null, scale: null, axis: 0 },
  ],
  QLinearMatMul: [
    { data: 0, zeroPoint: 2, scale: 1, axis: 0 },
    { data: 3, zeroPoint: 5, scale: 4, axis: -1 },
  ],
  ConvInteger: [
    { data: 0, zeroPoint: 2, scale: null, axis: 0 },
    { data: 1, zeroPoint: 3, scale: null, axis: 0 },
  ],
  MatMulInteger: [
    { data: 0, zeroPoint: 2, scale: null, axis: 0 },
    { data: 1, zeroPoint: 3, scale: null, axis: -1 },
  ],
};

/** Other quantization-parameter slots (scales, output zero points): not weights. */
const PARAM_SLOTS: Readonly<Record<string, readonly number[]>> = {
  QuantizeLinear: [1, 2],
  DequantizeLinear: [1, 2],
  QLinearConv: [1, 2, 4, 5, 6, 7],
  QLinearMatMul: [1, 2, 4, 5, 6, 7],
  ConvInteger: [2, 3],
  MatMulInteger: [2, 3],
};

// ---- channel layouts --------------------------------------------------------------------

/** How element i of a weight maps to an output channel. */
interface ChannelLayout {
  op: string;
  channels: number;
  channelOf: (i: number) => number;
}

/** [M, ...] (Conv, Gemm with transB): channel = i / inner */
function leadingAxis(op: string, dims: readonly number[]): ChannelLayout | null {
  if (dims.length < 2 || dims[0] === 0) return null;
  const inner = product(dims.slice(1));
  return { op, channels: dims[0], channelOf: (i) => Math.floor(i / inner) };
}

/** [..., K, N] (MatMul B, Gemm without transB): channel = (batch, n) */
function trailingAxis(op: string, dims: readonly number[]): ChannelLayout | null {
  if (dims.length < 2) return null;
  const n = dims[dims.length - 1];
  const k = dims[dims.length - 2];
  if (n === 0 || k === 0) return null;
  const batches = product(dims.slice(0, -2));
  return { op, channels: batches * n, channelOf: (i) => Math.floor(i / (k * n)) * n + (i % n) };
}

/** ConvTranspose W [C, M/g, k...]: output channel = group(c) * M/g + j */
function convTransposeAxis(dims: readonly number[], group: number): ChannelLayout | null {
  if (dims.length < 3 || dims[0] === 0 || dims[1] === 0 || group < 1 || dims[0] % group !== 0) return null;
  const perGroupIn = dims[0] / group;
  const mg = dims[1];
  const k = product(dims.slice(2));
  return {
    op: 'ConvTranspose',
    channels: group * mg,
    channelOf: (i) => {
      const c = Math.floor(i / (mg * k));
      const j = Math.floor(i / k) % mg;
      return Math.floor(c / perGroupIn) * mg + j;
    },
  };
}

function attrInt(n: NodeSkeleton, name: string, fallback: number): number {
  const a = n.attributes.find((x) => x.name === name);
  return a?.i ?? fallback;
}

/** Ops that hand a weight on unchanged (up to dtype): DequantizeLinear, Cast, Identity. */
const PASS_THROUGH: ReadonlySet<string> = new Set(['DequantizeLinear', 'Cast', 'Identity']);

interface Use {
  node: NodeSkeleton;
  slot: number;
}

function layoutFor(name: string, dims: readonly number[], uses: Map<string, Use[]>, depth = 0): ChannelLayout | null {
  for (const { node, slot } of uses.get(name) ?? []) {
    const op = node.domain && node.domain !== 'ai.onnx' ? '' : node.opType;
    if (slot === 0 && PASS_THROUGH.has(op) && depth < 3 && node.outputs[0]) {
      const l = layoutFor(node.outputs[0], dims, uses, depth + 1);
      if (l) return l;
      continue;
    }
    if ((op === 'Conv' && slot === 1) || (op === 'QLinearConv' && slot === 3) || (op === 'ConvInteger' && slot === 1)) return leadingAxis(op, dims);
    if (op === 'ConvTranspose' && slot === 1) return convTransposeAxis(dims, attrInt(node, 'group', 1));
    if (op === 'Gemm' && slot === 1) return attrInt(node, 'transB', 0) ? leadingAxis(op, dims) : trailingAxis(op, dims);
    if ((op === 'MatMul' && slot === 1) || (op === 'QLinearMatMul' && slot === 3) || (op === 'MatMulInteger' && slot === 1)) return trailingAxis(op, dims);
  }
  return null;
}

// ---- element decoding ---------------------------------------------------------------------

/**
 * Decodes `count` elements starting at byte `offset` of `bytes` into `out` as numbers
 * whose only use is the zero test: floats become 0 (exactly zero, either sign) or 1,
 * integers their value (compared with the zero point).
 */
function decodeRaw(dataType: number, bytes: Uint8Array, byteOffset: number, firstElement: number, count: number, out: Float64Array): void {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let o = byteOffset;
  switch (dataType) {
    case T.FLOAT:
      for (let k = 0; k < count; k++, o += 4) out[k] = dv.getUint32(o, true) & 0x7fffffff ? 1 : 0;
      return;
    case T.FLOAT16:
    case T.BFLOAT16:
      for (let k = 0; k < count; k++, o += 2) out[k] = dv.getUint16(o, true) & 0x7fff ? 1 : 0;
      return;
    case T.DOUBLE:
      for (let k = 0; k < count; k++, o += 8) out[k] = (dv.getUint32(o + 4, true) & 0x7fffffff) | dv.getUint32(o, true) ? 1 : 0;
      return;
    case T.F8E4M3FN:
    case T.F8E5M2:
      for (let k = 0; k < count; k++) out[k] = bytes[o + k] & 0x7f ? 1 : 0;
      return;
    case T.F8E4M3FNUZ:
    case T.F8E5M2FNUZ:
      // 0x80 is NaN in the "fnuz" formats, so only 0x00 is zero.
      for (let k = 0; k < count; k++) out[k] = bytes[o + k] ? 1 : 0;
      return;
    case T.INT8:
      for (let k = 0; k < count; k++) out[k] = dv.getInt8(o + k);
      return;
    case T.UINT8:
    case T.BOOL:
      for (let k = 0; k < count; k++) out[k] = bytes[o + k];
      return;
    case T.INT16:
      for (let k = 0; k < count; k++, o += 2) out[k] = dv.getInt16(o, true);
      return;
    case T.UINT16:
      for (let k = 0; k < count; k++, o += 2) out[k] = dv.getUint16(o, true);
      return;
    case T.INT32:
      for (let k = 0; k < count; k++, o += 4) out[k] = dv.getInt32(o, true);
      return;
    case T.UINT32:
      for (let k = 0; k < count; k++, o += 4) out[k] = dv.getUint32(o, true);
      return;
    case T.INT4:
    case T.UINT4:
      // Two per byte, low nibble first; `byteOffset` points at the byte of element `firstElement`.
      for (let k = 0; k < count; k++) {
        const e = firstElement + k;
        const b = bytes[byteOffset + (e >> 1) - (firstElement >> 1)];
        const v = e & 1 ? b >> 4 : b & 0x0f;
        out[k] = dataType === T.INT4 && v >= 8 ? v - 16 : v;
      }
      return;
    default:
      throw new Error(`no zero test for element type ${elementTypeName(dataType)}`);
  }
}

/** int32_data values (fp16/bf16/fp8 bit patterns, small ints) -> zero-test numbers. */
function fromInt32Field(dataType: number, v: number): number {
  switch (dataType) {
    case T.FLOAT16:
    case T.BFLOAT16:
      return v & 0x7fff ? 1 : 0;
    case T.F8E4M3FN:
    case T.F8E5M2:
      return v & 0x7f ? 1 : 0;
    case T.F8E4M3FNUZ:
    case T.F8E5M2FNUZ:
      return v & 0xff ? 1 : 0;
    case T.UINT16:
      return v & 0xffff;
    case T.UINT8:
      return v & 0xff;
    default:
      return v;
  }
}

// ---- per-tensor scan --------------------------------------------------------------------

interface ZeroPoint {
  /** zero point of element i */
  at: (i: number) => number;
}

const ZERO: ZeroPoint = { at: () => 0 };

interface ScanResult {
  zeros: number;
  zeroChannels: number;
}

class Scanner {
  zeros = 0;
  private readonly nonzero: Uint8Array | null;

  constructor(
    private readonly zp: ZeroPoint,
    private readonly layout: ChannelLayout | null,
  ) {
    this.nonzero = layout ? new Uint8Array(layout.channels) : null;
  }

  feed(values: Float64Array, count: number, firstElement: number): void {
    const zp = this.zp;
    const flags = this.nonzero;
    const channelOf = this.layout?.channelOf;
    const scalar = zp === ZERO;
    for (let k = 0; k < count; k++) {
      const z = scalar ? 0 : zp.at(firstElement + k);
      if (values[k] === z) this.zeros++;
      else if (flags && channelOf) flags[channelOf(firstElement + k)] = 1;
    }
  }

  result(): ScanResult {
    let zeroChannels = 0;
    if (this.nonzero) for (const f of this.nonzero) if (!f) zeroChannels++;
    return { zeros: this.zeros, zeroChannels };
  }
}

interface ExternalFiles {
  modelDir: string;
  sizes: Map<string, number>;
}

async function externalPath(location: string, ext: ExternalFiles, tensor: string): Promise<{ file: string; size: number }> {
  const file = path.resolve(ext.modelDir, location);
  const rel = path.relative(ext.modelDir, file);
  if (path.isAbsolute(location) || rel.startsWith('..') || path.isAbsolute(rel)) {
    throw new OnnxFormatError(`tensor ${tensor}: external data location '${location}' is outside the model's folder`);
  }
  let size = ext.sizes.get(file);
  if (size === undefined) {
    const s = await stat(file).catch(() => null);
    if (!s?.isFile()) throw new OnnxFormatError(`tensor ${tensor}: external data file '${location}' not found next to the model`);
    size = s.size;
    ext.sizes.set(file, size);
  }
  return { file, size };
}

/** Checks the tensor's stored size against its dims; returns the byte range of external data. */
async function checkStorage(t: TensorHeader, elements: number, ext: ExternalFiles): Promise<{ file: string; offset: number; bytes: number } | null> {
  const need = storageBytes(t.dataType, elements);
  const d = t.data;
  const what = `tensor ${t.name || '(unnamed)'} (${elementTypeName(t.dataType)} [${t.dims.join(', ')}])`;
  switch (d.kind) {
    case 'raw':
      if (ELEMENT_BYTES[t.dataType] !== undefined && d.bytes.length !== need) {
        throw new OnnxFormatError(`${what} has ${d.bytes.length} bytes of raw_data, needs ${need}`);
      }
      return null;
    case 'external': {
      const { file, size } = await externalPath(d.location, ext, t.name);
      const length = d.length ?? size - d.offset;
      if (d.offset + length > size) throw new OnnxFormatError(`${what}: external range ${d.offset}+${length} is past the end of '${d.location}' (${size} bytes)`);
      if (ELEMENT_BYTES[t.dataType] !== undefined && length < need) throw new OnnxFormatError(`${what}: external data has ${length} bytes, needs ${need}`);
      return { file, offset: d.offset, bytes: need };
    }
    case 'fields': {
      let n = 0;
      for (const s of d.segments) {
        if (s.encoding === 'fixed32') n += s.bytes.length / 4;
        else if (s.encoding === 'fixed64') n += s.bytes.length / 8;
        else for (const b of s.bytes) if (b < 0x80) n++;
      }
      // int32_data holds 4-bit types two per element.
      const want = (t.dataType === T.INT4 || t.dataType === T.UINT4) && d.field === 5 ? Math.ceil(elements / 2) : elements;
      if (!Number.isInteger(n) || n !== want) throw new OnnxFormatError(`${what} stores ${n} values, needs ${want}`);
      return null;
    }
    case 'strings':
      if (d.count !== elements) throw new OnnxFormatError(`${what} stores ${d.count} strings, needs ${elements}`);
      return null;
    case 'empty':
      if (elements !== 0) throw new OnnxFormatError(`${what} has no data`);
      return null;
  }
}

async function scanTensor(t: TensorHeader, elements: number, zp: ZeroPoint, layout: ChannelLayout | null, external: { file: string; offset: number; bytes: number } | null): Promise<ScanResult> {
  const scanner = new Scanner(zp, layout);
  const values = new Float64Array(Math.min(CHUNK_ELEMENTS, elements));
  const d = t.data;
  const fourBit = t.dataType === T.INT4 || t.dataType === T.UINT4;
  const per = ELEMENT_BYTES[t.dataType];
  if (d.kind === 'raw') {
    for (let e = 0; e < elements; e += CHUNK_ELEMENTS) {
      const n = Math.min(CHUNK_ELEMENTS, elements - e);
      decodeRaw(t.dataType, d.bytes, fourBit ? e >> 1 : e * per, e, n, values);
      scanner.feed(values, n, e);
    }
  } else if (external) {
    // Even for 4-bit types, so every chunk starts on a byte.
    const elementsPerChunk = fourBit ? EXTERNAL_CHUNK_BYTES * 2 : Math.floor(EXTERNAL_CHUNK_BYTES / per);
    const buffer = Buffer.alloc(Math.min(EXTERNAL_CHUNK_BYTES, external.bytes));
    const fh = await open(external.file, 'r');
    try {
      for (let e = 0; e < elements; e += elementsPerChunk) {
        const n = Math.min(elementsPerChunk, elements - e);
        const bytes = storageBytes(t.dataType, e + n) - storageBytes(t.dataType, e);
        const start = external.offset + storageBytes(t.dataType, e);
        const { bytesRead } = await fh.read(buffer, 0, bytes, start);
        if (bytesRead !== bytes) throw new OnnxFormatError(`tensor ${t.name}: external data ended early`);
        for (let c = 0; c < n; c += values.length) {
          const m = Math.min(values.length, n - c);
          decodeRaw(t.dataType, buffer, fourBit ? ((e + c) >> 1) - (e >> 1) : c * per, e + c, m, values);
          scanner.feed(values, m, e + c);
        }
      }
    } finally {
      await fh.close();
    }
  } else if (d.kind === 'fields') {
    let e = 0;
    let n = 0;
    const flush = () => {
      scanner.feed(values, n, e);
      e += n;
      n = 0;
    };
    const push = (v: number) => {
      values[n++] = v;
      if (n === values.length) flush();
    };
    for (const s of d.segments) {
      if (s.encoding === 'fixed32') {
        const m = s.bytes.length / 4;
        const tmp = new Float64Array(m);
        decodeRaw(T.FLOAT, s.bytes, 0, 0, m, tmp);
        for (const v of tmp) push(v);
      } else if (s.encoding === 'fixed64') {
        const m = s.bytes.length / 8;
        const tmp = new Float64Array(m);
        decodeRaw(T.DOUBLE, s.bytes, 0, 0, m, tmp);
        for (const v of tmp) push(v);
      } else {
        const r = protobuf.Reader.create(s.bytes);
        while (r.pos < r.len) {
          const v = r.int32();
          if (fourBit) {
            const lo = v & 0x0f;
            const hi = (v >> 4) & 0x0f;
            const sx = (x: number) => (t.dataType === T.INT4 && x >= 8 ? x - 16 : x);
            push(sx(lo));
            if (e + n < elements) push(sx(hi));
          } else push(fromInt32Field(t.dataType, v));
        }
      }
    }
    flush();
  }
  return scanner.result();
}

/** Small integer tensor (a zero point) as numbers. */
function smallIntValues(t: TensorHeader, elements: number): number[] | null {
  if (elements > 1 << 20) return null;
  const out = new Float64Array(elements);
  const d = t.data;
  if (d.kind === 'raw') {
    decodeRaw(t.dataType, d.bytes, 0, 0, elements, out);
    return [...out];
  }
  if (d.kind === 'fields' && d.field === 5) {
    const vals: number[] = [];
    for (const s of d.segments) {
      const r = protobuf.Reader.create(s.bytes);
      while (r.pos < r.len) vals.push(fromInt32Field(t.dataType, r.int32()));
    }
    return vals.length === elements ? vals : null;
  }
  if (d.kind === 'empty' && elements === 0) return [];
  return null;
}

// ---- the fingerprint ------------------------------------------------------------------------

function sortedHistogram(h: Map<string, number>): Record<string, number> {
  return Object.fromEntries([...h].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)));
}

interface WeightRole {
  zp: ZeroPoint;
  quantized: boolean;
}

/**
 * The zero point a quantized-weight slot compares with, when it is a constant: scalar,
 * or one value per index along the slot's axis.
 */
function zeroPointFor(node: NodeSkeleton, slot: QuantSlot, dims: readonly number[], inits: Map<string, TensorHeader>, notes: Set<string>): ZeroPoint {
  if (slot.zeroPoint === null) return ZERO;
  const zpName = node.inputs[slot.zeroPoint];
  if (!zpName) return ZERO;
  const zpT = inits.get(zpName);
  if (!zpT) {
    notes.add(`zero point ${zpName} of ${node.opType} is computed, not stored: zeros of its weight counted as q == 0`);
    return ZERO;
  }
  const values = smallIntValues(zpT, product(zpT.dims));
  if (!values || values.length === 0) return ZERO;
  if (values.every((v) => v === values[0])) {
    const z = values[0];
    return z === 0 ? ZERO : { at: () => z };
  }
  let axis = slot.axis === 'attr' ? attrInt(node, 'axis', 1) : slot.axis;
  if (axis < 0) axis += dims.length;
  if (axis < 0 || axis >= dims.length || dims[axis] !== values.length) {
    notes.add(`zero point ${zpName} of ${node.opType} has a layout Odra does not read (blocked?): zeros of its weight counted as q == 0`);
    return ZERO;
  }
  const inner = product(dims.slice(axis + 1));
  const len = dims[axis];
  return { at: (i) => values[Math.floor(i / inner) % len] };
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
