/**
 * What a family's decoder receives and returns, and the helpers every decoder uses.
 *
 * A Decoder maps the output tensors of one ORT run (a batch) and a DecodeContext (the
 * adapter config, which image of the batch, its letterbox/stretch transform, the score
 * threshold) to the candidate boxes of that image in ORIGINAL image pixels, before NMS
 * (postprocess.ts runs NMS, or skips it for end-to-end families).
 *
 * Conventions: boxes as x1, y1, x2, y2; canvas (model input) coordinates are mapped back
 * with toOriginal; outputs are widened to float32 by the detector.
 */
import type { AdapterConfig } from '../adapter-config';
import type { Candidates } from '../candidates';
import type { ImageTransform } from '../preprocess';

/**
 * An output tensor as onnxruntime returns it, widened to float32 (float16 halves,
 * integer labels and counts: exact below 2^24, far above any class id or box count).
 */
export interface OutputTensor {
  dims: readonly number[];
  data: Float32Array;
  /** the element type the graph produced ('float32', 'int64', ...), when known */
  type?: string;
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

/** The output called `name`; throws naming what exists. */
export function outputNamed(outputs: OutputMap, name: string, family: string): OutputTensor {
  const t = outputs[name];
  if (!t) throw new Error(`${family} decoder needs output ${name}; got ${Object.keys(outputs).join(', ')}`);
  return t;
}

/** The input canvas area that normalized coordinates refer to. */
export interface BoxRegion {
  x0: number;
  y0: number;
  width: number;
  height: number;
}

/**
 * The resized image's place on the canvas (letterbox: inside the padding; stretch:
 * the whole canvas), rounded as planResize rounds it.
 */
export function imageRegion(t: ImageTransform, canvasWidth: number, canvasHeight: number): BoxRegion {
  return {
    x0: t.padLeft,
    y0: t.padTop,
    width: Math.min(canvasWidth - t.padLeft, Math.max(1, Math.round(t.width * t.scaleX))),
    height: Math.min(canvasHeight - t.padTop, Math.max(1, Math.round(t.height * t.scaleY))),
  };
}
