/**
 * Corruption worker thread: applies one corruption per message. Pixels travel as
 * transferred ArrayBuffers (no copies); the result is a pure function of the message,
 * so any worker gives the same bytes.
 */
import { parentPort } from 'node:worker_threads';
import { applyCorruption } from './registry';
import type { WorkerRequest, WorkerResponse } from './pool-protocol';

if (!parentPort) throw new Error('corruption worker must run in a worker thread');
const port = parentPort;

port.on('message', (req: WorkerRequest) => {
  void (async () => {
    let reply: WorkerResponse;
    let transfer: ArrayBuffer[] = [];
    try {
      const t0 = performance.now();
      const out = await applyCorruption(
        { width: req.width, height: req.height, data: new Uint8Array(req.pixels) },
        req.corruption,
        req.severity,
        req.seed,
      );
      const pixels = out.data.byteOffset === 0 && out.data.byteLength === out.data.buffer.byteLength
        ? (out.data.buffer as ArrayBuffer)
        : out.data.slice().buffer;
      reply = { id: req.id, ok: true, width: out.width, height: out.height, pixels, ms: performance.now() - t0 };
      transfer = [pixels];
    } catch (err) {
      reply = { id: req.id, ok: false, message: err instanceof Error ? err.message : String(err) };
    }
    port.postMessage(reply, transfer);
  })();
});
