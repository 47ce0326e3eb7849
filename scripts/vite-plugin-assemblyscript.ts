/**
 * A vite (rollup) plugin that compiles an AssemblyScript entry to WebAssembly and emits
 * it as an asset of the bundle: `npm run build:node` (and so `npm run build` and the
 * tests' global setup) produces out/node/corruption-kernels.wasm from
 * src/engine/corruptions/wasm. The .wasm is a build output, never committed.
 *
 * Toolchain: the `assemblyscript` npm package (compiler plus binaryen), a dev
 * dependency, so a fresh `npm ci` has it on every platform; no system compiler. Should it
 * be missing, the build prints one warning line and emits no .wasm, and the corruption
 * kernels run as JavaScript (src/engine/corruptions/wasm-backend.ts).
 *
 * Flags: -O3 (binaryen, speed), the "stub" runtime (the kernels use no managed objects),
 * SIMD enabled, assertions off (bounds are the JavaScript side's job).
 *
 * Then one more binaryen -O3 pass over the module with generous inlining limits (inline()):
 * AssemblyScript's own limits (a function of more than ~70 instructions that is called
 * twice stays a call) keep the kernels' small SIMD helpers (an 8x8 transpose, one pass of
 * a DCT) as calls, so every block round-trips its values through memory between them.
 * Inlining changes no result (binaryen's passes preserve semantics); it made the JPEG
 * round trip ~7% faster. The limits are generous but bounded, so no function grows
 * without end.
 */
import type { Plugin } from 'vite';

export interface AssemblyScriptOptions {
  /** the AssemblyScript entry file, relative to the project root */
  entry: string;
  /** the asset's file name in the output directory */
  fileName: string;
}

// AS112 warns that an exported function takes a v128: only helpers shared between the
// AssemblyScript files do (inlined); no export of index.ts passes a v128 to JavaScript.
export const ASC_FLAGS = ['-O3', '--runtime', 'stub', '--enable', 'simd', '--noAssert', '--disableWarning', '112'];

type Compiled = { kind: 'ok'; binary: Uint8Array } | { kind: 'missing' } | { kind: 'error'; message: string };

// What the compiled module uses: MVP + the features AssemblyScript enables by default + SIMD.
const FEATURES = ['MutableGlobals', 'NontrappingFPToInt', 'SIMD128', 'BulkMemory', 'BulkMemoryOpt', 'SignExt'] as const;
// instructions: always inline below this size, inline up to this size when it helps, and a function called once
const INLINE_LIMITS = { always: 1000, flexible: 3000, oneCaller: 3000 };

/** The module re-optimised at -O3 with INLINE_LIMITS (see the header). */
async function inline(binary: Uint8Array): Promise<Uint8Array> {
  const binaryen = (await import('binaryen')).default;
  const features = FEATURES.reduce((f, name) => f | binaryen.Features[name], binaryen.Features.MVP);
  const module = binaryen.readBinaryWithFeatures(binary, features);
  try {
    binaryen.setOptimizeLevel(3);
    binaryen.setShrinkLevel(0);
    binaryen.setAlwaysInlineMaxSize(INLINE_LIMITS.always);
    binaryen.setFlexibleInlineMaxSize(INLINE_LIMITS.flexible);
    binaryen.setOneCallerInlineMaxSize(INLINE_LIMITS.oneCaller);
    module.optimize();
    if (!module.validate()) throw new Error('binaryen produced a module that does not validate');
    return module.emitBinary();
  } finally {
    module.dispose();
  }
}

async function compile(options: AssemblyScriptOptions): Promise<Compiled> {
  let asc: typeof import('assemblyscript/asc').default;
  try {
    asc = (await import('assemblyscript/asc')).default;
  } catch {
    return { kind: 'missing' };
  }
  const files = new Map<string, Uint8Array | string>();
  const log: string[] = [];
  const stream = { write: (chunk: Uint8Array | string): void => void log.push(String(chunk)) };
  const { error } = await asc.main([options.entry, '--outFile', options.fileName, ...ASC_FLAGS], {
    writeFile: (name, contents) => void files.set(name, contents),
    stdout: stream,
    stderr: stream,
  });
  const binary = files.get(options.fileName);
  if (error || !(binary instanceof Uint8Array)) {
    return { kind: 'error', message: `AssemblyScript could not compile ${options.entry}: ${error?.message ?? 'no output'}\n${log.join('')}` };
  }
  try {
    return { kind: 'ok', binary: await inline(binary) };
  } catch (err) {
    return { kind: 'error', message: `binaryen could not re-optimise ${options.fileName}: ${err instanceof Error ? err.message : String(err)}` };
  }
}

export function assemblyScript(options: AssemblyScriptOptions): Plugin {
  let compiled: Promise<Compiled> | null = null;
  return {
    name: 'odra-assemblyscript',
    apply: 'build',
    // Compiled while rollup bundles (it takes seconds), awaited when assets are emitted.
    buildStart() {
      compiled = compile(options);
    },
    async generateBundle() {
      const result = await (compiled ?? compile(options));
      if (result.kind === 'missing') {
        this.warn(`assemblyscript is not installed: no ${options.fileName}, the corruption kernels will run as JavaScript`);
        return;
      }
      if (result.kind === 'error') this.error(result.message);
      const binary = result.binary;
      this.emitFile({ type: 'asset', fileName: options.fileName, source: binary });
    },
  };
}
