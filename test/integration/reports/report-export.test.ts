/**
 * The app's report export over the engine's contract (reports.render, reports.write), on
 * a real stored audit: the demo workspace's smoke audit (8 generated scenes x clean and
 * two corruptions, the committed demo detector family, real runner process), through
 * the in-process transport every client's calls take.
 *
 * Checked: the preview HTML embeds the audit record whose SHA-256 the call names and
 * shows every model's hash; a written PDF carries that record attached and verifies
 * (engine/reports/verify.ts), as does a written HTML; progress names the stages; a
 * policy given as text is evaluated into the verdict; mistakes are refused before any
 * rendering, in words naming the audit, the policy line or the path.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OdraClient } from '../../../src/shared/client';
import { Engine } from '../../../src/engine/engine';
import { verifyReport } from '../../../src/engine/reports/verify';
import { inProcessClient } from '../../../src/engine/rpc/in-process';
import { chromiumPrinter } from '../../../src/engine/reports/chromium-printer';
import { reportRenderOutputSchema, reportWriteOutputSchema } from '../../../src/shared/report-export';
import { makeTempDir, removeDir } from '../../helpers/broken-datasets';
import { ensureCliBuilt } from '../../helpers/odra-cli';

const POLICY = path.resolve('resources', 'policies', 'example.yaml');

const sha256 = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex');
const embedded = (text: string): Buffer => {
  const m = /id="odra-audit-json"[^>]*href="data:application\/json;base64,([A-Za-z0-9+/=]+)"/.exec(text);
  if (!m) throw new Error('no embedded record');
  return Buffer.from(m[1], 'base64');
};

describe('reports.render and reports.write over the engine', () => {
  let temp: string;
  let engine: Engine;
  let client: OdraClient;
  let auditId: number;

  beforeAll(async () => {
    await ensureCliBuilt();
    temp = await makeTempDir('report-export');
    engine = new Engine({ dbPath: path.join(temp, 'odra.db'), printer: () => chromiumPrinter('/usr/bin/chromium') });
    client = inProcessClient(engine, { privileged: false });
    const ws = await client.call('demo.setup', { preset: 'smoke' });
    if (ws.jobId) expect((await client.call('jobs.watch', { id: ws.jobId })).status).toBe('done');
    auditId = ws.auditId;
  }, 600_000);

  afterAll(async () => {
    await engine?.close();
    if (temp) await removeDir(temp);
  });

  it('renders the preview HTML with the record it names embedded and every model hash shown', async () => {
    const stages: string[] = [];
    const out = reportRenderOutputSchema.parse(
      await client.call('reports.render', { auditId, bootstrap: 50 }, { onProgress: (p) => stages.push(p.stage) }),
    );
    expect(stages).toEqual(['reading audit', 'rendering']);
    expect(sha256(embedded(out.html))).toBe(out.recordSha256);
    expect(out.bytes).toBe(Buffer.byteLength(out.html, 'utf8'));
    const detail = await client.call('audits.get', { id: auditId });
    expect(out.models.map((m) => m.sha256).sort()).toEqual(detail.models.map((m) => m.sha256).sort());
    for (const m of out.models) expect(out.html).toContain(m.sha256);
    expect(out.verdict).toBeNull();
    expect(out.html).not.toMatch(/<script\b/i);
  }, 300_000);

  it('writes a PDF whose attached record verifies and is the record the preview embedded', async () => {
    const preview = await client.call('reports.render', { auditId, bootstrap: 50 });
    const stages: string[] = [];
    const file = path.join(temp, 'out', 'report.pdf');
    await mkdir(path.dirname(file), { recursive: true });
    const out = reportWriteOutputSchema.parse(
      await client.call('reports.write', { auditId, path: file, bootstrap: 50 }, { onProgress: (p) => stages.push(p.stage) }),
    );
    expect(stages).toEqual(['reading audit', 'rendering', 'printing', 'writing']);
    expect(out).toMatchObject({ path: file, kind: 'pdf', recordSha256: preview.recordSha256 });
    const bytes = await readFile(file);
    expect(out.bytes).toBe(bytes.length);
    expect(out.sha256).toBe(sha256(bytes));
    const verified = await verifyReport(file);
    expect(verified.checks.filter((c) => !c.ok)).toEqual([]);
    expect(verified).toMatchObject({ ok: true, kind: 'pdf', audit_id: auditId, record_sha256: preview.recordSha256 });
    // nothing but the report itself is left in its folder (the partial file was renamed)
    expect(await readdir(path.dirname(file))).toEqual(['report.pdf']);
  }, 300_000);

  it('writes an HTML report that verifies, with the verdict of a policy given as text', async () => {
    const file = path.join(temp, 'report.html');
    const out = await client.call('reports.write', { auditId, path: file, bootstrap: 50, policy: { text: await readFile(POLICY, 'utf8'), name: 'example.yaml' } });
    expect(out.kind).toBe('html');
    expect(out.verdict).not.toBeNull();
    expect(out.verdict!.policy.length).toBeGreaterThan(0);
    expect(out.verdict!.pass + out.verdict!.fail + out.verdict!.notEvaluable).toBeGreaterThan(0);
    expect(['pass', 'fail']).toContain(out.verdict!.verdict);
    expect((await verifyReport(file)).ok).toBe(true);
    expect(sha256(embedded(await readFile(file, 'utf8')))).toBe(out.recordSha256);
  }, 300_000);

  it('refuses an unknown audit naming it, and writes nothing', async () => {
    const file = path.join(temp, 'none.pdf');
    await expect(client.call('reports.write', { auditId: 9999, path: file })).rejects.toMatchObject({ code: 'NOT_FOUND', message: expect.stringMatching(/audit 9999 does not exist/) });
    await expect(client.call('reports.render', { auditId: 9999 })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(existsSync(file)).toBe(false);
  });

  it('refuses an unfinished audit, saying what to do', async () => {
    const ws = await client.call('demo.setup', { preset: 'smoke' });
    const { audit } = await client.call('audits.start', {
      modelIds: [ws.modelIds[0]],
      datasetId: ws.datasetId,
      conditions: { corruptions: ['fog'], severities: [1] },
      seed: 11,
    });
    await client.call('audits.cancel', { id: audit.id });
    await expect(client.call('reports.render', { auditId: audit.id })).rejects.toMatchObject({
      code: 'BAD_INPUT',
      message: expect.stringMatching(new RegExp(`audit ${audit.id} is \\w+: only a finished audit can be reported`)),
    });
  }, 120_000);

  it('refuses a bad policy naming the file and line, before rendering', async () => {
    const text = (await readFile(POLICY, 'utf8')).replace('    min: 0.15\n', '    min: fifteen\n');
    const line = text.split('\n').findIndex((l) => l.includes('min: fifteen')) + 1;
    const stages: string[] = [];
    const err = await client
      .call('reports.render', { auditId, policy: { text, name: 'gate.yaml' } }, { onProgress: (p) => stages.push(p.stage) })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'BAD_INPUT', message: expect.stringContaining('gate.yaml') });
    expect(JSON.stringify((err as { details?: unknown }).details)).toContain(`"line":${line}`);
    expect(stages).toEqual([]);
    await expect(client.call('reports.render', { auditId, policy: { file: path.join(temp, 'missing.yaml') } })).rejects.toMatchObject({
      code: 'BAD_INPUT',
      message: expect.stringContaining('missing.yaml: no such file'),
    });
  });

  it('refuses a path it cannot write or a kind it cannot make, naming the path, before rendering', async () => {
    const missing = path.join(temp, 'no-such-folder', 'r.pdf');
    await expect(client.call('reports.write', { auditId, path: missing })).rejects.toMatchObject({
      code: 'BAD_INPUT',
      message: expect.stringContaining(`report file ${missing}: its folder`),
    });
    await expect(client.call('reports.write', { auditId, path: temp + '/r.docx' })).rejects.toMatchObject({
      code: 'BAD_INPUT',
      message: expect.stringMatching(/r\.docx: a report is written as \.pdf or \.html/),
    });
    await expect(client.call('reports.write', { auditId, path: temp + '/' })).rejects.toMatchObject({ code: 'BAD_INPUT' });
  });
});
