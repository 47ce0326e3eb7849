/**
 * The report of a real stored audit, end to end through the CLI: `odra audit` on a --db
 * with --policy, --report (PDF and HTML) and --junit (NanoDet-m 1.0x as the baseline,
 * NanoDet-m 0.5x and YOLOX-Nano on 8 sampled images of the shared KITTI set, clean +
 * gaussian noise and fog at severities 2 and 4, 100 bootstrap resamples), then
 * `odra report --db --audit` on the same store.
 *
 * Checked: the record attached to the PDF and embedded in the HTML is, byte for byte, the
 * object `odra audit --json` printed (its SHA-256 is the cover's, `odra report verify`
 * recomputes it); the PDF's text shows every model's hash and P / mPC / rPC of that
 * object; the exit code is the gate's (3 when the JUnit file has failures, else 0); a
 * later `odra report` of the stored audit embeds the same record (the stored analysis);
 * an unknown audit and a bad policy are exit 2, the bad policy before any audit work.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditResultSchema, type AuditResult } from '../../../src/shared/audits';
import { recordNumber } from '../../../src/engine/reports/render-html';
import { ensureCliBuilt, runOdra, type OdraRun } from '../../helpers/odra-cli';
import { sharedPath } from '../../helpers/shared';

const OUT = path.resolve('test-results', 'report', 'stored-audit');
const POLICY = path.resolve('resources', 'policies', 'example.yaml');
const MODELS = [
  sharedPath('data', 'models', 'nanodet_m', 'nanodet_m.onnx'),
  sharedPath('data', 'models', 'nanodet_m', 'nanodet_m_0.5x.onnx'),
  sharedPath('data', 'models', 'yolox_nano', 'yolox_nano.onnx'),
];
const db = path.join(OUT, 'audits.db');
const pdf = path.join(OUT, 'audit-report.pdf');
const html = path.join(OUT, 'audit-report.html');
const junit = path.join(OUT, 'policy-junit.xml');

let audit: OdraRun;
let result: AuditResult;
let printed: string;

const sha256 = (s: string | Buffer): string => createHash('sha256').update(s).digest('hex');
const embedded = (text: string): Buffer => {
  const m = /id="odra-audit-json"[^>]*href="data:application\/json;base64,([A-Za-z0-9+/=]+)"/.exec(text);
  if (!m) throw new Error('no embedded record');
  return Buffer.from(m[1], 'base64');
};

beforeAll(async () => {
  await rm(OUT, { recursive: true, force: true });
  await mkdir(OUT, { recursive: true });
  await ensureCliBuilt();
  audit = await runOdra(
    [
      'audit',
      ...MODELS.flatMap((m) => ['--model', m]),
      '--dataset', sharedPath('data', 'datasets', 'kitti_tiny_2d'),
      '--corruptions', 'gaussian_noise,fog', '--severities', '2,4',
      '--sample', '8', '--seed', '3', '--threads', '1', '--bootstrap', '100',
      '--db', db, '--json',
      '--policy', POLICY, '--report', pdf, '--report', html, '--junit', junit,
    ],
    { timeoutMs: 600_000 },
  );
  printed = audit.stdout.trim();
  result = auditResultSchema.parse(JSON.parse(printed));
}, 660_000);

afterAll(async () => {
  await rm(db, { force: true });
});

describe('odra audit --policy --report --junit on a real audit', () => {
  it('exits with the gate: 3 when a rule fails, 0 when none does', async () => {
    const xml = await readFile(junit, 'utf8');
    execFileSync('xmllint', ['--noout', '--schema', path.resolve('test', 'fixtures', 'junit', 'junit.xsd'), junit], { stdio: 'pipe' });
    const failures = (xml.match(/<failure /g) ?? []).length;
    expect(audit.code, audit.stderr).toBe(failures > 0 ? 3 : 0);
    expect(audit.stderr).toMatch(/policy Example release gate[^:]*: (PASS|FAIL)/);
  });

  it('attaches and embeds exactly the object odra audit --json printed', async () => {
    expect(result.models).toHaveLength(3);
    const verify = await runOdra(['report', 'verify', pdf, '--json']);
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);
    expect(JSON.parse(verify.stdout)).toMatchObject({ ok: true, record_sha256: sha256(printed), audit_id: result.audit.id });
    expect(embedded(await readFile(html, 'utf8')).toString('utf8')).toBe(printed);
  });

  it('prints every model hash and its P / mPC / rPC in the PDF', () => {
    const text = execFileSync('pdftotext', ['-layout', pdf, '-'], { encoding: 'utf8' });
    expect(text).toContain(sha256(printed));
    for (const m of result.models) {
      expect(text).toContain(m.sha256);
      for (const v of [m.P, m.mPC, m.rPC]) expect(text).toContain(recordNumber(v));
    }
  });

  it('draws the gallery from the stored detections on crops regenerated from the audit seed', async () => {
    const page = await readFile(html, 'utf8');
    expect((page.match(/class="gallery-item"/g) ?? []).length).toBeGreaterThan(0);
  });

  it('writes the same record again from the store with odra report --db --audit', async () => {
    const again = path.join(OUT, 'again.html');
    const run = await runOdra(['report', '--db', db, '--audit', String(result.audit.id), '--bootstrap', '100', '--out', again, '--json']);
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ audit_id: result.audit.id, verdict: null });
    expect(sha256(embedded(await readFile(again, 'utf8')))).toBe(sha256(printed));
  });

  it('refuses an unknown audit with exit 2', async () => {
    const run = await runOdra(['report', '--db', db, '--audit', '999', '--out', path.join(OUT, 'none.html')]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/999/);
    expect(existsSync(path.join(OUT, 'none.html'))).toBe(false);
  });

  it('refuses a bad policy with exit 2 naming its line, before any audit work', async () => {
    const text = (await readFile(POLICY, 'utf8')).replace('    min: 0.15\n', '    min: fifteen\n');
    const bad = path.join(OUT, 'bad-policy.yaml');
    await writeFile(bad, text);
    const line = text.slice(0, text.indexOf('fifteen')).split('\n').length;
    const fresh = path.join(OUT, 'never.db');
    const run = await runOdra(['audit', '--model', MODELS[0], '--dataset', sharedPath('data', 'datasets', 'kitti_tiny_2d'), '--db', fresh, '--policy', bad]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`${bad}:${line}:`);
    expect(existsSync(fresh)).toBe(false);
  });
});
