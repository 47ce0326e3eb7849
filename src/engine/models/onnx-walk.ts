/**
 * A wire-level walk over an ONNX ModelProto with protobufjs's Reader: everything but
 * tensor contents is read into a small skeleton; tensor data stays where it is, as
 * views (subarrays) of the file's bytes or as EXTERNAL locations. Decoding a whole
 * model with the generated classes would copy every weight into JS arrays (3x the
 * file in memory and more); this keeps memory at the file's size plus the skeleton.
 *
 * Field numbers follow onnx/onnx.proto (IR v10). Unknown fields are skipped, known
 * fields with the wrong wire type are refused: a protobuf that merely parses is not
 * an ONNX model.
 */
import protobuf from 'protobufjs/minimal.js';
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;
type Reader = protobuf.Reader;

const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_BYTES = 2;
const WIRE_FIXED32 = 5;

/** Subgraphs nest through node attributes; real models stay far below this. */
const MAX_DEPTH = 64;

export class OnnxFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OnnxFormatError';
  }
}

/** A run of typed-field data: packed bytes, or one unpacked element. */
export interface FieldSegment {
  encoding: 'fixed32' | 'fixed64' | 'varint';
  bytes: Uint8Array;
}

export type TensorData =
  | { kind: 'raw'; bytes: Uint8Array }
  /** float_data / int32_data / int64_data / double_data / uint64_data, in file order */
  | { kind: 'fields'; field: number; segments: FieldSegment[] }
  | { kind: 'external'; location: string; offset: number; length: number | null }
  /** string_data: not numbers */
  | { kind: 'strings'; count: number }
  | { kind: 'empty' };

export interface TensorHeader {
  name: string;
  dataType: number;
  dims: number[];
  data: TensorData;
}

export interface SparseTensorHeader {
  dims: number[];
  values: TensorHeader | null;
}

export interface ValueInfo {
  name: string;
  type: onnxProto.onnx.ITypeProto | null;
}

export interface AttributeSkeleton {
  name: string;
  type: number;
  i: number | null;
  ints: number[];
  /** number of elements of the repeated `floats` field */
  floatCount: number;
  s: string | null;
  t: TensorHeader | null;
  tensors: TensorHeader[];
  graphs: GraphSkeleton[];
}

export interface NodeSkeleton {
  opType: string;
  domain: string;
  name: string;
  inputs: string[];
  outputs: string[];
  attributes: AttributeSkeleton[];
}

export interface GraphSkeleton {
  name: string;
  nodes: NodeSkeleton[];
  initializers: TensorHeader[];
  sparseInitializers: SparseTensorHeader[];
  inputs: ValueInfo[];
  outputs: ValueInfo[];
}

export interface ModelSkeleton {
  irVersion: number | null;
  producerName: string;
  producerVersion: string;
  opsetImports: { domain: string; version: number }[];
  metadata: Record<string, string>;
  graph: GraphSkeleton | null;
  functionCount: number;
}

/** protobufjs returns int64 as a number or as {low, high} (when the long package is present). */
type LongLike = number | { low: number; high: number; unsigned: boolean };

function longToNumber(v: LongLike): number {
  if (typeof v === 'number') return v;
  const high = v.unsigned ? v.high >>> 0 : v.high | 0;
  return high * 4294967296 + (v.low >>> 0);
}

const FIELD_NAMES: Readonly<Record<string, Readonly<Record<number, string>>>> = {
  ModelProto: { 1: 'ir_version', 2: 'producer_name', 3: 'producer_version', 7: 'graph', 8: 'opset_import', 14: 'metadata_props', 25: 'functions' },
  GraphProto: { 1: 'node', 2: 'name', 5: 'initializer', 11: 'input', 12: 'output', 15: 'sparse_initializer' },
  NodeProto: { 1: 'input', 2: 'output', 3: 'name', 4: 'op_type', 5: 'attribute', 7: 'domain' },
  AttributeProto: { 1: 'name', 3: 'i', 4: 's', 5: 't', 6: 'g', 7: 'floats', 8: 'ints', 10: 'tensors', 11: 'graphs', 20: 'type' },
  TensorProto: { 1: 'dims', 2: 'data_type', 8: 'name', 9: 'raw_data', 13: 'external_data', 14: 'data_location' },
};

