/**
 * `odra inspect --json` on the real models against the "Counted from the file(s)"
 * sections of their MODEL.md: parameter count (sum of initializer elements), float
 * weights exactly zero, opset, node count and op histogram.
 *
 * NanoDet's MODEL.md lists 12 op types summing to 249 of its 253 nodes: it leaves out
 * MaxPool 1 and Unsqueeze 3 (the files have them; its node total counts them). The
 * listed counts are checked exactly and the 4 unlisted nodes by name.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { inspectCommand, type InspectReport } from '../../../src/cli/commands/inspect';
import { sharedPath } from '../../helpers/shared';

async function inspectJson(file: string): Promise<InspectReport> {
  let out = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += typeof chunk === 'string' ? chunk : new TextDecoder().decode(chunk);
    return true;
  });
  try {
    await inspectCommand([file, '--json']);
  } finally {
    spy.mockRestore();
  }
  const lines = out.trim().split('\n');
  expect(lines).toHaveLength(1);
  return JSON.parse(lines[0]) as InspectReport;
}

afterEach(() => {
  vi.restoreAllMocks();
});

const NANODET_LISTED = { Conv: 73, LeakyRelu: 48, Reshape: 44, Slice: 26, Transpose: 22, Concat: 16, Resize: 4, Add: 4, Split: 3, Sigmoid: 3, Softmax: 3, MatMul: 3 };

interface Counted {
  file: string;
  size: number;
  parameters: number;
  zeros: number;
  opset: number;
  nodes: number;
  listedOps: Record<string, number>;
  unlistedOps: Record<string, number>;
  family: string;
}

const MODELS: Counted[] = [
  {
    file: 'data/models/nanodet_m/nanodet_m.onnx',
    size: 3_804_062,
    parameters: 941_899,
    zeros: 1,
    opset: 11,
    nodes: 253,
    listedOps: NANODET_LISTED,
    unlistedOps: { MaxPool: 1, Unsqueeze: 3 },
    family: 'nanodet',
  },
  {
    file: 'data/models/nanodet_m/nanodet_m_0.5x.onnx',
    size: 1_104_403,
    parameters: 267_033,
    zeros: 1,
    opset: 11,
    nodes: 253,
    listedOps: NANODET_LISTED,
    unlistedOps: { MaxPool: 1, Unsqueeze: 3 },
    family: 'nanodet',
  },
  {
    file: 'data/models/yolox_nano/yolox_nano.onnx',
    size: 3_660_092,
    parameters: 904_481,
    zeros: 0,
    opset: 11,
    nodes: 369,
    listedOps: { Conv: 113, Sigmoid: 110, Mul: 104, Concat: 18, Slice: 8, Add: 7, MaxPool: 3, Reshape: 3, Resize: 2, Transpose: 1 },
    unlistedOps: {},
    family: 'yolox',
  },
];

describe('odra inspect --json on the shared models', () => {
  it.each(MODELS)('$file matches its MODEL.md counts', async (m) => {
    const r = await inspectJson(sharedPath(m.file));
    expect(r.fileSize).toBe(m.size);
    expect(r.parameterCount).toBe(m.parameters);
    expect(r.weights.zeros).toBe(m.zeros);
    expect(r.opset).toBe(m.opset);
    expect(r.nodeCount).toBe(m.nodes);
    expect(r.opHistogram).toEqual({ ...m.listedOps, ...m.unlistedOps });
    expect(Object.values(r.opHistogram).reduce((a, b) => a + b, 0)).toBe(m.nodes);
    // fp32 exports: no quantization, no pruned channels, every weight float32
    expect(r.quantization).toEqual({ schemes: [], ops: {} });
    expect(r.channels.zeroChannels).toBe(0);
    expect(Object.keys(r.precision)).toEqual(['float32']);
    expect('family' in r.adapter && r.adapter.family).toBe(m.family);
  });
});
