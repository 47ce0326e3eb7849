/**
 * Linear-memory allocation for the kernels: a bump allocator.
 *
 * A kernel call is one synchronous transaction: the JavaScript side resets the arena,
 * allocates the input, output and scratch regions it needs, copies the input in, calls
 * the kernel, and copies the output out. Nothing outlives the call except what was
 * allocated before `keep()` (tables uploaded once per module instance). Memory only
 * grows, so after the first call on an image size every region is resident: no page
 * faults per call (see ../common/scratch.ts for what they cost on the reference VM).
 *
 * Regions are 16-byte aligned (v128 loads and stores). No AssemblyScript-managed objects
 * are used anywhere in this module (runtime "stub"), so nothing else allocates.
 */

let top: usize = (__heap_base + 15) & ~(<usize>15);
let mark: usize = top;

/** A region of `bytes` bytes, 16-byte aligned; contents are garbage. Grows memory as needed. */
export function alloc(bytes: usize): usize {
  const ptr = (top + 15) & ~(<usize>15);
  const end = ptr + bytes;
  const have = (<usize>memory.size()) << 16;
  if (end > have) {
    // Grow by at least a quarter, so that slightly larger images do not grow it again.
    const need = <i32>((end - have + 0xffff) >>> 16);
    const extra = memory.size() >> 2;
    if (memory.grow(need > extra ? need : extra) < 0 && memory.grow(need) < 0) unreachable();
  }
  top = end;
  return ptr;
}

/** Everything allocated so far survives reset(). */
export function keep(): void {
  mark = top;
}

/** Frees every region allocated since the last keep(). */
export function reset(): void {
  top = mark;
}
