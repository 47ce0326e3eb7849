/**
 * The audit runner's post-processing thread (protocol: postprocess-protocol.ts): decodes
 * one ORT run's outputs with the model's adapter (models/postprocess.ts: decode, NMS) and
 * packs each image's raw detections (audits/packing.ts). The same code the inference thread
 * ran before, on the same values, so the stored bytes do not depend on where it runs.
 */
import { parentPort } from 'node:worker_threads';
import type { AdapterConfig } from '../../shared/adapter';
import { packDetections } from '../audits/packing';
import type { OutputMap } from '../models/adapters/decoding';
import { postprocess } from '../models/postprocess';
import type { FromPostprocess, ToPostprocess } from './postprocess-protocol';

if (!parentPort) throw new Error('the post-processing worker must run in a worker thread');
const port = parentPort;
const configs = new Map<number, AdapterConfig>();

port.on('message', (message: ToPostprocess) => {
  if (message.type === 'model') {
    configs.set(message.position, message.config);
    return;
  }
  let reply: FromPostprocess;
  try {
    const config = configs.get(message.position);
    if (!config) throw new Error(`no adapter config for model position ${message.position}`);
    const t0 = performance.now();
    const outputs: OutputMap = Object.fromEntries(message.outputs.map((o) => [o.name, { dims: o.dims, data: o.data, type: o.type }]));
    const packed = postprocess(outputs, config, message.transforms).map(packDetections);
    reply = { type: 'done', id: message.id, packed, ms: performance.now() - t0 };
    port.postMessage(reply, packed.map((p) => p.buffer as ArrayBuffer));
  } catch (err) {
    reply = { type: 'failed', id: message.id, message: err instanceof Error ? err.message : String(err) };
    port.postMessage(reply);
  }
});
