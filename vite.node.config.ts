import { builtinModules } from 'node:module';
import { defineConfig } from 'vite';
import pkg from './package.json';
import { assemblyScript } from './scripts/vite-plugin-assemblyscript';

/**
 * The Node-side bundles: the CLI, the engine host that Electron runs as a
 * utilityProcess, the audit runner process, and the corruption, scorer and image-scan workers. Dependencies
 * stay external (native modules must load from node_modules); only our own code is bundled. Beside them, the
 * corruption kernels' WebAssembly module (src/engine/corruptions/wasm, AssemblyScript).
 */
const external = [
  ...builtinModules,
  ...builtinModules.map((m) => `node:${m}`),
  ...Object.keys(pkg.dependencies),
  'electron',
];

export default defineConfig({
  plugins: [assemblyScript({ entry: 'src/engine/corruptions/wasm/index.ts', fileName: 'corruption-kernels.wasm' })],
  build: {
    ssr: true,
    target: 'node20',
    outDir: 'out/node',
    emptyOutDir: true,
    sourcemap: true,
    minify: false,
    rollupOptions: {
      input: {
        cli: 'src/cli/index.ts',
        'engine-host': 'src/engine/host/utility-entry.ts',
        'corruption-worker': 'src/engine/corruptions/worker.ts',
        runner: 'src/engine/runner/runner-entry.ts',
        'scorer-worker': 'src/engine/audits/scorer-worker.ts',
        'image-scan-worker': 'src/engine/images/scan-worker.ts',
        'postprocess-worker': 'src/engine/runner/postprocess-worker.ts',
      },
      external: (id) => external.some((e) => id === e || id.startsWith(`${e}/`)),
      output: { format: 'es', entryFileNames: '[name].js', chunkFileNames: 'chunks/[name]-[hash].js' },
    },
  },
});