function expectWire(message: string, field: number, got: number, ...allowed: number[]): void {
  if (!allowed.includes(got)) {
    const name = FIELD_NAMES[message]?.[field] ?? `#${field}`;
    throw new OnnxFormatError(`${message}.${name} (field ${field}) has wire type ${got}`);
  }
}

/** Reads a length prefix and returns the end offset, checked against the enclosing message. */
function messageEnd(r: Reader, parentEnd: number): number {
  const len = r.uint32();
  const end = r.pos + len;
  if (end > parentEnd) throw new OnnxFormatError(`a field of ${len} bytes at offset ${r.pos} runs past its message (ends at ${parentEnd})`);
  return end;
}

function bytesView(r: Reader, parentEnd: number): Uint8Array {
  const end = messageEnd(r, parentEnd);
  const view = r.buf.subarray(r.pos, end);
  r.pos = end;
  return view;
}

const utf8 = new TextDecoder('utf-8');

function stringField(r: Reader, parentEnd: number): string {
  return utf8.decode(bytesView(r, parentEnd));
}

function skip(r: Reader, wire: number, end: number): void {
  r.skipType(wire);
  if (r.pos > end) throw new OnnxFormatError(`a skipped field at offset ${r.pos} runs past its message`);
}

/** Repeated int64 that may be packed (wire 2) or not (wire 0). */
function readInt64s(r: Reader, wire: number, end: number, into: number[]): void {
  if (wire === WIRE_BYTES) {
    const e = messageEnd(r, end);
    while (r.pos < e) into.push(longToNumber(r.int64()));
    if (r.pos !== e) throw new OnnxFormatError('a packed varint list overruns its length');
  } else {
    into.push(longToNumber(r.int64()));
  }
}

function readStringPair(r: Reader, end: number): [string, string] {
  let key = '';
  let value = '';
  while (r.pos < end) {
    const tag = r.uint32();
    const field = tag >>> 3;
    const wire = tag & 7;
    if (field === 1 || field === 2) {
      expectWire('StringStringEntryProto', field, wire, WIRE_BYTES);
      if (field === 1) key = stringField(r, end);
      else value = stringField(r, end);
    } else skip(r, wire, end);
  }
  return [key, value];
}

const TYPED_FIELDS: Readonly<Record<number, FieldSegment['encoding']>> = {
  4: 'fixed32', // float_data
  5: 'varint', // int32_data
  7: 'varint', // int64_data
  10: 'fixed64', // double_data
  11: 'varint', // uint64_data
};

const SINGLE_WIRE: Readonly<Record<FieldSegment['encoding'], number>> = { fixed32: WIRE_FIXED32, fixed64: WIRE_FIXED64, varint: WIRE_VARINT };

