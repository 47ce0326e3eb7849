/**
 * Quantization in an ONNX graph, for the fingerprint: which ops are quantized (the
 * ONNX QDQ / QOperator / integer ops and onnxruntime's com.microsoft contrib ops), the
 * scheme names they add up to (qdq, weight-only, qoperator, integer, dynamic), which
 * input slots of a quantized op hold a quantized weight and its zero point, and the
 * zero point a weight's "zero" is compared with (scalar or per axis).
 * Sources: the ONNX operator specs (QuantizeLinear, QLinearConv, ConvInteger, ...) and
 * onnxruntime's contrib op docs (MatMulNBits, QGemm, ...).
 */
import type { NodeSkeleton, TensorHeader } from '../onnx-walk';
import { attrInt } from './channel-layouts';
import { product, smallIntValues, ZERO, type ZeroPoint } from './tensor-scan';

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

export function opKey(n: NodeSkeleton): string {
  return n.domain && n.domain !== 'ai.onnx' ? `${n.domain}.${n.opType}` : n.opType;
}

export function isQuantOp(n: NodeSkeleton): boolean {
  if (!n.domain || n.domain === 'ai.onnx') return QUANT_OPS.has(n.opType);
  return n.domain === 'com.microsoft' && MS_QUANT_OP.test(n.opType);
}

export function quantSchemes(ops: Record<string, number>): string[] {
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
export interface QuantSlot {
  data: number;
  zeroPoint: number | null;
  scale: number | null;
  /** per-axis parameters run along this axis of the data (null: the op's `axis` attribute, default 1) */
  axis: number | 'attr';
}

export const QUANT_SLOTS: Readonly<Record<string, readonly QuantSlot[]>> = {
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
export const PARAM_SLOTS: Readonly<Record<string, readonly number[]>> = {
  QuantizeLinear: [1, 2],
  DequantizeLinear: [1, 2],
  QLinearConv: [1, 2, 4, 5, 6, 7],
  QLinearMatMul: [1, 2, 4, 5, 6, 7],
  ConvInteger: [2, 3],
  MatMulInteger: [2, 3],
};

/**
 * The zero point a quantized-weight slot compares with, when it is a constant: scalar,
 * or one value per index along the slot's axis.
 */
export function zeroPointFor(node: NodeSkeleton, slot: QuantSlot, dims: readonly number[], inits: Map<string, TensorHeader>, notes: Set<string>): ZeroPoint {
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
