/**
 * The WebAssembly SIMD backend of the corruption kernels: loads the module built from
 * ./wasm (AssemblyScript, compiled by vite.node.config.ts to
 * out/node/corruption-kernels.wasm by `npm run build` and `npm run build:node`), once
 * per thread, and gives kernels its exports and helpers to move pixels in and out.
 *
 * Which backend runs (kernel.ts CorruptionBackend), per call: the caller's
 * options.backend if given, else the environment variable ODRA_CORRUPTION_BACKEND:
 * - 'js': the TypeScript kernels;
 * - 'wasm': the WebAssembly kernels, and an error if they cannot be loaded (CI uses this
 *   so that a broken build cannot pass as a silent fallback);
 * - unset or 'auto': WebAssembly when the file is there and this runtime validates it
 *   (it needs WASM SIMD), else the TypeScript kernels, with one warning line.
 * Both give the same bytes (test/unit/corruptions/wasm-backend.test.ts hashes every
 * kernel's output both ways), so the choice changes speed only.
 *
 * Memory: the module's linear memory holds everything a kernel call touches; the arena
 * (wasm/arena.ts) is reset at the start of each call (begin()), and regions allocated
 * at load time (the ziggurat tables) survive. Views of the memory must be taken after
 * the last alloc() of a call: growing the memory replaces its ArrayBuffer.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RgbImage } from '../images/rgb-image';
import { ZIGGURAT_RATIO, ZIGGURAT_X } from './common/bulk-random';
import type { CorruptionBackend, KernelOptions } from './kernel';
import { outputPixels } from './kernel';

export const WASM_FILE = 'corruption-kernels.wasm';
export const BACKEND_ENV = 'ODRA_CORRUPTION_BACKEND';

type Ptr = number;

/**
 * The part of the WebAssembly JS API used here. TypeScript declares WebAssembly only in
 * its DOM library, which the engine must not see (no DOM in Node code), so the few
 * members are typed locally.
 */
interface WebAssemblyApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: Record<string, Record<string, unknown>>) => { exports: Record<string, unknown> };
}
const webAssembly = (globalThis as unknown as { WebAssembly: WebAssemblyApi }).WebAssembly;

/** The module's exports (wasm/index.ts); pointers are byte offsets into `memory`. */
export interface KernelExports {
  memory: { readonly buffer: ArrayBuffer };
  alloc(bytes: number): Ptr;
  keep(): void;
  reset(): void;
  setZiggurat(x: Ptr, ratio: Ptr): void;
  randomSeed(a: number, b: number, c: number, d: number): void;
  randomState(i: number): number;
  fillNormals(out: Ptr, n: number): void;
  fillUniform32(out: Ptr, n: number): void;
  fillUniform53(out: Ptr, n: number): void;
  fillInt32(out: Ptr, n: number): void;
  gaussianBlurBytes(src: Ptr, dst: Ptr, width: number, height: number, weights: Ptr, radius: number): void;
  gaussianNoise(src: Ptr, dst: Ptr, n: number, c: number): void;
  speckleNoise(src: Ptr, dst: Ptr, n: number, c: number): void;
  shotNoise(src: Ptr, dst: Ptr, n: number, cdf: Ptr, outByIndex: Ptr, guide: Ptr, guideOffset: Ptr, guideSize: Ptr): void;
  impulseNoise(dst: Ptr, n: number, threshold: number): void;
  motionBlurBytes(src: Ptr, dst: Ptr, width: number, height: number, taps: Ptr, k: number, row: Ptr): void;
  zoomBlur(src: Ptr, dst: Ptr, width: number, height: number, layers: Ptr, count: number, unit: Ptr, lines: Ptr, acc: Ptr, state: Ptr): void;
  defocusBlur(
    src: Ptr,
    dst: Ptr,
    width: number,
    height: number,
    pad: number,
    rd: number,
    rg: number,
    halfWidths: Ptr,
    g: Ptr,
    d: number,
    scale: number,
    runs: Ptr,
    hCount: number,
    vCount: number,
    tapCount: number,
  ): void;
  elasticField(field: Ptr, width: number, height: number, big: number, span: number, maxD: number, draws: Ptr): void;
  elasticWarp(src: Ptr, dst: Ptr, width: number, height: number, field: Ptr, weightsY: Ptr, radiusY: number, weightsX: Ptr, radiusX: number, alpha: number, unit: Ptr): void;
  glassBlur(
    src: Ptr,
    dst: Ptr,
    width: number,
    height: number,
    weights: Ptr,
    radius: number,
    delta: number,
    iterations: number,
    offsets: Ptr,
    tmp: Ptr,
    row: Ptr,
    move: Ptr,
  ): void;
  adjustHsv(src: Ptr, dst: Ptr, n: number, onValue: boolean, factor: number, offset: number): void;
  pixelate(
    src: Ptr,
    dst: Ptr,
    width: number,
    height: number,
    w: number,
    h: number,
    hStart: Ptr,
    hCount: Ptr,
    hWeights: Ptr,
    hK: number,
    vStart: Ptr,
    vCount: Ptr,
    vWeights: Ptr,
    vK: number,
    xIndex: Ptr,
    yIndex: Ptr,
    across: Ptr,
    small: Ptr,
  ): void;
  channelSums(src: Ptr, n: number, out: Ptr): void;
  applyChannelLut(src: Ptr, dst: Ptr, n: number, lut: Ptr): void;
  fog(src: Ptr, dst: Ptr, width: number, height: number, map: Ptr, mapsize: number, decay: number, strength: number, drawn: boolean, draws: Ptr): void;
  jpegTables(luma: Ptr, chroma: Ptr): void;
  jpegRoundTrip(src: Ptr, dst: Ptr, width: number, height: number): void;
  spatter(
    src: Ptr,
    dst: Ptr,
    width: number,
    height: number,
    normals: Ptr,
    draw: boolean,
    mean: number,
    std: number,
    weights: Ptr,
    radius: number,
    threshold: number,
    mud: boolean,
    intensity: number,
    mudWeights: Ptr,
    mudRadius: number,
    tintR: number,
    tintG: number,
    tintB: number,
  ): void;
  snow(
    src: Ptr,
    dst: Ptr,
    width: number,
    height: number,
    normals: Ptr,
    ch: number,
    cw: number,
    mean: number,
    std: number,
    oh: number,
    ow: number,
    plans: Ptr,
    threshold: number,
    taps: Ptr,
    k: number,
    blend: number,
    rest: number,
    crop: Ptr,
    zoomed: Ptr,
    a: Ptr,
    b: Ptr,
    row: Ptr,
    layer: Ptr,
  ): void;
}