function readTensor(r: Reader, end: number): TensorHeader {
  const t: TensorHeader = { name: '', dataType: 0, dims: [], data: { kind: 'empty' } };
  let raw: Uint8Array | null = null;
  let typed: { field: number; segments: FieldSegment[] } | null = null;
  let strings = 0;
  const external: Record<string, string> = {};
  let dataLocation = 0;
  while (r.pos < end) {
    const tag = r.uint32();
    const field = tag >>> 3;
    const wire = tag & 7;
    const encoding = TYPED_FIELDS[field];
    if (encoding) {
      if (typed && typed.field !== field) throw new OnnxFormatError(`tensor ${t.name || '(unnamed)'} stores data in two typed fields`);
      typed ??= { field, segments: [] };
      if (wire === WIRE_BYTES) {
        typed.segments.push({ encoding, bytes: bytesView(r, end) });
      } else {
        expectWire('TensorProto', field, wire, SINGLE_WIRE[encoding]);
        const start = r.pos;
        r.skipType(wire);
        if (r.pos > end) throw new OnnxFormatError('a tensor element runs past its message');
        typed.segments.push({ encoding, bytes: r.buf.subarray(start, r.pos) });
      }
      continue;
    }
    switch (field) {
      case 1:
        expectWire('TensorProto', field, wire, WIRE_VARINT, WIRE_BYTES);
        readInt64s(r, wire, end, t.dims);
        break;
      case 2:
        expectWire('TensorProto', field, wire, WIRE_VARINT);
        t.dataType = r.int32();
        break;
      case 6:
        expectWire('TensorProto', field, wire, WIRE_BYTES);
        bytesView(r, end);
        strings++;
        break;
      case 8:
        expectWire('TensorProto', field, wire, WIRE_BYTES);
        t.name = stringField(r, end);
        break;
      case 9:
        expectWire('TensorProto', field, wire, WIRE_BYTES);
        raw = bytesView(r, end);
        break;
      case 13: {
        expectWire('TensorProto', field, wire, WIRE_BYTES);
        const [k, v] = readStringPair(r, messageEnd(r, end));
        external[k] = v;
        break;
      }
      case 14:
        expectWire('TensorProto', field, wire, WIRE_VARINT);
        dataLocation = r.int32();
        break;
      default:
        skip(r, wire, end);
    }
  }
  for (const d of t.dims) {
    if (!Number.isSafeInteger(d) || d < 0) throw new OnnxFormatError(`tensor ${t.name || '(unnamed)'} has dimension ${d}`);
  }
  if (dataLocation === 1) {
    if (!external.location) throw new OnnxFormatError(`tensor ${t.name} is EXTERNAL without a location`);
    const offset = external.offset === undefined ? 0 : Number(external.offset);
    const length = external.length === undefined ? null : Number(external.length);
    if (!Number.isSafeInteger(offset) || offset < 0 || (length !== null && (!Number.isSafeInteger(length) || length < 0))) {
      throw new OnnxFormatError(`tensor ${t.name} has external offset '${external.offset}' / length '${external.length}'`);
    }
    t.data = { kind: 'external', location: external.location, offset, length };
  } else if (raw) {
    t.data = { kind: 'raw', bytes: raw };
  } else if (typed) {
    t.data = { kind: 'fields', ...typed };
  } else if (strings > 0) {
    t.data = { kind: 'strings', count: strings };
  }
  return t;
}

function readSparseTensor(r: Reader, end: number): SparseTensorHeader {
  const s: SparseTensorHeader = { dims: [], values: null };
  while (r.pos < end) {
    const tag = r.uint32();
    const field = tag >>> 3;
    const wire = tag & 7;
    if (field === 1) {
      expectWire('SparseTensorProto', field, wire, WIRE_BYTES);
      s.values = readTensor(r, messageEnd(r, end));
    } else if (field === 3) {
      expectWire('SparseTensorProto', field, wire, WIRE_VARINT, WIRE_BYTES);
      readInt64s(r, wire, end, s.dims);
    } else skip(r, wire, end);
  }
  return s;
}

function readAttribute(r: Reader, end: number, depth: number): AttributeSkeleton {
  const a: AttributeSkeleton = { name: '', type: 0, i: null, ints: [], floatCount: 0, s: null, t: null, tensors: [], graphs: [] };
  while (r.pos < end) {
    const tag = r.uint32();
    const field = tag >>> 3;
    const wire = tag & 7;
    switch (field) {
      case 1:
        expectWire('AttributeProto', field, wire, WIRE_BYTES);
        a.name = stringField(r, end);
        break;
      case 3:
        expectWire('AttributeProto', field, wire, WIRE_VARINT);
        a.i = longToNumber(r.int64());
        break;
      case 4: {
        expectWire('AttributeProto', field, wire, WIRE_BYTES);
        const bytes = bytesView(r, end);
        // Short strings only (auto_pad, mode, ...): large blobs are kept out of the skeleton.
        a.s = bytes.length <= 4096 ? utf8.decode(bytes) : null;
        break;
      }
      case 5:
        expectWire('AttributeProto', field, wire, WIRE_BYTES);
        a.t = readTensor(r, messageEnd(r, end));
        break;
      case 6:
        expectWire('AttributeProto', field, wire, WIRE_BYTES);
        a.graphs.push(readGraph(r, messageEnd(r, end), depth + 1));
        break;
      case 7:
        expectWire('AttributeProto', field, wire, WIRE_FIXED32, WIRE_BYTES);
        if (wire === WIRE_BYTES) a.floatCount += bytesView(r, end).length / 4;
        else {
          skip(r, wire, end);
          a.floatCount++;
        }
        break;
      case 8:
        expectWire('AttributeProto', field, wire, WIRE_VARINT, WIRE_BYTES);
        readInt64s(r, wire, end, a.ints);
        break;
      case 10:
        expectWire('AttributeProto', field, wire, WIRE_BYTES);
        a.tensors.push(readTensor(r, messageEnd(r, end)));
        break;
      case 11:
        expectWire('AttributeProto', field, wire, WIRE_BYTES);
        a.graphs.push(readGraph(r, messageEnd(r, end), depth + 1));
        break;
      case 20:
        expectWire('AttributeProto', field, wire, WIRE_VARINT);
        a.type = r.int32();
        break;
      default:
        skip(r, wire, end);
    }
  }
  return a;
}

