/**
 * Tensor scanning for the fingerprint: counts a weight's exactly-zero elements (floats:
 * +0 or -0; quantized integers: equal to the zero point) and, given a channel layout,
 * its all-zero output channels, wherever the tensor's bytes lie: raw_data and packed
 * typed fields as views of the file's bytes, EXTERNAL data read in 1 MiB chunks. Never
 * decodes a whole tensor into a JS array, so memory stays at the file's size.
 *
 * Also checks every tensor's stored size against its dims (a truncated or padded
 * tensor is an OnnxFormatError naming it) and that external data stays inside the
 * model's folder. Element types: ONNX TensorProto.DataType codes (onnx/onnx.proto).
 */
import { open, stat } from 'node:fs/promises';
import path from 'node:path';
import protobuf from 'protobufjs/minimal.js';
import { elementTypeName } from '../inspect-io';
import { OnnxFormatError, type TensorHeader } from '../onnx-walk';
import type { ChannelLayout } from './channel-layouts';

// TensorProto.DataType codes
export const T = {
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
export const ELEMENT_BYTES: Readonly<Record<number, number>> = {
  1: 4, 2: 1, 3: 1, 4: 2, 5: 2, 6: 4, 7: 8, 9: 1, 10: 2, 11: 8, 12: 4, 13: 8, 14: 8, 15: 16, 16: 2, 17: 1, 18: 1, 19: 1, 20: 1, 21: 0.5, 22: 0.5,
};

export const FLOAT_TYPES: ReadonlySet<number> = new Set([T.FLOAT, T.FLOAT16, T.DOUBLE, T.BFLOAT16, T.F8E4M3FN, T.F8E4M3FNUZ, T.F8E5M2, T.F8E5M2FNUZ]);
export const QUANT_INT_TYPES: ReadonlySet<number> = new Set([T.UINT8, T.INT8, T.UINT16, T.INT16, T.INT32, T.UINT4, T.INT4]);

/** Elements decoded per step; also the external-data read size divided by element size. */
const CHUNK_ELEMENTS = 1 << 16;
const EXTERNAL_CHUNK_BYTES = 1 << 20;

export function product(dims: readonly number[]): number {
  return dims.reduce((a, b) => a * b, 1);
}

export function storageBytes(dataType: number, elements: number): number {
  const per = ELEMENT_BYTES[dataType];
  if (per === undefined) return 0;
  return per === 0.5 ? Math.ceil(elements / 2) : elements * per;
}

// ---- element decoding ---------------------------------------------------------------------

/**
 * Decodes `count` elements starting at byte `offset` of `bytes` into `out` as numbers
 * whose only use is the zero test: floats become 0 (exactly zero, either sign) or 1,
 * integers their value (compared with the zero point).
 */
export function decodeRaw(dataType: number, bytes: Uint8Array, byteOffset: number, firstElement: number, count: number, out: Float64Array): void {
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
export function fromInt32Field(dataType: number, v: number): number {
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

export interface ZeroPoint {
  /** zero point of element i */
  at: (i: number) => number;
}

export const ZERO: ZeroPoint = { at: () => 0 };

export interface ScanResult {
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

export interface ExternalFiles {
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
export async function checkStorage(t: TensorHeader, elements: number, ext: ExternalFiles): Promise<{ file: string; offset: number; bytes: number } | null> {
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

export async function scanTensor(t: TensorHeader, elements: number, zp: ZeroPoint, layout: ChannelLayout | null, external: { file: string; offset: number; bytes: number } | null): Promise<ScanResult> {
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
export function smallIntValues(t: TensorHeader, elements: number): number[] | null {
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