const FUNCTION_EXPORTS: readonly Exclude<keyof KernelExports, 'memory'>[] = [
  'alloc',
  'keep',
  'reset',
  'setZiggurat',
  'randomSeed',
  'randomState',
  'fillNormals',
  'fillUniform32',
  'fillUniform53',
  'fillInt32',
  'gaussianBlurBytes',
  'gaussianNoise',
  'speckleNoise',
  'shotNoise',
  'impulseNoise',
  'motionBlurBytes',
  'zoomBlur',
  'defocusBlur',
  'elasticField',
  'elasticWarp',
  'glassBlur',
  'adjustHsv',
  'pixelate',
  'channelSums',
  'applyChannelLut',
  'fog',
  'snow',
  'spatter',
  'jpegTables',
  'jpegRoundTrip',
];

/** A loaded module: its exports, and pixel traffic in and out of its memory. */
export class WasmKernels {
  constructor(readonly k: KernelExports) {
    const x = this.f64In(ZIGGURAT_X);
    const ratio = this.f64In(ZIGGURAT_RATIO);
    k.setZiggurat(x, ratio);
    k.keep();
  }

  /** Starts a kernel call: frees every region of the previous one. */
  begin(): void {
    this.k.reset();
  }

  alloc(bytes: number): Ptr {
    return this.k.alloc(bytes);
  }

  /** Copies `data` into a new region; returns its pointer. */
  bytesIn(data: Uint8Array): Ptr {
    const p = this.k.alloc(data.length);
    new Uint8Array(this.k.memory.buffer, p, data.length).set(data);
    return p;
  }

  f64In(data: ArrayLike<number>): Ptr {
    const p = this.k.alloc(data.length * 8);
    new Float64Array(this.k.memory.buffer, p, data.length).set(data);
    return p;
  }

  f32In(data: ArrayLike<number>): Ptr {
    const p = this.k.alloc(data.length * 4);
    new Float32Array(this.k.memory.buffer, p, data.length).set(data);
    return p;
  }

  i32In(data: ArrayLike<number>): Ptr {
    const p = this.k.alloc(data.length * 4);
    new Int32Array(this.k.memory.buffer, p, data.length).set(data);
    return p;
  }

  /** A view of n bytes at p (valid until the next alloc). */
  u8(p: Ptr, n: number): Uint8Array {
    return new Uint8Array(this.k.memory.buffer, p, n);
  }

  f64(p: Ptr, n: number): Float64Array {
    return new Float64Array(this.k.memory.buffer, p, n);
  }

