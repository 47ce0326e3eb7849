import { defineConfig } from 'vitest/config';

// Three projects so CI can report unit, integration and e2e separately;
// integration and e2e load real models and Chromium, so they get longer timeouts.
// `unit-js` runs the corruption fidelity and determinism tests a second time with the
// JavaScript kernels forced (the default backend is WebAssembly, see
// src/engine/corruptions/wasm-backend.ts); the byte-for-byte comparison of the two
// backends runs once, in `unit`.
export default defineConfig({
  test: {
    globalSetup: ['test/global-setup.ts'],
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/unit/**/*.test.ts'], testTimeout: 60_000 } },
      {
        extends: true,
        test: {
          name: 'unit-js',
          include: ['test/unit/corruptions/**/*.test.ts'],
          exclude: ['test/unit/corruptions/wasm-backend.test.ts'],
          env: { ODRA_CORRUPTION_BACKEND: 'js' },
          testTimeout: 60_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          testTimeout: 600_000,
          hookTimeout: 600_000,
          fileParallelism: false,
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          testTimeout: 600_000,
          hookTimeout: 600_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
