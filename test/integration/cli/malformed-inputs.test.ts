import Database from 'better-sqlite3';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../../src/engine/engine';
import { inProcessClient } from '../../../src/engine/rpc/in-process';
import { dumpStore, makeTempDir, removeDir } from '../../helpers/broken-datasets';
import { makeCorpusContext, MALFORMED_INPUTS, type CorpusContext } from '../../helpers/malformed-corpus';
import { ensureCliBuilt, runOdra } from '../../helpers/odra-cli';

function readStore(file: string): Record<string, unknown[]> {
  const db = new Database(file, { readonly: true });
  try {
    return dumpStore(db);
  } finally {
    db.close();
  }
}

describe.concurrent('the malformed-input corpus through odra', () => {
  let temp: string;
  let ctx: CorpusContext;
  let before: Record<string, unknown[]>;

  beforeAll(async () => {
    await ensureCliBuilt();
    temp = await makeTempDir('malformed');
    ctx = await makeCorpusContext(temp, async (store, dataset) => {
      const engine = new Engine({ dbPath: store });
      try {
        await inProcessClient(engine).call('datasets.import', { dir: dataset });
      } finally {
        await engine.close();
      }
    });
    before = readStore(ctx.store);
  });
  afterAll(async () => {
    await removeDir(temp);
  });

  it.each(MALFORMED_INPUTS.map((m, i) => [m.name, i] as const))('%s: exit 2, one message naming the file and the problem', async (_name, i) => {
    const dir = path.join(temp, `case-${i}`);
    await mkdir(dir, { recursive: true });
    const run = await MALFORMED_INPUTS[i].make(dir, ctx);
    const result = await runOdra(run.args, { timeoutMs: 180_000 });
    expect(result.stderr, result.stderr).toMatch(/^odra: /m);
    expect(result.stderr).toContain(run.file);
    expect(result.stderr).toMatch(run.problem);
    // no stack trace, no runtime or protobuf internals in the words the user reads
    expect(result.stderr).not.toMatch(/^\s+at .+\(.+:\d+:\d+\)$/m);
    expect(result.stderr).not.toMatch(/ZodError|wire type|onnxruntime_src|RangeError|Maximum call stack/);
    expect(result.stdout).toBe('');
    expect(result.code).toBe(2);
    if (run.usesStore) expect(readStore(ctx.store)).toEqual(before);
  });
});
