/**
 * The inference thread's side of the post-processing worker (postprocess-worker.ts):
 * finish() hands one run's outputs over (their buffers transferred, not copied, when they
 * can be) and resolves with each image's packed detections. One worker: decoding and NMS
 * cost a fraction of a model run, so one thread keeps up with the inference thread, and
 * answers come in the order asked.
 */
import { Worker } from 'node:worker_threads';
import type { AdapterConfig } from '../../shared/adapter';
import type { ImageTransform } from '../images/model-input';
import type { OutputMap } from '../models/adapters/decoding';
import { findBundle } from '../util/bundle-path';
import type { FromPostprocess, PostprocessOutput, ToPostprocess } from './postprocess-protocol';

export interface Finished {
  /** per image of the run */
  packed: Uint8Array[];
  /** time on the worker */
  ms: number;
}

export class PostprocessThread {
  private readonly worker: Worker;
  private readonly pending = new Map<number, { resolve: (f: Finished) => void; reject: (e: Error) => void }>();
  private nextId = 1;
  private failure: Error | null = null;

  constructor(script: string = findBundle('postprocess-worker.js')) {
    this.worker = new Worker(script);
    this.worker.on('message', (m: FromPostprocess) => {
      const p = this.pending.get(m.id);
      this.pending.delete(m.id);
      if (!p) return;
      if (m.type === 'done') p.resolve({ packed: m.packed, ms: m.ms });
      else p.reject(new Error(m.message));
    });
    this.worker.on('error', (err) => this.failAll(new Error(`the post-processing worker stopped: ${err.message}`)));
    this.worker.on('exit', (code) => this.failAll(new Error(`the post-processing worker exited (code ${code})`)));
  }

  addModel(position: number, config: AdapterConfig): void {
    this.post({ type: 'model', position, config });
  }

  /** Decodes, suppresses and packs the detections of one run of the model at `position`. */
  finish(position: number, outputs: OutputMap, transforms: readonly ImageTransform[]): Promise<Finished> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    const list: PostprocessOutput[] = Object.entries(outputs).map(([name, t]) => ({ name, dims: [...t.dims], data: t.data, ...(t.type ? { type: t.type } : {}) }));
    const result = new Promise<Finished>((resolve, reject) => this.pending.set(id, { resolve, reject }));
    this.post({ type: 'run', id, position, outputs: list, transforms: [...transforms] }, transferable(list));
    return result;
  }

  async close(): Promise<void> {
    this.failAll(new Error('the post-processing worker was closed'));
    await this.worker.terminate();
  }

  private post(message: ToPostprocess, transfer: ArrayBuffer[] = []): void {
    this.worker.postMessage(message, transfer);
  }

  private failAll(err: Error): void {
    this.failure ??= err;
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }
}

/**
 * The outputs' buffers that can move to the worker without a copy: each whole, plain
 * ArrayBuffer once (two views of one buffer, or a view of part of one, are copied instead).
 */
function transferable(outputs: readonly PostprocessOutput[]): ArrayBuffer[] {
  const seen = new Map<ArrayBufferLike, number>();
  for (const o of outputs) seen.set(o.data.buffer, (seen.get(o.data.buffer) ?? 0) + 1);
  const out: ArrayBuffer[] = [];
  for (const o of outputs) {
    const b = o.data.buffer;
    if (b instanceof ArrayBuffer && seen.get(b) === 1 && o.data.byteOffset === 0 && o.data.byteLength === b.byteLength) out.push(b);
  }
  return out;
}
