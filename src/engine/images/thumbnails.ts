/**
 * Thumbnails for the image grid: made once per image, lazily, in the background, and
 * kept on disk keyed by the image's content hash, so the same picture in two datasets
 * (or imported twice) has one thumbnail.
 *
 * Input: the image file and its SHA-256 (the store's). Output: the path of a WebP of at
 * most THUMBNAIL_SIDE pixels on its longest side (never enlarged) and at most
 * THUMBNAIL_MAX_BYTES; the quality steps down until it fits. Pixels as stored, like
 * decode.ts: no EXIF rotation, so the grid's boxes (in stored coordinates) line up.
 * Layout: `<dir>/<first 2 hex digits>/<sha256>.webp`, written to a temporary name and
 * renamed, so a reader never sees half a file.
 *
 * Work: at most `concurrency` thumbnails are made at once (libvips does the work off
 * the JavaScript thread); requests for the same image share one job; a request whose
 * signal aborts leaves the queue, and a queued job nobody waits for any more is
 * dropped (the grid cancels tiles scrolled past). A job already running finishes and
 * its thumbnail is kept.
 */
import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';

export const THUMBNAIL_SIDE = 320;
export const THUMBNAIL_MAX_BYTES = 64 * 1024;
const QUALITIES = [70, 50, 35, 20] as const;

/** A WebP thumbnail of the file, within THUMBNAIL_SIDE and THUMBNAIL_MAX_BYTES. */
export async function makeThumbnail(source: string): Promise<Buffer> {
  const resized = sharp(source, { failOn: 'none', limitInputPixels: 268_402_689 }).resize(THUMBNAIL_SIDE, THUMBNAIL_SIDE, {
    fit: 'inside',
    withoutEnlargement: true,
  });
  let out: Buffer | null = null;
  for (const quality of QUALITIES) {
    out = await resized.clone().webp({ quality }).toBuffer();
    if (out.length <= THUMBNAIL_MAX_BYTES) return out;
  }
  // a 320 px WebP at quality 20 is a few KiB: this is noise no codec can shrink
  throw new Error(`its thumbnail is ${out?.length} bytes even at the lowest quality`);
}

interface Job {
  sha256: string;
  source: string;
  waiters: number;
  started: boolean;
  promise: Promise<string>;
  resolve: (file: string) => void;
  reject: (err: Error) => void;
}

export class ThumbnailCache {
  private readonly jobs = new Map<string, Job>();
  private readonly queue: Job[] = [];
  private running = 0;

  constructor(
    readonly dir: string,
    private readonly concurrency = 2,
  ) {}

  fileFor(sha256: string): string {
    if (!/^[0-9a-f]{64}$/.test(sha256)) throw new Error(`not a SHA-256: ${sha256}`);
    return path.join(this.dir, sha256.slice(0, 2), `${sha256}.webp`);
  }

  /** The thumbnail's path, made first when there is none yet. */
  async get(source: string, sha256: string, signal?: AbortSignal): Promise<string> {
    const file = this.fileFor(sha256);
    if (await stat(file).then((s) => s.isFile(), () => false)) return file;
    signal?.throwIfAborted();
    let job = this.jobs.get(sha256);
    if (!job) {
      let resolve!: (file: string) => void;
      let reject!: (err: Error) => void;
      const promise = new Promise<string>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      job = { sha256, source, waiters: 0, started: false, promise, resolve, reject };
      // nobody may be listening when a dropped job is rejected
      promise.catch(() => undefined);
      this.jobs.set(sha256, job);
      this.queue.push(job);
    }
    job.waiters++;
    const current = job;
    try {
      return await new Promise<string>((resolve, reject) => {
        const onAbort = (): void => {
          this.leave(current);
          reject(signal?.reason instanceof Error ? signal.reason : new Error('cancelled'));
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        current.promise.then(
          (f) => {
            signal?.removeEventListener('abort', onAbort);
            resolve(f);
          },
          (err: Error) => {
            signal?.removeEventListener('abort', onAbort);
            reject(err);
          },
        );
        this.pump();
      });
    } finally {
      current.waiters = Math.max(0, current.waiters - 1);
    }
  }

  /** Jobs queued or running now (for tests and the bench). */
  get pending(): number {
    return this.jobs.size;
  }

  /** Removes the cache folder (a store in memory has a temporary one). */
  async remove(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }

  private leave(job: Job): void {
    if (job.started || job.waiters > 1) return;
    const at = this.queue.indexOf(job);
    if (at >= 0) this.queue.splice(at, 1);
    this.jobs.delete(job.sha256);
    job.reject(new Error('cancelled'));
  }

  private pump(): void {
    while (this.running < this.concurrency && this.queue.length) {
      const job = this.queue.shift()!;
      job.started = true;
      this.running++;
      void this.make(job)
        .then(job.resolve, job.reject)
        .finally(() => {
          this.running--;
          this.jobs.delete(job.sha256);
          this.pump();
        });
    }
  }

  /** Makes and stores one thumbnail (protected: a test holds jobs in flight with it). */
  protected async make(job: { sha256: string; source: string }): Promise<string> {
    const file = this.fileFor(job.sha256);
    const bytes = await makeThumbnail(job.source);
    await mkdir(path.dirname(file), { recursive: true });
    const temp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    await writeFile(temp, bytes);
    await rename(temp, file);
    return file;
  }
}
