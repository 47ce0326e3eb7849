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
 */
import { parentPort } from 'node:worker_threads';
import { applyCorruption } from './registry';
import type { WorkerRequest, WorkerResponse } from './pool-protocol';

if (!parentPort) throw new Error('corruption worker must run in a worker thread');
const port = parentPort;

/** An input buffer of an earlier request, free to receive the next output of its size. */
let spare: ArrayBuffer | null = null;

port.on('message', (req: WorkerRequest) => {
  void (async () => {
    let reply: WorkerResponse;
    let transfer: ArrayBuffer[] = [];
    try {
      const t0 = performance.now();
      const n = req.width * req.height * 3;
      const out = spare !== null && spare.byteLength === n ? new Uint8Array(spare) : new Uint8Array(n);
      spare = null;
      const result = await applyCorruption(
        { width: req.width, height: req.height, data: new Uint8Array(req.pixels) },
        req.corruption,
        req.severity,
        req.seed,
        { out },
      );
      const pixels = result.data.byteOffset === 0 && result.data.byteLength === result.data.buffer.byteLength
        ? (result.data.buffer as ArrayBuffer)
        : result.data.slice().buffer;
      reply = { id: req.id, ok: true, width: result.width, height: result.height, pixels, ms: performance.now() - t0 };
      transfer = [pixels];
      // The kernel is done with the input: its buffer takes the next output.
      if (req.pixels.byteLength === n) spare = req.pixels;
    } catch (err) {
      reply = { id: req.id, ok: false, message: err instanceof Error ? err.message : String(err) };
    }
    port.postMessage(reply, transfer);
  })();
});
