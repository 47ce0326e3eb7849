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
  return { kind: 'ok', binary };
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
