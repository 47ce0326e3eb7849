/**
 * Image scan worker thread: reads, hashes and probes the files of one batch
 * (scan-file.ts) and answers with one result per file, in order. Two files are in
 * flight at a time, so the next file's read overlaps this one's hashing.
 */
import { parentPort } from 'node:worker_threads';
import { scanImageFile, type ImageScan } from './scan-file';
import type { ScanRequest, ScanResponse } from './scan-protocol';

if (!parentPort) throw new Error('the image scan worker must run in a worker thread');
const port = parentPort;

port.on('message', (req: ScanRequest) => {
  void (async () => {
    const results: ImageScan[] = new Array<ImageScan>(req.files.length);
    let next = 0;
    const lane = async (): Promise<void> => {
      while (next < req.files.length) {
        const i = next++;
        results[i] = await scanImageFile(req.files[i]);
      }
    };
    await Promise.all([lane(), lane()]);
    const reply: ScanResponse = { id: req.id, results };
    port.postMessage(reply);
  })();
});