function readNode(r: Reader, end: number, depth: number): NodeSkeleton {
  const n: NodeSkeleton = { opType: '', domain: '', name: '', inputs: [], outputs: [], attributes: [] };
  while (r.pos < end) {
    const tag = r.uint32();
    const field = tag >>> 3;
    const wire = tag & 7;
    switch (field) {
      case 1:
        expectWire('NodeProto', field, wire, WIRE_BYTES);
        n.inputs.push(stringField(r, end));
        break;
      case 2:
        expectWire('NodeProto', field, wire, WIRE_BYTES);
        n.outputs.push(stringField(r, end));
        break;
      case 3:
        expectWire('NodeProto', field, wire, WIRE_BYTES);
        n.name = stringField(r, end);
        break;
      case 4:
        expectWire('NodeProto', field, wire, WIRE_BYTES);
        n.opType = stringField(r, end);
        break;
      case 5:
        expectWire('NodeProto', field, wire, WIRE_BYTES);
        n.attributes.push(readAttribute(r, messageEnd(r, end), depth));
        break;
      case 7:
        expectWire('NodeProto', field, wire, WIRE_BYTES);
        n.domain = stringField(r, end);
        break;
      default:
        skip(r, wire, end);
    }
  }
  if (!n.opType) throw new OnnxFormatError(`a node${n.name ? ` (${n.name})` : ''} has no op_type`);
  return n;
}

function readValueInfo(r: Reader, end: number): ValueInfo {
  const len = end - r.pos;
  const v = onnx.ValueInfoProto.decode(r, len);
  if (r.pos !== end) throw new OnnxFormatError('a ValueInfoProto overruns its length');
  return { name: v.name ?? '', type: v.type ?? null };
}

function readGraph(r: Reader, end: number, depth: number): GraphSkeleton {
  if (depth > MAX_DEPTH) throw new OnnxFormatError(`subgraphs nested deeper than ${MAX_DEPTH}`);
  const g: GraphSkeleton = { name: '', nodes: [], initializers: [], sparseInitializers: [], inputs: [], outputs: [] };
  while (r.pos < end) {
    const tag = r.uint32();
    const field = tag >>> 3;
    const wire = tag & 7;
    switch (field) {
      case 1:
        expectWire('GraphProto', field, wire, WIRE_BYTES);
        g.nodes.push(readNode(r, messageEnd(r, end), depth));
        break;
      case 2:
        expectWire('GraphProto', field, wire, WIRE_BYTES);
        g.name = stringField(r, end);
        break;
      case 5:
        expectWire('GraphProto', field, wire, WIRE_BYTES);
        g.initializers.push(readTensor(r, messageEnd(r, end)));
        break;
      case 11:
        expectWire('GraphProto', field, wire, WIRE_BYTES);
        g.inputs.push(readValueInfo(r, messageEnd(r, end)));
        break;
      case 12:
        expectWire('GraphProto', field, wire, WIRE_BYTES);
        g.outputs.push(readValueInfo(r, messageEnd(r, end)));
        break;
      case 15:
        expectWire('GraphProto', field, wire, WIRE_BYTES);
        g.sparseInitializers.push(readSparseTensor(r, messageEnd(r, end)));
        break;
      default:
        skip(r, wire, end);
    }
  }
  return g;
}

