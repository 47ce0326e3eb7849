/**
 * The compression fingerprint on graphs built here with known contents: a pruned
 * model, QDQ / QOperator / integer quantization, fp16 weights in raw and typed fields,
 * external data, subgraphs; and corrupted files, which must each be a BAD_INPUT naming
 * the file (never a crash or a hang).
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import protobuf from 'protobufjs/minimal.js';
import onnxProto from 'onnx-proto';
import { describe, expect, it } from 'vitest';
import { fingerprintModel } from '../../../../src/engine/models/fingerprint/model-fingerprint';
import { inspectModelIO } from '../../../../src/engine/models/inspect-io';
import { OdraError } from '../../../../src/shared/errors';
import { toHalfBits } from '../../../../src/engine/inference/float16';
import {
  DT,
  encodeModel,
  float32Bytes,
  graphAttr,
  int64Tensor,
  intAttr,
  modelProto,
  node,
  rawTensor,
  tensorAttr,
  valueInfo,
  writeModel,
} from '../../../helpers/onnx-builder';
import { sharedPath } from '../../../helpers/shared';

const { onnx } = onnxProto;

const f32 = (name: string, dims: number[], values: ArrayLike<number>) => rawTensor(name, DT.FLOAT, dims, float32Bytes(values));
const u8 = (name: string, dims: number[], values: number[]) => rawTensor(name, DT.UINT8, dims, Uint8Array.from(values));
const i8 = (name: string, dims: number[], values: number[]) => rawTensor(name, DT.INT8, dims, new Uint8Array(Int8Array.from(values).buffer));
const u16 = (name: string, type: number, dims: number[], bits: number[]) => rawTensor(name, type, dims, new Uint8Array(Uint16Array.from(bits).buffer));

function fill(n: number, f: (i: number) => number): number[] {
  return Array.from({ length: n }, (_, i) => f(i));
}

const X = valueInfo('X', DT.FLOAT, [1, 3, 8, 8]);
const Y = (name = 'Y') => valueInfo(name, DT.FLOAT, []);

describe('fingerprintModel', () => {
  it('counts zero weights and all-zero output channels of Conv, grouped ConvTranspose, Gemm (transB) and MatMul', async () => {
    // Conv [4, 3, 3, 3]: channels 1 and 3 zeroed (pruned), 5 scattered zeros in channel 0
    const conv = fill(108, (i) => {
      const ch = Math.floor(i / 27);
      return ch === 1 || ch === 3 || i < 5 ? 0 : 1 + i * 0.01;
    });
    // ConvTranspose [C=4, M/g=2, 2, 2], group 2: output channel 3 = group 1 (c 2..3), j = 1
    const convT = fill(32, (i) => {
      const c = Math.floor(i / 8);
      const j = Math.floor(i / 4) % 2;
      return (c >= 2 && j === 1) || i === 0 ? 0 : 0.5;
    });
    const gemmB = fill(20, (i) => (Math.floor(i / 4) === 2 ? 0 : 2)); // [5, 4], transB: row 2
    const mmB = fill(24, (i) => (i % 6 === 5 ? 0 : 3)); // [4, 6]: column 5
    const model = modelProto({
      name: 'pruned',
      input: [X],
      output: [Y()],
      initializer: [
        f32('conv_w', [4, 3, 3, 3], conv),
        f32('conv_b', [4], [1, 1, 1, 1]),
        f32('convT_w', [4, 2, 2, 2], convT),
        { name: 'gemm_b', dims: [5, 4], dataType: DT.FLOAT, floatData: gemmB },
        f32('mm_b', [4, 6], mmB),
        f32('scale', [], [0]),
        int64Tensor('shape', [1, -1]),
      ],
      node: [
        node('Conv', ['X', 'conv_w', 'conv_b'], ['c1']),
        node('ConvTranspose', ['c1', 'convT_w'], ['t1'], [intAttr('group', 2)]),
        node('GlobalAveragePool', ['t1'], ['p']),
        node('Flatten', ['p'], ['f']),
        node('Gemm', ['f', 'gemm_b'], ['g'], [intAttr('transB', 1)]),
        node('MatMul', ['f', 'mm_b'], ['m']),
        node('Mul', ['m', 'scale'], ['ms']),
        node('Reshape', ['g', 'shape'], ['Y']),
      ],
    });
    const fp = await fingerprintModel(await writeModel(model));
    expect(fp.parameterCount).toBe(108 + 4 + 32 + 20 + 24 + 1 + 2);
    expect(fp.initializerCount).toBe(7);
    expect(fp.weights).toEqual({ tensors: 6, elements: 189, zeros: 59 + 9 + 4 + 4 + 1, zeroShare: 77 / 189 });
    expect(fp.channels).toEqual({
      layers: 4,
      channels: 4 + 4 + 5 + 6,
      zeroChannels: 5,
      zeroShare: 5 / 19,
      prunedLayers: [
        { weight: 'conv_w', op: 'Conv', channels: 4, zeroChannels: 2 },
        { weight: 'convT_w', op: 'ConvTranspose', channels: 4, zeroChannels: 1 },
        { weight: 'gemm_b', op: 'Gemm', channels: 5, zeroChannels: 1 },
        { weight: 'mm_b', op: 'MatMul', channels: 6, zeroChannels: 1 },
      ],
    });
    expect(fp.nodeCount).toBe(8);
    expect(fp.opHistogram).toEqual({ Conv: 1, ConvTranspose: 1, Flatten: 1, Gemm: 1, GlobalAveragePool: 1, MatMul: 1, Mul: 1, Reshape: 1 });
    expect(fp.quantization).toEqual({ schemes: [], ops: {} });
    expect(fp.precision).toEqual({ float32: { tensors: 6, elements: 189, bytes: 756 } });
    expect(fp).toMatchObject({ opset: 13, opsets: { '': 13 }, irVersion: 8, producer: 'odra-test 1', subgraphCount: 0 });
  });

  it('reads a QDQ model: quantized weights are zero where q equals the zero point (scalar and per-axis)', async () => {
    const model = modelProto({
      name: 'qdq',
      input: [valueInfo('X', DT.FLOAT, [1, 3, 1, 1])],
      output: [Y()],
      initializer: [
        f32('x_scale', [], [0.1]),
        u8('x_zp', [], [128]),
        // Conv weight [4, 3, 1, 1] int8, symmetric per channel: channel 2 is all zero, one more zero in channel 0
        i8('w_q', [4, 3, 1, 1], [0, 5, -3, 7, 7, 7, 0, 0, 0, -1, 2, -2]),
        f32('w_scale', [4], [0.1, 0.2, 0.3, 0.4]),
        i8('w_zp', [4], [0, 0, 0, 0]),
        // MatMul B [4, 3] uint8 with zero point 128: column 1 all 128 (zero), one more 128
        u8('m_q', [4, 3], [128, 128, 200, 1, 128, 3, 250, 128, 9, 10, 128, 11]),
        f32('m_scale', [], [0.5]),
        u8('m_zp', [], [128]),
        // per-axis zero points along axis 0: row 0 zp 10, row 1 zp 20
        u8('p_q', [2, 3], [10, 11, 10, 20, 20, 5]),
        f32('p_scale', [2], [1, 1]),
        u8('p_zp', [2], [10, 20]),
      ],
      node: [
        node('QuantizeLinear', ['X', 'x_scale', 'x_zp'], ['xq']),
        node('DequantizeLinear', ['xq', 'x_scale', 'x_zp'], ['xd']),
        node('DequantizeLinear', ['w_q', 'w_scale', 'w_zp'], ['wd'], [intAttr('axis', 0)]),
        node('Conv', ['xd', 'wd'], ['c']),
        node('Flatten', ['c'], ['f']),
        node('DequantizeLinear', ['m_q', 'm_scale', 'm_zp'], ['md']),
        node('MatMul', ['f', 'md'], ['m']),
        node('DequantizeLinear', ['p_q', 'p_scale', 'p_zp'], ['pd'], [intAttr('axis', 0)]),
        node('Add', ['m', 'pd'], ['Y']),
      ],
    });
    const fp = await fingerprintModel(await writeModel(model));
    expect(fp.quantization).toEqual({ schemes: ['qdq'], ops: { DequantizeLinear: 4, QuantizeLinear: 1 } });
    // scales and zero points are quantization parameters, not weights
    expect(fp.weights).toEqual({ tensors: 3, elements: 30, zeros: 4 + 5 + 4, zeroShare: 13 / 30 });
    expect(fp.precision).toEqual({ uint8: { tensors: 2, elements: 18, bytes: 18 }, int8: { tensors: 1, elements: 12, bytes: 12 } });
    expect(fp.channels).toMatchObject({ layers: 2, channels: 4 + 3, zeroChannels: 2 });
    expect(fp.channels.prunedLayers.map((l) => [l.weight, l.op, l.zeroChannels])).toEqual([
      ['w_q', 'Conv', 1],
      ['m_q', 'MatMul', 1],
    ]);
    expect(fp.parameterCount).toBe(1 + 1 + 12 + 4 + 4 + 12 + 1 + 1 + 6 + 2 + 2);
  });

  it('names QOperator, integer and dynamic quantization, com.microsoft ops included', async () => {
    const model = modelProto(
      {
        name: 'qop',
        input: [valueInfo('X', DT.UINT8, [1, 1, 2, 2])],
        output: [Y()],
        initializer: [
          f32('s', [], [0.1]),
          u8('zp', [], [0]),
          i8('w', [2, 1, 1, 1], [0, 0]),
          i8('wzp', [], [0]),
          rawTensor('bias', DT.INT32, [2], new Uint8Array(Int32Array.from([0, 7]).buffer)),
          u8('b', [4, 2], [1, 2, 3, 4, 5, 6, 7, 8]),
          u8('cw', [1, 1, 1, 1], [3]),
        ],
        node: [
          node('QLinearConv', ['X', 's', 'zp', 'w', 's', 'wzp', 's', 'zp', 'bias'], ['qc']),
          node('QLinearSigmoid', ['qc', 's', 'zp', 's', 'zp'], ['qs'], [], 'com.microsoft'),
          node('DequantizeLinear', ['qs', 's', 'zp'], ['d']),
          node('Flatten', ['d'], ['fl']),
          node('DynamicQuantizeLinear', ['fl'], ['q', 'qscale', 'qzp']),
          node('MatMulInteger', ['q', 'b', 'qzp', 'zp'], ['mi']),
          node('ConvInteger', ['X', 'cw', 'zp', 'zp'], ['Y']),
        ],
      },
      13,
      [{ domain: 'com.microsoft', version: 1 }],
    );
    const fp = await fingerprintModel(await writeModel(model));
    expect(fp.quantization.schemes).toEqual(['weight-only', 'qoperator', 'integer', 'dynamic']);
    expect(fp.quantization.ops).toEqual({
      ConvInteger: 1,
      DequantizeLinear: 1,
      DynamicQuantizeLinear: 1,
      MatMulInteger: 1,
      QLinearConv: 1,
      'com.microsoft.QLinearSigmoid': 1,
    });
    expect(fp.opHistogram['com.microsoft.QLinearSigmoid']).toBe(1);
    expect(fp.opsets).toEqual({ '': 13, 'com.microsoft': 1 });
    // QLinearConv's weight (2 zeros) and int32 bias (1 zero), MatMulInteger's B, ConvInteger's weight
    expect(fp.precision).toEqual({
      uint8: { tensors: 2, elements: 9, bytes: 9 },
      int8: { tensors: 1, elements: 2, bytes: 2 },
      int32: { tensors: 1, elements: 2, bytes: 8 },
    });
    expect(fp.weights.zeros).toBe(3);
    expect(fp.channels).toMatchObject({ layers: 3, channels: 2 + 2 + 1, zeroChannels: 2 });
  });

  it('reads fp16/bf16 weights in raw_data and in int32_data, and unpacked float_data (both zeros: +0 and -0)', async () => {
    const half = [1, 0, -0, 0.5, 2 ** -24, Infinity, 1, 1].map(toHalfBits);
    expect(half[2]).toBe(0x8000);
    const graph: onnxProto.onnx.IGraphProto = {
      name: 'fp16',
      input: [valueInfo('X', DT.FLOAT16, [8])],
      output: [Y()],
      initializer: [
        u16('h_raw', DT.FLOAT16, [8], half),
        { name: 'h_typed', dims: [4], dataType: DT.FLOAT16, int32Data: [0x3c00, 0, 0x4000, 0x8000] },
        u16('b_raw', DT.BFLOAT16, [2], [0x3f80, 0x0000]),
      ],
      node: [node('Add', ['X', 'h_raw'], ['a']), node('Mul', ['a', 'h_typed'], ['Y'])],
    };
    // An unpacked float_data tensor with unpacked dims, as proto2 writers emit them.
    const w = protobuf.Writer.create();
    w.uint32((1 << 3) | 0).int64(3);
    w.uint32((2 << 3) | 0).int32(DT.FLOAT);
    for (const v of [0, 1, -0]) w.uint32((4 << 3) | 5).float(v);
    w.uint32((8 << 3) | 2).string('f_unpacked');
    const tensor = w.finish();
    const g = protobuf.Writer.create();
    g.uint32((5 << 3) | 2).bytes(tensor);
    const graphBytes = Buffer.concat([onnx.GraphProto.encode(onnx.GraphProto.create(graph)).finish(), g.finish()]);
    const m = protobuf.Writer.create();
    m.uint32((7 << 3) | 2).bytes(graphBytes);
    const bytes = Buffer.concat([encodeModel({ ...modelProto({}), graph: undefined }), m.finish()]);
    const fp = await fingerprintModel(await writeModel(bytes));
    expect(fp.precision).toEqual({
      float16: { tensors: 2, elements: 12, bytes: 24 },
      float32: { tensors: 1, elements: 3, bytes: 12 },
      bfloat16: { tensors: 1, elements: 2, bytes: 4 },
    });
    expect(fp.weights).toMatchObject({ tensors: 4, elements: 17, zeros: 2 + 2 + 1 + 2 });
    expect(fp.parameterCount).toBe(17);
  });

  it('streams EXTERNAL data files (several chunks), relative to the model, with and without a length', async () => {
    const conv = fill(108, (i) => (Math.floor(i / 27) === 2 ? 0 : 1));
    const big = Float32Array.from(fill(300_001, (i) => (i % 1000 === 0 ? 0 : i)));
    const head = new Uint8Array(16).fill(7);
    const convBytes = float32Bytes(conv);
    const data = Buffer.concat([head, convBytes, new Uint8Array(big.buffer)]);
    const ext = (name: string, dims: number[], entries: [string, string][]): onnxProto.onnx.ITensorProto => ({
      name,
      dims,
      dataType: DT.FLOAT,
      dataLocation: onnx.TensorProto.DataLocation.EXTERNAL,
      externalData: entries.map(([key, value]) => ({ key, value })),
    });
    const make = (convEntries: [string, string][]) =>
      modelProto({
        name: 'external',
        input: [X],
        output: [Y()],
        initializer: [
          ext('conv_w', [4, 3, 3, 3], convEntries),
          ext('big', [300_001], [['location', 'weights.bin'], ['offset', String(16 + 432)]]),
        ],
        node: [node('Conv', ['X', 'conv_w'], ['c']), node('Add', ['c', 'big'], ['Y'])],
      });
    const file = await writeModel(make([['location', 'weights.bin'], ['offset', '16'], ['length', '432']]), { 'weights.bin': data });
    const fp = await fingerprintModel(file);
    expect(fp.externalData).toEqual({ files: ['weights.bin'], bytes: data.length });
    expect(fp.parameterCount).toBe(108 + 300_001);
    expect(fp.weights).toMatchObject({ tensors: 2, elements: 300_109, zeros: 27 + 301 });
    expect(fp.channels).toMatchObject({ layers: 1, channels: 4, zeroChannels: 1 });
    expect(fp.fileSize).toBe((await readFile(file)).length);

    const bad = async (entries: [string, string][], files: Record<string, Uint8Array>, why: RegExp) => {
      const f = await writeModel(make(entries), files);
      const err = await fingerprintModel(f).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(OdraError);
      expect((err as OdraError).code).toBe('BAD_INPUT');
      expect((err as OdraError).message).toContain(f);
      expect((err as OdraError).message).toMatch(why);
    };
    await bad([['location', 'missing.bin']], { 'weights.bin': data }, /conv_w: external data file 'missing.bin' not found/);
    await bad([['location', '../weights.bin']], { 'weights.bin': data }, /outside the model's folder/);
    await bad([['location', 'weights.bin'], ['offset', String(data.length - 100)], ['length', '432']], { 'weights.bin': data }, /past the end/);
    await bad([['location', 'weights.bin'], ['offset', '16'], ['length', '400']], { 'weights.bin': data }, /has 400 bytes, needs 432/);
  });

  it('counts nodes and weights inside If / Loop subgraphs, and Constant nodes', async () => {
    const body: onnxProto.onnx.IGraphProto = {
      name: 'body',
      input: [valueInfo('i', DT.INT64, []), valueInfo('cond_in', DT.BOOL, []), valueInfo('acc', DT.FLOAT, [1])],
      output: [valueInfo('cond_out', DT.BOOL, []), valueInfo('acc_out', DT.FLOAT, [1])],
      initializer: [f32('body_w', [1], [0])],
      node: [node('Identity', ['cond_in'], ['cond_out']), node('Mul', ['acc', 'body_w'], ['acc_out'])],
    };
    const thenBranch: onnxProto.onnx.IGraphProto = {
      name: 'then',
      output: [valueInfo('out_then', DT.FLOAT, [3])],
      initializer: [f32('t_w', [3], [1, 0, 2])],
      node: [node('Constant', [], ['k'], [tensorAttr('value', f32('kv', [2], [4, 5]))]), node('Add', ['X', 't_w'], ['out_then'])],
    };
    const elseBranch: onnxProto.onnx.IGraphProto = {
      name: 'else',
      output: [valueInfo('out_else', DT.FLOAT, [1])],
      node: [node('Loop', ['', '', 'X'], ['out_else'], [graphAttr('body', body)])],
    };
    const model = modelProto({
      name: 'control',
      input: [valueInfo('X', DT.FLOAT, [1]), valueInfo('cond', DT.BOOL, [])],
      output: [Y()],
      node: [node('If', ['cond'], ['Y'], [graphAttr('then_branch', thenBranch), graphAttr('else_branch', elseBranch)])],
    });
    const fp = await fingerprintModel(await writeModel(model));
    expect(fp.opHistogram).toEqual({ Add: 1, Constant: 1, Identity: 1, If: 1, Loop: 1, Mul: 1 });
    expect(fp.nodeCount).toBe(6);
    expect(fp.subgraphCount).toBe(3);
    expect(fp.parameterCount).toBe(4);
    expect(fp.constantNodes).toEqual({ count: 1, elements: 2 });
    expect(fp.weights).toMatchObject({ tensors: 2, elements: 4, zeros: 2 });
  });

  it('refuses a tensor whose raw_data does not fit its dims', async () => {
    const file = await writeModel(modelProto({ name: 'g', input: [X], output: [Y()], initializer: [rawTensor('w', DT.FLOAT, [4], new Uint8Array(12))], node: [node('Add', ['X', 'w'], ['Y'])] }));
    await expect(fingerprintModel(file)).rejects.toThrow(/tensor w \(float32 \[4\]\) has 12 bytes of raw_data, needs 16/);
  });
});

describe('corrupted model files', () => {
  async function expectBadInput(file: string, why?: RegExp): Promise<void> {
    for (const run of [() => fingerprintModel(file), () => inspectModelIO(file)]) {
      const err = await run().then(
        () => null,
        (e: unknown) => e,
      );
      expect(err, `${path.basename(file)} was accepted`).not.toBeNull();
      expect((err as Error).message).toContain(file);
      if (why) expect((err as Error).message).toMatch(why);
    }
    const err = await fingerprintModel(file).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OdraError);
    expect((err as OdraError).code).toBe('BAD_INPUT');
  }

  it('rejects garbage, text, JSON and an empty file', async () => {
    let seed = 12345;
    const random = new Uint8Array(1 << 16).map(() => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return seed >>> 24;
    });
    await expectBadInput(await writeModel(random, {}, 'garbage.onnx'));
    await expectBadInput(await writeModel(new TextEncoder().encode('this is not protobuf at all, just text\n'), {}, 'text.onnx'));
    await expectBadInput(await writeModel(new TextEncoder().encode('{"graph": {"node": []}}'), {}, 'json.onnx'));
    await expectBadInput(await writeModel(new Uint8Array(0), {}, 'empty.onnx'), /empty/);
  });

  it('rejects valid protobuf messages that are not models', async () => {
    const tensor = onnx.TensorProto.encode(onnx.TensorProto.create({ name: 'w', dims: [2, 2], dataType: DT.FLOAT, floatData: [1, 2, 3, 4] })).finish();
    const graph = onnx.GraphProto.encode(onnx.GraphProto.create({ name: 'g', node: [{ opType: 'Relu', input: ['x'], output: ['y'] }] })).finish();
    const pair = onnx.StringStringEntryProto.encode(onnx.StringStringEntryProto.create({ key: 'a', value: 'b' })).finish();
    const noGraph = encodeModel({ irVersion: 8, producerName: 'x', opsetImport: [{ domain: '', version: 13 }] });
    await expectBadInput(await writeModel(tensor, {}, 'tensor.onnx'));
    await expectBadInput(await writeModel(graph, {}, 'graph.onnx'));
    await expectBadInput(await writeModel(pair, {}, 'pair.onnx'));
    await expectBadInput(await writeModel(noGraph, {}, 'nograph.onnx'), /not an ONNX model/);
  });

  it('rejects a real model cut at any of several lengths', async () => {
    const bytes = await readFile(sharedPath('data/models/yolox_nano/yolox_nano.onnx'));
    const n = bytes.length;
    // 22: just after the graph's tag and length; n - 6: exactly the end of the graph (opset_import lost)
    const cuts = [1, 2, 10, 22, 100, 1000, 4096, Math.floor(n / 3), Math.floor(n / 2), n - 1000, n - 6, n - 3, n - 1];
    for (const cut of cuts) {
      const file = await writeModel(bytes.subarray(0, cut), {}, `cut_${cut}.onnx`);
      await expectBadInput(file);
    }
    const whole = await writeModel(bytes, {}, 'whole.onnx');
    await writeFile(whole, bytes);
    expect((await fingerprintModel(whole)).parameterCount).toBe(904_481);
  });
});
