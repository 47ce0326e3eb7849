/**
 * Runs broken-dataset cases through the engine (the way the UI and the CLI import):
 * each must fail as BAD_INPUT naming the file (and line where the format has lines)
 * and leave the store exactly as it was, a previously imported dataset included.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../../src/engine/engine';
import { inProcessClient } from '../../../src/engine/rpc/in-process';
import type { OdraClient } from '../../../src/shared/client';
import { dumpStore, makeTempDir, removeDir } from '../../helpers/broken-datasets';
import { importError, materialise, type BrokenImport } from '../../helpers/dataset-fixtures';

export function describeBrokenImports(title: string, baseline: string, cases: readonly BrokenImport[]): void {
  describe(title, () => {
    let temp: string;
    let engine: Engine;
    let client: OdraClient;
    let baselineId: number;
    let caseNo = 0;

    beforeAll(async () => {
      temp = await makeTempDir('broken-import');
      engine = new Engine({ dbPath: path.join(temp, 'odra.db') });
      client = inProcessClient(engine);
      const { dir } = await materialise(baseline, path.join(temp, 'baseline'));
      baselineId = (await client.call('datasets.import', { dir })).id;
    });
    afterAll(async () => {
      await engine?.close();
      if (temp) await removeDir(temp);
    });

    it.each(cases.map((c) => [c.name, c] as const))('%s: BAD_INPUT naming the file; store unchanged', async (_name, c) => {
      const { dir } = await materialise(c.fixture, path.join(temp, `case-${++caseNo}`));
      const expected = await c.make(dir);
      const before = dumpStore(engine.db);

      const err = await importError(client, { dir, ...c.input });
      expect(err.code).toBe('BAD_INPUT');
      expect(err.message).toContain(expected.file);
      expect(err.message).toMatch(expected.problem);
      const problems = err.details?.problems ?? [];
      const hit = problems.find((p) => p.file === expected.file && expected.problem.test(p.problem));
      expect(hit, JSON.stringify(problems, null, 1)).toBeDefined();
      if (expected.line !== undefined) expect(hit?.line).toBe(expected.line);

      expect(dumpStore(engine.db)).toEqual(before);
      expect((await client.call('datasets.list', {})).map((d) => d.id)).toEqual([baselineId]);
    });
  });
}
