import type { CorruptionName, Severity } from '../../shared/corruptions';
import type { AdapterConfig } from '../../shared/adapter';
import type { ImageTransform } from '../images/model-input';

/** What a model's input tensor depends on: equal specs give equal tensors (models may share one). */
export type TensorSpec = Pick<AdapterConfig, 'input' | 'preprocessing'>;

export interface WorkerRequest {
  id: number;
  /** null: no corruption (a clean image that only needs its tensors) */
  corruption: CorruptionName | null;
  severity: Severity;
  seed: number;
  width: number;
  height: number;
  pixels: ArrayBuffer;
  /** an image file to decode here first, instead of `pixels` (then empty, width and height 0) */
  file?: string;
  /** model input tensors (CHW float32, preprocess.ts) to make from the corrupted image */
  tensors: TensorSpec[];
  /** buffers of earlier tensors the caller is done with, for the worker to fill again (see worker.ts) */
  spares?: ArrayBuffer[];
}

export interface WorkerTensor {
  /** one image's [3, H, W] float32 values */
  data: ArrayBuffer;
  transform: ImageTransform;
}

export type WorkerResponse =
  /** ms: time spent in the kernel itself, without queueing or transfer; preprocessMs: making the tensors */
  | { id: number; ok: true; width: number; height: number; pixels: ArrayBuffer; ms: number; tensors: WorkerTensor[]; preprocessMs: number; decodeMs: number }
  /** decode: the request's file could not be decoded (message: why) */
  | { id: number; ok: false; message: string; decode?: boolean };
