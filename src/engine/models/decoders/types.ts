import type { AdapterConfig } from '../adapter-config';
import type { Candidates } from '../candidates';
import type { ImageTransform } from '../preprocess';

/** A float output tensor as onnxruntime returns it (float16 already widened). */
export interface OutputTensor {
  dims: readonly number[];
  data: Float32Array;
}

export type OutputMap = Readonly<Record<string, OutputTensor>>;

export interface DecodeContext {
  config: AdapterConfig;
  /** which image of the batch */
  batchIndex: number;
  transform: ImageTransform;
  /** candidates scoring below this are not emitted */
  scoreThreshold: number;
}

/** Output tensors of one batch -> candidates of one image, in original pixels, before NMS. */
export type Decoder = (outputs: OutputMap, ctx: DecodeContext) => Candidates;

/** Canvas (letterbox) coordinates -> original pixels. */
export function toOriginal(
  t: ImageTransform,
  x1: number,
  y1: number,
  x2: number,
  y2: number,
): [number, number, number, number] {
  return [(x1 - t.padLeft) / t.scaleX, (y1 - t.padTop) / t.scaleY, (x2 - t.padLeft) / t.scaleX, (y2 - t.padTop) / t.scaleY];
}

/** Elements per batch item, and a check that the batch index exists. */
export function batchSlice(t: OutputTensor, name: string, batchIndex: number): number {
  const per = t.dims.slice(1).reduce((a, b) => a * b, 1);
  if (t.dims.length === 0 || batchIndex >= t.dims[0]) {
    throw new Error(`output ${name} [${t.dims.join(', ')}] has no batch item ${batchIndex}`);
  }
  return per * batchIndex;
}

/** The only output, or the one whose name is given; throws naming what exists. */
export function singleOutput(outputs: OutputMap, family: string): [string, OutputTensor] {
  const names = Object.keys(outputs);
  const rank3 = names.filter((n) => outputs[n].dims.length === 3);
  if (rank3.length === 1) return [rank3[0], outputs[rank3[0]]];
  throw new Error(`${family} decoder expects one rank-3 output, got ${names.map((n) => `${n} [${outputs[n].dims.join(', ')}]`).join('; ')}`);
}
