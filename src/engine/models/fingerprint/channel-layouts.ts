/**
 * Channel layouts, for the fingerprint's structured sparsity: how element i of a weight
 * maps to an output channel, found from how the graph uses the weight (Conv /
 * QLinearConv / ConvInteger W [M, C/g, k...]; ConvTranspose W [C, M/g, k...]; Gemm B
 * with or without transB; MatMul / QLinearMatMul / MatMulInteger B [..., K, N]),
 * looking through DequantizeLinear, Cast and Identity. A weight no such op uses has
 * no layout and counts toward unstructured sparsity only.
 */
import type { NodeSkeleton } from '../onnx-walk';
import { product } from './tensor-scan';

/** How element i of a weight maps to an output channel. */
export interface ChannelLayout {
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

export function attrInt(n: NodeSkeleton, name: string, fallback: number): number {
  const a = n.attributes.find((x) => x.name === name);
  return a?.i ?? fallback;
}

/** Ops that hand a weight on unchanged (up to dtype): DequantizeLinear, Cast, Identity. */
const PASS_THROUGH: ReadonlySet<string> = new Set(['DequantizeLinear', 'Cast', 'Identity']);

export interface Use {
  node: NodeSkeleton;
  slot: number;
}

export function layoutFor(name: string, dims: readonly number[], uses: Map<string, Use[]>, depth = 0): ChannelLayout | null {
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
