/**
 * Reusable scratch buffers for the kernels.
 *
 * Why: on the reference machine (a VM) the first write to a page of freshly allocated
 * memory costs ~17 us (measured: 11.5 ms to touch a new 2.7 MB buffer, against 0.9 ms
 * to rewrite an old one), so a kernel that allocates image-sized temporaries per call
 * spends more time in page faults than in arithmetic. Kernels therefore keep their
 * temporaries in module-level buffers, grown on demand to the largest image seen and
 * reused by later calls. Only the returned image is allocated per call (the caller owns it).
 *
 * Safety assumption: a kernel runs synchronously to completion, and one kernel call at
 * a time runs per thread (each worker_threads worker has its own module instances, hence
 * its own buffers). So a buffer is never shared by two calls in flight. Each buffer has
 * exactly one owner (a module or a function), and an owner must not call itself
 * re-entrantly while holding its buffer; no scratch buffer may be held across an await.
 * Contents are garbage on entry: every user writes before it reads.
 *
 * A second V8 cost shapes the hot loops of the kernels (hence the "unrolled" loops that
 * cite this file): once any ArrayBuffer in the process has been detached (transferred
 * to or from a worker, or by sharp, which the registry loads), V8's optimised code
 * re-loads and re-checks every typed array a loop touches on each iteration. Loops that
 * do two or four elements' work per iteration pay that once per group; measured on
 * zoom_blur's blend loop, 25 % less time. The arithmetic and its order are unchanged.
 */

/** Growth headroom, so that a slightly larger image does not reallocate again. */
const GROW = 1.25;

function capacity(n: number): number {
  return Math.ceil(n * GROW);
}

/** A Float64Array of at least n elements: `buf` itself if large enough, else a new one. */
export function growF64(buf: Float64Array<ArrayBuffer>, n: number): Float64Array<ArrayBuffer> {
  return buf.length >= n ? buf : new Float64Array(capacity(n));
}

export function growF32(buf: Float32Array<ArrayBuffer>, n: number): Float32Array<ArrayBuffer> {
  return buf.length >= n ? buf : new Float32Array(capacity(n));
}

export function growI32(buf: Int32Array<ArrayBuffer>, n: number): Int32Array<ArrayBuffer> {
  return buf.length >= n ? buf : new Int32Array(capacity(n));
}

export function growU8(buf: Uint8Array<ArrayBuffer>, n: number): Uint8Array<ArrayBuffer> {
  return buf.length >= n ? buf : new Uint8Array(capacity(n));
}

export function growU16(buf: Uint16Array<ArrayBuffer>, n: number): Uint16Array<ArrayBuffer> {
  return buf.length >= n ? buf : new Uint16Array(capacity(n));
}

export function growU32(buf: Uint32Array<ArrayBuffer>, n: number): Uint32Array<ArrayBuffer> {
  return buf.length >= n ? buf : new Uint32Array(capacity(n));
}

/**
 * A small pool of Float64Arrays for objects that hold buffers across calls of their own
 * (GaussianRowStream: several may be alive at once, so one module-level buffer is not
 * enough). acquireF64 gives the smallest pooled buffer of at least n elements (or a new
 * one); releaseF64 hands it back once its holder is done with it. A buffer that is never
 * released is simply garbage-collected.
 */
const POOL_LIMIT = 12;
const poolF64: Float64Array<ArrayBuffer>[] = [];

export function acquireF64(n: number): Float64Array<ArrayBuffer> {
  let best = -1;
  for (let i = 0; i < poolF64.length; i++) {
    if (poolF64[i].length >= n && (best < 0 || poolF64[i].length < poolF64[best].length)) best = i;
  }
  if (best < 0) return new Float64Array(Math.max(n, 1));
  const buf = poolF64[best];
  poolF64.splice(best, 1);
  return buf;
}

export function releaseF64(buf: Float64Array<ArrayBuffer>): void {
  if (poolF64.includes(buf)) return;
  poolF64.push(buf);
  if (poolF64.length > POOL_LIMIT) {
    // drop the smallest: large buffers are the expensive ones to fault in again
    let smallest = 0;
    for (let i = 1; i < poolF64.length; i++) if (poolF64[i].length < poolF64[smallest].length) smallest = i;
    poolF64.splice(smallest, 1);
  }
}