function readModel(r: Reader, end: number): ModelSkeleton {
  const m: ModelSkeleton = { irVersion: null, producerName: '', producerVersion: '', opsetImports: [], metadata: {}, graph: null, functionCount: 0 };
  while (r.pos < end) {
    const tag = r.uint32();
    const field = tag >>> 3;
    const wire = tag & 7;
    if (field === 0) throw new OnnxFormatError(`field number 0 at offset ${r.pos}`);
    switch (field) {
      case 1:
        expectWire('ModelProto', field, wire, WIRE_VARINT);
        m.irVersion = longToNumber(r.int64());
        break;
      case 2:
        expectWire('ModelProto', field, wire, WIRE_BYTES);
        m.producerName = stringField(r, end);
        break;
      case 3:
        expectWire('ModelProto', field, wire, WIRE_BYTES);
        m.producerVersion = stringField(r, end);
        break;
      case 4:
      case 6:
        expectWire('ModelProto', field, wire, WIRE_BYTES);
        bytesView(r, end);
        break;
      case 5:
        expectWire('ModelProto', field, wire, WIRE_VARINT);
        r.int64();
        break;
      case 7:
        expectWire('ModelProto', field, wire, WIRE_BYTES);
        if (m.graph) throw new OnnxFormatError('two graphs in one model');
        m.graph = readGraph(r, messageEnd(r, end), 0);
        break;
      case 8: {
        expectWire('ModelProto', field, wire, WIRE_BYTES);
        const e = messageEnd(r, end);
        let domain = '';
        let version = 0;
        while (r.pos < e) {
          const t = r.uint32();
          const f = t >>> 3;
          const w = t & 7;
          if (f === 1) {
            expectWire('OperatorSetIdProto', f, w, WIRE_BYTES);
            domain = stringField(r, e);
          } else if (f === 2) {
            expectWire('OperatorSetIdProto', f, w, WIRE_VARINT);
            version = longToNumber(r.int64());
          } else skip(r, w, e);
        }
        m.opsetImports.push({ domain, version });
        break;
      }
      case 14: {
        expectWire('ModelProto', field, wire, WIRE_BYTES);
        const [k, v] = readStringPair(r, messageEnd(r, end));
        if (k) m.metadata[k] = v;
        break;
      }
      case 25:
        expectWire('ModelProto', field, wire, WIRE_BYTES);
        bytesView(r, end);
        m.functionCount++;
        break;
      default:
        skip(r, wire, end);
    }
  }
  return m;
}

/**
 * Walks a serialized ModelProto. Throws OnnxFormatError (with what was wrong) for
 * bytes that are not an ONNX model: truncated, garbage, another protobuf message,
 * or no graph. The returned skeleton's tensor views point into `bytes`.
 */
export function walkModel(bytes: Uint8Array): ModelSkeleton {
  if (bytes.length === 0) throw new OnnxFormatError('the file is empty');
  const r = protobuf.Reader.create(bytes);
  let model: ModelSkeleton;
  try {
    model = readModel(r, bytes.length);
  } catch (err) {
    if (err instanceof OnnxFormatError) throw err;
    // protobufjs: RangeError "index out of range" on truncation, Error "invalid wire type" on garbage.
    const why = err instanceof Error ? err.message : String(err);
    throw new OnnxFormatError(`protobuf decode failed at offset ${r.pos} of ${bytes.length}: ${why}`);
  }
  if (!model.graph) throw new OnnxFormatError('no graph');
  if (model.irVersion === null || model.irVersion < 1) throw new OnnxFormatError('no ir_version');
  // IR 3 made opset_import mandatory; a file cut after its graph loses it.
  if (model.irVersion >= 3 && model.opsetImports.length === 0) throw new OnnxFormatError('no opset_import (truncated?)');
  return model;
}

/** Every graph of the model: the main graph first, then subgraphs depth-first. */
export function allGraphs(model: ModelSkeleton): GraphSkeleton[] {
  const out: GraphSkeleton[] = [];
  const visit = (g: GraphSkeleton): void => {
    out.push(g);
    for (const n of g.nodes) for (const a of n.attributes) for (const sub of a.graphs) visit(sub);
  };
  if (model.graph) visit(model.graph);
  return out;
}
