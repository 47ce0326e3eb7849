/**
 * Messages between an audit runner's inference thread and its post-processing worker
 * (postprocess-worker.ts). The inference thread only runs models; decoding their outputs
 * into boxes, non-maximum suppression and packing the detections (audits/packing.ts)
 * happen on the worker, while the next run goes on.
 *
 *   -> worker   model     a model's adapter config, once, by position
 *               run       one ORT run's outputs (transferred) and the input transforms of
 *                         its images
 *   <- worker   done      per image of the run its packed raw detections, and the time
 *                         spent (ms)
 *               failed    the decoder refused the outputs (its message)
 *
 * Runs are answered in the order they were sent.
 */
import type { AdapterConfig } from '../../shared/adapter';
import type { ImageTransform } from '../images/model-input';

export interface PostprocessOutput {
  name: string;
  dims: number[];
  data: Float32Array;
  type?: string;
}

export type ToPostprocess =
  | { type: 'model'; position: number; config: AdapterConfig }
  | { type: 'run'; id: number; position: number; outputs: PostprocessOutput[]; transforms: ImageTransform[] };

export type FromPostprocess = { type: 'done'; id: number; packed: Uint8Array[]; ms: number } | { type: 'failed'; id: number; message: string };
