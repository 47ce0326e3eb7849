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
 */

/** Growth headroom, so that a slightly larger image does not reallocate again. */
const GROW = 1.25;

function capacity(n: number): number {
  return Math.ceil(n * GROW);
}

/** A Float64Array of at least n elements: `buf` itself if large enough, else a new one. */
export function growF64(buf: Float64Array, n: number): Float64Array {
  return buf.length >= n ? buf : new Float64Array(capacity(n));
}

export function growF32(buf: Float32Array, n: number): Float32Array {
  return buf.length >= n ? buf : new Float32Array(capacity(n));
}

export function growI32(buf: Int32Array, n: number): Int32Array {
  return buf.length >= n ? buf : new Int32Array(capacity(n));
}

export function growU8(buf: Uint8Array, n: number): Uint8Array {
  return buf.length >= n ? buf : new Uint8Array(capacity(n));
}

export function growU16(buf: Uint16Array, n: number): Uint16Array {
  return buf.length >= n ? buf : new Uint16Array(capacity(n));
}

export function growU32(buf: Uint32Array, n: number): Uint32Array {
  return buf.length >= n ? buf : new Uint32Array(capacity(n));
}
