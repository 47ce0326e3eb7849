/**
 * What the model page shows of the compression fingerprint (shared/adapter.ts
 * modelFingerprintSchema), as plain rows: the numbers an analyst compares between a
 * baseline and its pruned or quantized variants.
 */
import type { ModelFingerprint } from '../../../shared/adapter';
import { formatBytes } from '../ui/format';

/** Thousands separated the same way on every machine (the numbers are compared against model cards). */
export function formatCount(n: number): string {
  return Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '—';
}

/** A share in [0, 1] as a percentage; small non-zero shares keep enough digits to not read as 0. */
export function formatShare(share: number): string {
  if (!Number.isFinite(share)) return '—';
  if (share === 0) return '0%';
  const pct = share * 100;
  if (pct < 0.01) return '<0.01%';
  return `${pct < 1 ? pct.toFixed(2) : pct < 10 ? pct.toFixed(1) : pct.toFixed(0)}%`;
}

export interface FingerprintRow {
  key: string;
  label: string;
  value: string;
  /** a tooltip with the exact numbers behind the value */
  title?: string;
}

export function fingerprintRows(fp: ModelFingerprint): FingerprintRow[] {
  const opsets = Object.entries(fp.opsets)
    .map(([domain, v]) => `${domain === '' ? 'ai.onnx' : domain} ${v}`)
    .join(', ');
  const quantOps = Object.entries(fp.quantization.ops)
    .sort((a, b) => b[1] - a[1])
    .map(([op, n]) => `${op} ${n}`)
    .join(', ');
  const rows: FingerprintRow[] = [
    { key: 'params', label: 'Parameters', value: formatCount(fp.parameterCount), title: `${fp.initializerCount} initializers` },
    {
      key: 'size',
      label: 'File size',
      value: formatBytes(fp.fileSize),
      title: `${formatCount(fp.fileSize)} bytes${fp.externalData.files.length ? ` + ${formatCount(fp.externalData.bytes)} in external data` : ''}`,
    },
    { key: 'opset', label: 'Opset', value: fp.opset === null ? '—' : String(fp.opset), title: opsets || undefined },
    { key: 'producer', label: 'Producer', value: fp.producer ?? '—' },
    { key: 'nodes', label: 'Nodes', value: formatCount(fp.nodeCount), title: fp.subgraphCount ? `${fp.subgraphCount} subgraphs` : undefined },
    {
      key: 'zeros',
      label: 'Zero weights',
      value: `${formatShare(fp.weights.zeroShare)} (${formatCount(fp.weights.zeros)} of ${formatCount(fp.weights.elements)})`,
      title: 'unstructured sparsity: weights exactly zero (a quantized weight: equal to its zero point)',
    },
    {
      key: 'channels',
      label: 'Zero output channels',
      value: `${formatShare(fp.channels.zeroShare)} (${formatCount(fp.channels.zeroChannels)} of ${formatCount(fp.channels.channels)} in ${fp.channels.layers} layers)`,
      title: 'structured sparsity: output channels of Conv / Gemm / MatMul weights that are all zero',
    },
    {
      key: 'quant',
      label: 'Quantization',
      value: fp.quantization.schemes.length ? `${fp.quantization.schemes.join(', ')}${quantOps ? `: ${quantOps}` : ''}` : 'none',
    },
  ];
  if (fp.externalData.files.length) {
    rows.push({ key: 'external', label: 'External data', value: `${fp.externalData.files.length} files, ${formatBytes(fp.externalData.bytes)}` });
  }
  return rows;
}

/** Weights by element type, largest share of elements first. */
export function precisionRows(fp: ModelFingerprint): { type: string; tensors: number; elements: number; bytes: number; share: number }[] {
  const total = Object.values(fp.precision).reduce((n, c) => n + c.elements, 0);
  return Object.entries(fp.precision)
    .map(([type, c]) => ({ type, ...c, share: total > 0 ? c.elements / total : 0 }))
    .sort((a, b) => b.elements - a.elements || (a.type < b.type ? -1 : 1));
}

/** The op histogram, most frequent first; ops beyond `top` summed into one "other" row. */
export function opHistogramRows(fp: ModelFingerprint, top = 20): { op: string; count: number; quantized: boolean }[] {
  const quantized = new Set(Object.keys(fp.quantization.ops));
  const sorted = Object.entries(fp.opHistogram)
    .map(([op, count]) => ({ op, count, quantized: quantized.has(op) }))
    .sort((a, b) => b.count - a.count || (a.op < b.op ? -1 : 1));
  if (sorted.length <= top) return sorted;
  const rest = sorted.slice(top - 1);
  return [...sorted.slice(0, top - 1), { op: `other (${rest.length} ops)`, count: rest.reduce((n, r) => n + r.count, 0), quantized: false }];
}
