/**
 * `odra demo` end to end on the smoke preset (the reduced demo CI runs): it generates the
 * scenes, audits the committed demo family and writes result.json, analysis.json and
 * summary.md whose numbers are the stored audit's (read back from DIR/odra.db through the
 * contract), and the HTML and PDF report; `odra report verify` accepts both, whose
 * audit record is that result byte for byte; a second run reuses the finished audit and
 * prints the same table.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoSummaryTable } from '../../../src/cli/commands/demo';
import { Engine } from '../../../src/engine/engine';
import { DEMO_MODEL_ORDER } from '../../../src/engine/demo/workspace';
import { inProcessClient } from '../../../src/engine/rpc/in-process';
import { makeTempDir, removeDir } from '../../helpers/broken-datasets';
import { ensureCliBuilt, runOdra } from '../../helpers/odra-cli';

describe('odra demo', () => {
  let temp: string;
  beforeAll(async () => {
    await ensureCliBuilt();
    temp = await makeTempDir('odra-demo');
  });
  afterAll(async () => {
    await removeDir(temp);
  });

  it('audits the demo family on the smoke preset and writes files whose numbers are the stored audit', async () => {
    const out = path.join(temp, 'demo');
    const first = await runOdra(['demo', '--out', out, '--preset', 'smoke', '--bootstrap', '100', '--json'], { timeoutMs: 600_000 });
    expect(first.code, first.stderr).toBe(0);
    const printed = JSON.parse(first.stdout.trim().split('\n').pop() as string) as { auditId: number; status: string; files: { report: string[] } };
    expect(printed.status).toBe('started');
    expect(first.stderr).toContain('192 units (8 models)');

    const resultText = (await readFile(path.join(out, 'result.json'), 'utf8')).trimEnd();
    const result = JSON.parse(resultText) as { models: { name: string; P: number | null }[] };
    const summary = await readFile(path.join(out, 'summary.md'), 'utf8');
    expect(result.models.map((m) => m.name)).toEqual(DEMO_MODEL_ORDER.map((n) => `odra-demo-det-${n}`));
    expect(result.models.every((m) => m.P !== null)).toBe(true);

    const engine = new Engine({ dbPath: path.join(out, 'odra.db') });
    try {
      const client = inProcessClient(engine);
      expect(await client.call('audits.result', { id: printed.auditId, bootstrap: 100 })).toEqual(result);
      const analysis = await client.call('audits.analysis', { id: printed.auditId, bootstrap: 100 });
      expect(JSON.parse(await readFile(path.join(out, 'analysis.json'), 'utf8'))).toEqual(analysis);
      const table = demoSummaryTable(analysis);
      expect(summary).toContain(table);
      // the baseline's row carries its stored clean AP, to the printed 3 decimals
      expect(table.split('\n')[2]).toContain(`| odra-demo-det-baseline | ${(analysis.models[0].P.value as number).toFixed(3)} [`);
    } finally {
      await engine.close();
    }

    expect(printed.files.report).toEqual([path.join(out, 'report.html'), path.join(out, 'report.pdf')]);
    const recordSha = createHash('sha256').update(resultText).digest('hex');
    // both copies verify: the PDF's cover figures of eight models run past its first page
    for (const report of printed.files.report) {
      const verify = await runOdra(['report', 'verify', report, '--json'], { timeoutMs: 120_000 });
      expect(verify.code, verify.stdout + verify.stderr).toBe(0);
      expect(verify.stdout).toContain(recordSha);
    }

    const second = await runOdra(['demo', '--out', out, '--preset', 'smoke', '--bootstrap', '100'], { timeoutMs: 300_000 });
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).toContain('is done; using its stored result');
    expect(second.stdout).toContain(summary.split('\n\n')[1].trim());
  }, 900_000);

  it('refuses an unknown preset with exit 2', async () => {
    const run = await runOdra(['demo', '--out', path.join(temp, 'x'), '--preset', 'huge']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--preset must be one of demo, smoke');
  });
});
