/**
 * The layering lint (eslint/architecture.js) refuses back-imports and cross-process
 * imports. Each case lints a small source text as if it were a file at the given path
 * in src/ (ESLint's lintText with a virtual filePath; the imported files are real), with
 * the repository's own eslint.config.js.
 */
import path from 'node:path';
import { ESLint } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../../..');
let eslint: ESLint;

beforeAll(() => {
  eslint = new ESLint({ cwd: root });
});

/** The rule ids that fire on `code` placed at `file` (relative to the repository root). */
async function violations(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(root, file) });
  return result.messages.map((m) => `${m.ruleId ?? 'parse'}: ${m.message}`);
}

describe('engine layers', () => {
  it('refuse a lower area importing a higher one', async () => {
    const found = await violations('src/engine/store/back-import.ts', "export { DatasetRepo } from '../datasets/dataset-repo';\n");
    expect(found).toEqual([expect.stringMatching(/^boundaries\/dependencies: layering: engine:store may not import engine:datasets/)]);
  });

  it('refuse a kernel importing the dataset store (the old corruption preview)', async () => {
    const found = await violations(
      'src/engine/corruptions/kernels/back-import.ts',
      "export type { DatasetRepo } from '../../datasets/dataset-repo';\n",
    );
    expect(found).toEqual([expect.stringMatching(/engine:corruptions may not import engine:datasets/)]);
  });

  it('refuse the composition root importing the transports above it', async () => {
    const found = await violations('src/engine/back-import.ts', "export { RpcSession } from './rpc/session';\n");
    expect(found).toEqual([expect.stringMatching(/engine:engine\.ts may not import engine:rpc/)]);
  });

  it('refuse a folder that is not in the layer table', async () => {
    const found = await violations('src/engine/unplaced/x.ts', "export { openDatabase } from '../store/database';\n");
    expect(found).toEqual([expect.stringMatching(/engine:unlisted may not import engine:store/)]);
  });

  it('allow imports downwards and within an area', async () => {
    expect(
      await violations(
        'src/engine/evaluations/forward-import.ts',
        [
          "export { DatasetRepo } from '../datasets/dataset-repo';",
          "export { Detector } from '../inference/detector';",
          "export { evaluateCoco } from '../cocoeval/cocoeval';",
          "export { runEvaluation } from './run-evaluation';",
          "export { isInside } from '../../platform/node/paths';",
          "export { badInput } from '../../shared/errors';",
          '',
        ].join('\n'),
      ),
    ).toEqual([]);
  });
});

describe('processes', () => {
  it('refuse Electron main importing the engine', async () => {
    const found = await violations('src/main/back-import.ts', "export { servableImage } from '../engine/host/file-route';\n");
    expect(found).toEqual([expect.stringMatching(/main may not import engine:host/)]);
  });

  it('refuse main importing the preload', async () => {
    const found = await violations('src/main/back-import.ts', "export { createBridge } from '../preload/bridge';\n");
    expect(found).toEqual([expect.stringMatching(/main may not import preload/)]);
  });

  it('refuse the engine importing Electron or main', async () => {
    const found = await violations(
      'src/engine/images/back-import.ts',
      "export { app } from 'electron';\nexport { rendererUrl } from '../../main/urls';\n",
    );
    expect(found).toEqual([
      expect.stringMatching(/^no-restricted-imports: .*no Electron/),
      expect.stringMatching(/engine:images may not import main/),
    ]);
  });

  it('refuse the renderer importing Node or another process folder', async () => {
    const found = await violations(
      'src/renderer/src/back-import.ts',
      "export { readFile } from 'node:fs/promises';\nexport { join } from 'path';\nexport { Engine } from '../../engine/engine';\n",
    );
    expect(found).toEqual([
      expect.stringMatching(/^no-restricted-imports: .*no Node modules/),
      expect.stringMatching(/^no-restricted-imports: .*no Node modules/),
      expect.stringMatching(/renderer may not import engine:engine\.ts/),
    ]);
  });

  it('refuse the preload importing anything but Electron and shared', async () => {
    const found = await violations('src/preload/back-import.ts', "export { z } from 'zod';\nexport { ipcRenderer } from 'electron';\n");
    expect(found).toEqual([expect.stringMatching(/^no-restricted-imports: .*only electron/)]);
  });

  it('keep src/shared pure: zod only, no Node or DOM globals', async () => {
    const found = await violations(
      'src/shared/back-import.ts',
      "import { z } from 'zod';\nimport { readFileSync } from 'node:fs';\nexport const a = [z, readFileSync, process.env, window.name];\n",
    );
    expect(found).toEqual([
      expect.stringMatching(/^no-restricted-imports: .*only zod/),
      expect.stringMatching(/^no-restricted-globals: Unexpected use of 'process'/),
      expect.stringMatching(/^no-restricted-globals: Unexpected use of 'window'/),
    ]);
  });

  it('keep platform/node to Node built-ins', async () => {
    const found = await violations(
      'src/platform/node/back-import.ts',
      "export { readFile } from 'node:fs/promises';\nexport { z } from 'zod';\nexport { badInput } from '../../shared/errors';\n",
    );
    expect(found).toEqual([
      expect.stringMatching(/^no-restricted-imports: .*only Node built-ins/),
      expect.stringMatching(/platform-node may not import shared/),
    ]);
  });
});
