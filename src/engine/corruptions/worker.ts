/**
 * Corruption worker thread: applies one corruption per message. Pixels travel as
 * transferred ArrayBuffers (no copies); the result is a pure function of the message,
 * so any worker gives the same bytes, whichever backend (WebAssembly or JavaScript,
 * wasm-backend.ts) runs the kernels.
 *
 * Output buffers: the kernel writes into a buffer this thread already owns, the input
 * buffer of the previous request of the same size (transferred to us, its pages already
 * touched), instead of a fresh array: on the reference VM, writing a fresh 1280x720 image
 * costs ~10 ms of page faults (common/scratch.ts), as much as many kernels themselves.
 * The result is transferred back, and the request's own input buffer becomes the spare.
 *
 * Model input tensors: a request may also ask for the tensors of one or more input specs
 * (pool-protocol.ts), made here from the corrupted image by the same preprocess.ts code
 * the runner would run (so they are byte-identical) and transferred back, so the
 * thread that blocks in onnxruntime spends no time resizing or normalising. A request
 * without a corruption only makes tensors (a clean image). A request may name an image
 * file instead of carrying pixels: it is decoded here (decode.ts), so a clean image's whole
 * preparation needs the owning thread only to post the job and take the result.
 *
 * Tensor buffers come back with later requests (`spares`, once the model ran on them) and
 * are filled again for the same reason as the output images: a fresh 2 MB tensor costs more
 * in page faults than filling it.
 */
import { parentPort } from 'node:worker_threads';
import { decodeImage } from '../images/decode';
import type { RgbImage } from '../images/rgb-image';
import { normalisationTable, preprocessInto } from '../images/model-input';
import { applyCorruption } from './registry';
import type { TensorSpec, WorkerRequest, WorkerResponse, WorkerTensor } from './pool-protocol';

if (!parentPort) throw new Error('corruption worker must run in a worker thread');
const port = parentPort;

/** An input buffer of an earlier request, free to receive the next output of its size. */
let spare: ArrayBuffer | null = null;

/** Tensor buffers given back by the pool's owner, free to be filled again (at most MAX_SPARE_TENSORS). */
const tensorSpares: ArrayBuffer[] = [];
const MAX_SPARE_TENSORS = 8;

/** A float32 array of n values: a spare buffer of that size if there is one (its old values are all overwritten). */
function tensorBuffer(n: number): Float32Array<ArrayBuffer> {
  const at = tensorSpares.findIndex((b) => b.byteLength === n * 4);
  return at >= 0 ? new Float32Array(tensorSpares.splice(at, 1)[0]) : new Float32Array(n);
}

/** Normalisation tables per preprocessing config, made once (a request names the same few specs again and again). */
const tables = new Map<string, Float32Array>();

async function makeTensor(image: RgbImage, spec: TensorSpec): Promise<WorkerTensor> {
  const key = JSON.stringify(spec.preprocessing);
  let lut = tables.get(key);
  if (!lut) {
    lut = normalisationTable(spec.preprocessing);
    tables.set(key, lut);
  }
  // preprocessInto writes every value of the canvas (pad and pixels), so a used buffer is fine
  const data = tensorBuffer(3 * spec.input.width * spec.input.height);
  const transform = await preprocessInto(image, spec, data, 0, lut);
  return { data: data.buffer, transform };
}

port.on('message', (req: WorkerRequest) => {
  void (async () => {
    let reply: WorkerResponse;
    let transfer: ArrayBuffer[] = [];
    for (const b of req.spares ?? []) if (tensorSpares.length < MAX_SPARE_TENSORS) tensorSpares.push(b);
    try {
      let decodeMs = 0;
      let input: RgbImage = { width: req.width, height: req.height, data: new Uint8Array(req.pixels) };
      if (req.file !== undefined) {
        const d0 = performance.now();
        try {
          input = await decodeImage(req.file);
        } catch (err) {
          port.postMessage({ id: req.id, ok: false, decode: true, message: err instanceof Error ? err.message.split('\n')[0] : String(err) } satisfies WorkerResponse);
          return;
        }
        decodeMs = performance.now() - d0;
      }
      const t0 = performance.now();
      const n = input.width * input.height * 3;
      let result = input;
      if (req.corruption !== null) {
        const out = spare !== null && spare.byteLength === n ? new Uint8Array(spare) : new Uint8Array(n);
        spare = null;
        result = await applyCorruption(input, req.corruption, req.severity, req.seed, { out });
      }
      const t1 = performance.now();
      const tensors: WorkerTensor[] = [];
      for (const spec of req.tensors) tensors.push(await makeTensor(result, spec));
      const preprocessMs = performance.now() - t1;
      const pixels = result.data.byteOffset === 0 && result.data.byteLength === result.data.buffer.byteLength
        ? (result.data.buffer as ArrayBuffer)
        : result.data.slice().buffer;
      reply = { id: req.id, ok: true, width: result.width, height: result.height, pixels, ms: t1 - t0, tensors, preprocessMs, decodeMs };
      transfer = [pixels, ...tensors.map((t) => t.data)];
      // The kernel is done with the input: its buffer takes the next output.
      if (req.corruption !== null && req.pixels.byteLength === n && pixels !== req.pixels) spare = req.pixels;
    } catch (err) {
      reply = { id: req.id, ok: false, message: err instanceof Error ? err.message : String(err) };
    }
    port.postMessage(reply, transfer);
  })();
});
