/**
 * Scanning many image files in parallel (scan-file.ts: read once, SHA-256 + header):
 * worker threads, so neither the reading nor the hashing runs on the thread that
 * answers requests. Files go out in small batches to whichever worker is free; results
 * come back in the order of the input. One pool per scan: the threads exist while an
 * import reads its images and are stopped when it ends, so an idle engine holds none.
 *
 * Sized to the cores (os.availableParallelism(), at most MAX_THREADS): hashing is
 * CPU-bound once the files are in the page cache, reading is I/O-bound when they are
 * not, and a few threads cover both.
 *
 * The worker script is the bundle `out/node/image-scan-worker.js`, found like the
 * corruption worker's (beside the running bundle, or under the package's out/node).
 */
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { ImageScan } from './scan-file';
import type { ScanRequest, ScanResponse } from './scan-protocol';

export const MAX_THREADS = 4;
/** files per message: small enough for even progress and a prompt cancel */
const BATCH = 16;

export function defaultScanThreads(): number {
  return Math.max(1, Math.min(MAX_THREADS, os.availableParallelism()));
}

export function scanWorkerScript(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    for (const candidate of [path.join(dir, 'image-scan-worker.js'), path.join(dir, 'out', 'node', 'image-scan-worker.js')]) {
      if (existsSync(candidate)) return candidate;
    }
    dir = path.dirname(dir);
  }
  throw new Error('cannot find the image scan worker (out/node/image-scan-worker.js): run npm run build:node');
}

export interface ScanOptions {
  threads?: number;
  signal?: AbortSignal;
  /** called after each batch with the number of files scanned so far */
  onProgress?: (done: number) => void;
}

/** Scans `files`; one result per file, in order. Rejects only on cancel or a dead worker. */
export async function scanImageFiles(files: readonly string[], options: ScanOptions = {}): Promise<ImageScan[]> {
  const results = new Array<ImageScan>(files.length);
  if (!files.length) return results;
  options.signal?.throwIfAborted();
  const threads = Math.max(1, Math.min(options.threads ?? defaultScanThreads(), Math.ceil(files.length / BATCH)));
  const script = scanWorkerScript();
  const workers: Worker[] = [];
  let nextFile = 0;
  let done = 0;
  try {
    await new Promise<void>((resolve, reject) => {
      let finished = false;
      const fail = (err: Error): void => {
        if (finished) return;
        finished = true;
        reject(err);
      };
      const onAbort = (): void => fail(options.signal?.reason instanceof Error ? options.signal.reason : new Error('cancelled'));
      options.signal?.addEventListener('abort', onAbort, { once: true });
      // a batch's id is the index of its first file
      const feed = (worker: Worker): void => {
        if (nextFile >= files.length) return;
        const start = nextFile;
        nextFile = Math.min(files.length, nextFile + BATCH);
        const request: ScanRequest = { id: start, files: files.slice(start, nextFile) };
        worker.postMessage(request);
      };
      for (let t = 0; t < threads; t++) {
        const worker = new Worker(script);
        workers.push(worker);
        worker.on('message', (res: ScanResponse) => {
          if (finished) return;
          for (let k = 0; k < res.results.length; k++) results[res.id + k] = res.results[k];
          done += res.results.length;
          options.onProgress?.(done);
          if (done === files.length) {
            finished = true;
            options.signal?.removeEventListener('abort', onAbort);
            resolve();
          } else {
            feed(worker);
          }
        });
        worker.on('error', (err) => fail(new Error(`the image scan worker failed: ${err.message}`)));
        worker.on('exit', (code) => {
          if (code !== 0) fail(new Error(`the image scan worker exited with code ${code}`));
        });
        feed(worker);
      }
    });
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  return results;
}