  /**
   * One kernel call on an image: begin(), the input copied into a region `src`, an
   * output region `dst` of the same size, `body(src, dst)`, and the output copied into
   * options.out or a new array.
   */
  run(image: RgbImage, options: KernelOptions | undefined, body: (src: Ptr, dst: Ptr) => void): RgbImage {
    this.begin();
    const src = this.bytesIn(image.data);
    const dst = this.alloc(image.data.length);
    body(src, dst);
    return this.imageOut(image, dst, options);
  }

  /** The kernel's output at p as an image of the input's size, in options.out or a new array. */
  imageOut(image: RgbImage, p: Ptr, options?: KernelOptions): RgbImage {
    const out = outputPixels(image, options);
    out.set(this.u8(p, out.length));
    return { width: image.width, height: image.height, data: out };
  }

  /** Seeds the module's random stream with a BulkRandom's state. */
  seed(words: readonly [number, number, number, number]): void {
    this.k.randomSeed(words[0], words[1], words[2], words[3]);
  }

  /** The module's random state, to hand back to a BulkRandom. */
  randomState(): [number, number, number, number] {
    return [this.k.randomState(0), this.k.randomState(1), this.k.randomState(2), this.k.randomState(3)];
  }
}

/**
 * The module file: beside the running bundle (out/node) or, from the TypeScript sources
 * (tests, tsx scripts), under the package root's out/node (as pool.ts finds the worker).
 */
export function wasmFile(): string | null {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    for (const candidate of [path.join(dir, WASM_FILE), path.join(dir, 'out', 'node', WASM_FILE)]) {
      if (existsSync(candidate)) return candidate;
    }
    dir = path.dirname(dir);
  }
  return null;
}

let loaded: WasmKernels | null | undefined;
let loadError = '';
let loadedFrom: string | null = null;
let warned = false;

function load(): WasmKernels | null {
  if (loaded !== undefined) return loaded;
  loaded = null;
  try {
    const file = wasmFile();
    if (!file) throw new Error(`${WASM_FILE} not found (run npm run build:node)`);
    const bytes = readFileSync(file);
    // validate() is false when the runtime lacks a feature the module uses (SIMD).
    if (!webAssembly.validate(bytes)) throw new Error(`${file} does not validate: this runtime lacks WebAssembly SIMD`);
    const instance = new webAssembly.Instance(new webAssembly.Module(bytes), { rng: { exp: Math.exp, log: Math.log } });
    const exports = instance.exports as unknown as KernelExports;
    const missing = FUNCTION_EXPORTS.filter((name) => typeof exports[name] !== 'function');
    if (missing.length > 0) throw new Error(`${file} lacks ${missing.join(', ')}: stale build (run npm run build:node)`);
    loaded = new WasmKernels(exports);
    loadedFrom = file;
  } catch (err) {
    loadError = err instanceof Error ? err.message : String(err);
  }
  return loaded;
}

/** The backend the environment asks for: 'js', 'wasm' or 'auto'. */
function environmentChoice(): CorruptionBackend | 'auto' {
  const v = (process.env[BACKEND_ENV] ?? '').trim().toLowerCase();
  if (v === '' || v === 'auto') return 'auto';
  if (v === 'js' || v === 'wasm') return v;
  throw new Error(`${BACKEND_ENV} must be js, wasm or auto, not '${process.env[BACKEND_ENV]}'`);
}

/**
 * The loaded module if this call should run on it, null for the TypeScript kernels:
 * `requested` (options.backend) first, else the environment (see the header).
 */
export function wasmKernels(requested?: CorruptionBackend): WasmKernels | null {
  const choice = requested ?? environmentChoice();
  if (choice === 'js') return null;
  const kernels = load();
  if (kernels) return kernels;
  if (choice === 'wasm') throw new Error(`the WebAssembly corruption kernels cannot be loaded: ${loadError}`);
  if (!warned) {
    warned = true;
    process.emitWarning(`corruption kernels: WebAssembly unavailable (${loadError}); using the JavaScript kernels (same output, slower)`);
  }
  return null;
}

/** What the default backend is in this thread, and why (for benchmarks and diagnostics). */
export function backendStatus(): { backend: CorruptionBackend; simd: boolean; file: string | null; reason: string | null } {
  const choice = environmentChoice();
  if (choice === 'js') return { backend: 'js', simd: false, file: null, reason: `${BACKEND_ENV}=js` };
  const kernels = load();
  return kernels ? { backend: 'wasm', simd: true, file: loadedFrom, reason: null } : { backend: 'js', simd: false, file: null, reason: loadError };
}
