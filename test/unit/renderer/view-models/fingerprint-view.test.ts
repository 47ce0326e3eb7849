import { describe, expect, it } from 'vitest';
import { fingerprintRows, formatCount, formatShare, opHistogramRows, precisionRows } from '../../../../src/renderer/src/view-models/fingerprint-view';
import type { ModelFingerprint } from '../../../../src/shared/adapter';

/** YOLOX-Nano's fingerprint as `odra inspect --json` gives it, with a made-up quantized variant's parts. */
const yoloxNano: ModelFingerprint = {
  fileSize: 3660092,
  sha256: '695e750a5d5754bb5a8d5325643b59282191a7e7a564e435a415fd3c578eab14',
  externalData: { files: [], bytes: 0 },
  irVersion: 7,
  opset: 11,
  opsets: { '': 11 },
  producer: 'pytorch 1.10',
  parameterCount: 904481,
  initializerCount: 236,
  nodeCount: 369,
  subgraphCount: 0,
  opHistogram: { Conv: 113, Sigmoid: 110, Mul: 104, Concat: 18, Slice: 8, Add: 7, MaxPool: 3, Reshape: 3, Resize: 2, Transpose: 1 },
  constantNodes: { count: 0, elements: 0 },
  weights: { tensors: 228, elements: 904467, zeros: 0, zeroShare: 0 },
  channels: { layers: 113, channels: 7951, zeroChannels: 0, zeroShare: 0, prunedLayers: [] },
  quantization: { schemes: [], ops: {} },
  precision: { float32: { tensors: 228, elements: 904467, bytes: 3617868 } },
  notes: [],
};

describe('fingerprint view', () => {
  it('formats counts with thousands separators and shares without hiding small ones', () => {
    expect(formatCount(904481)).toBe('904,481');
    expect(formatShare(0)).toBe('0%');
    expect(formatShare(0.00004)).toBe('<0.01%');
    expect(formatShare(0.0042)).toBe('0.42%');
    expect(formatShare(0.05)).toBe('5.0%');
    expect(formatShare(0.5)).toBe('50%');
  });

  it('rows: parameters, size, opset, producer, sparsity and quantization', () => {
    const rows = Object.fromEntries(fingerprintRows(yoloxNano).map((r) => [r.key, r.value]));
    expect(rows).toMatchObject({
      params: '904,481',
      size: '3.49 MiB',
      opset: '11',
      producer: 'pytorch 1.10',
      nodes: '369',
      zeros: '0% (0 of 904,467)',
      channels: '0% (0 of 7,951 in 113 layers)',
      quant: 'none',
    });
    expect(rows).not.toHaveProperty('external');
  });

  it('a quantized, pruned variant shows its schemes, quantized ops and precision mix', () => {
    const q: ModelFingerprint = {
      ...yoloxNano,
      opHistogram: { ...yoloxNano.opHistogram, QuantizeLinear: 120, DequantizeLinear: 340 },
      quantization: { schemes: ['qdq'], ops: { QuantizeLinear: 120, DequantizeLinear: 340 } },
      precision: { int8: { tensors: 113, elements: 900000, bytes: 900000 }, float32: { tensors: 115, elements: 4467, bytes: 17868 } },
      channels: { ...yoloxNano.channels, zeroChannels: 795, zeroShare: 0.1 },
    };
    const rows = Object.fromEntries(fingerprintRows(q).map((r) => [r.key, r.value]));
    expect(rows.quant).toBe('qdq: DequantizeLinear 340, QuantizeLinear 120');
    expect(rows.channels).toBe('10% (795 of 7,951 in 113 layers)');
    expect(precisionRows(q).map((p) => [p.type, p.share.toFixed(4)])).toEqual([
      ['int8', '0.9951'],
      ['float32', '0.0049'],
    ]);
    const ops = opHistogramRows(q);
    expect(ops[0]).toEqual({ op: 'DequantizeLinear', count: 340, quantized: true });
    expect(ops.find((o) => o.op === 'Conv')?.quantized).toBe(false);
  });

  it('the histogram puts the rarest ops into one "other" row past the top', () => {
    const rows = opHistogramRows(yoloxNano, 4);
    expect(rows.map((r) => [r.op, r.count])).toEqual([
      ['Conv', 113],
      ['Sigmoid', 110],
      ['Mul', 104],
      ['other (7 ops)', 18 + 8 + 7 + 3 + 3 + 2 + 1],
    ]);
    expect(opHistogramRows(yoloxNano)).toHaveLength(10);
  });
});
