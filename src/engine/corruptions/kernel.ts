import type { CorruptionName, Severity } from '../../shared/corruptions';
import type { RgbImage } from '../images/rgb-image';
import type { Rng } from '../../shared/prng';

/**
 * Which implementation runs a kernel: 'js' (the TypeScript kernels in ./kernels) or
 * 'wasm' (their WebAssembly SIMD twins, ./wasm, loaded by ./wasm-backend.ts). Both give
 * the same bytes; see wasm-backend.ts for how the default is chosen.
 */
export type CorruptionBackend = 'js' | 'wasm';

export interface KernelOptions {
  /**
   * Where to write the output: exactly width x height x 3 bytes, not overlapping the
   * input. A new array when absent. A caller that corrupts many images (the worker)
   * passes a buffer it already owns: writing a fresh image-sized array costs ~10 ms of
   * page faults on the reference VM (see common/scratch.ts).
   */
  out?: Uint8Array;
  /** The implementation; absent: the process default (wasm-backend.ts). */
  backend?: CorruptionBackend;
}

/**
 * One corruption: a pure function of (image, severity, rng). Deterministic kernels
 * ignore rng. The output has the input's size (the reference crops or resizes back
 * where its math changes the size).
 */
export interface CorruptionKernel {
  name: CorruptionName;
  apply(image: RgbImage, severity: Severity, rng: Rng, options?: KernelOptions): RgbImage;
}

/** The array a kernel writes its output into: options.out (checked) or a new one. */
export function outputPixels(image: RgbImage, options?: KernelOptions): Uint8Array {
  const out = options?.out;
  const n = image.width * image.height * 3;
  if (!out) return new Uint8Array(n);
  if (out.length !== n) throw new RangeError(`output buffer holds ${out.length} bytes, the ${image.width}x${image.height} image needs ${n}`);
  const a = image.data;
  if (out.buffer === a.buffer && out.byteOffset < a.byteOffset + a.byteLength && a.byteOffset < out.byteOffset + out.byteLength) {
    throw new RangeError('the output buffer overlaps the input image');
  }
  return out;
}
