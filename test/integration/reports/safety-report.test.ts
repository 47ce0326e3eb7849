/**
 * A safety report for a small real audit: NanoDet-m 1.0x (baseline), NanoDet-m 0.5x and
 * YOLOX-Nano on the first 20 images of the shared KITTI set, clean + gaussian noise,
 * defocus blur and fog at severities 2 and 4, 200 bootstrap resamples (the fixture audit
 * of test/helpers/fixture-audit.ts: real inference, real corruption, real scoring).
 *
 * Checked on the written files, as a reviewer would read them: pdftotext shows the model
 * hashes, the verdicts and the P / mPC / rPC numbers of the audit JSON; pdftoppm renders
 * every page (kept as PNGs under test-results/report/), none blank; the attached record
 * verifies and changed copies do not (`odra report verify`, exit 3); the HTML makes no
 * request and breaks no CSP rule in Chromium; the JUnit file validates and its failures
 * are the failing rules; a bad policy exits 2 naming its line. The time of the report
 * (model, HTML, PDF) is written to test-results/report/timing.json.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PDFDocument, PDFName, PDFRawStream } from 'pdf-lib';
import { chromium } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPolicyFile } from '../../../src/engine/policy/parse-policy';
import { policyJunitXml } from '../../../src/engine/policy/junit';
import { chromiumPrinter, findChromium } from '../../../src/engine/reports/chromium-printer';
import { writeReport, type WrittenReport } from '../../../src/engine/reports/write-report';
import { recordNumber } from '../../../src/engine/reports/render-html';
import { fixtureAudit, type FixtureAudit } from '../../helpers/fixture-audit';
import { ensureCliBuilt, runOdra } from '../../helpers/odra-cli';
import { sharedPath } from '../../helpers/shared';

const OUT = path.resolve('test-results', 'report');
const XSD = path.resolve('test', 'fixtures', 'junit', 'junit.xsd');
const EXAMPLE_POLICY = path.resolve('resources', 'policies', 'example.yaml');

let audit: FixtureAudit;
let written: WrittenReport;
let pdfText: string;
let reportSeconds: number;
const pdfFile = path.join(OUT, 'sample-report.pdf');
const htmlFile = path.join(OUT, 'sample-report.html');

interface CanonicalModel { name: string; sha256: string; P: number | null; mPC: number | null; rPC: number | null }

beforeAll(async () => {
  await rm(OUT, { recursive: true, force: true });
  await mkdir(OUT, { recursive: true });
  const models = sharedPath('data', 'models');
  audit = await fixtureAudit({
    id: 7,
    name: 'NanoDet-m widths and YOLOX-Nano on KITTI (20 images)',
    models: [
      { path: path.join(models, 'nanodet_m', 'nanodet_m.onnx'), name: 'NanoDet-m 1.0x', tags: { method: 'none', rate: 100, rate_unit: '% channels kept', training: 'baseline' } },
      { path: path.join(models, 'nanodet_m', 'nanodet_m_0.5x.onnx'), name: 'NanoDet-m 0.5x', tags: { method: 'structured pruning', rate: 50, rate_unit: '% channels kept', training: 'baseline' } },
      { path: path.join(models, 'yolox_nano', 'yolox_nano.onnx'), name: 'YOLOX-Nano' },
    ],
    dataset: sharedPath('data', 'datasets', 'kitti_tiny_2d'),
    images: 20,
    conditions: [
      { corruption: 'clean', severity: 0 },
      { corruption: 'gaussian_noise', severity: 2 },
      { corruption: 'gaussian_noise', severity: 4 },
      { corruption: 'defocus_blur', severity: 2 },
      { corruption: 'defocus_blur', severity: 4 },
      { corruption: 'fog', severity: 2 },
      { corruption: 'fog', severity: 4 },
    ],
    seed: 3,
    resamples: 200,
  });
  const policy = await loadPolicyFile(EXAMPLE_POLICY);
  const started = performance.now();
  written = await writeReport(audit.source, { out: [pdfFile, htmlFile], policy, printer: chromiumPrinter(findChromium()) });
  reportSeconds = (performance.now() - started) / 1000;
  await writeFile(
    path.join(OUT, 'timing.json'),
    `${JSON.stringify({ models: 3, images: 20, conditions: 7, resamples: 200, fixture_audit_s: audit.seconds, report_s: reportSeconds, ...written.seconds }, null, 2)}\n`,
  );
  pdfText = execFileSync('pdftotext', ['-layout', pdfFile, '-'], { encoding: 'utf8' });
  await ensureCliBuilt();
}, 900_000);

afterAll(async () => {
  await rm(path.join(OUT, 'tampered'), { recursive: true, force: true });
});

const canonicalModels = (): CanonicalModel[] => (audit.canonical as { models: CanonicalModel[] }).models;

describe('a safety report of a real 3-model audit', () => {
  it('prints every model hash and the P / mPC / rPC numbers of the audit JSON', () => {
    expect(canonicalModels()).toHaveLength(3);
    for (const m of canonicalModels()) {
      expect(pdfText).toContain(m.sha256);
      for (const v of [m.P, m.mPC, m.rPC]) {
        expect(v).not.toBeNull();
        expect(pdfText).toContain(recordNumber(v));
      }
      // the summary table prints them too, beside the model's name
      const row = pdfText.split('\n').find((l) => l.includes(m.name) && l.includes(recordNumber(m.P)) && l.includes(recordNumber(m.mPC)));
      expect(row, `a summary row for ${m.name}`).toBeDefined();
    }
    expect(pdfText).toContain(written.model.record.sha256);
  });

  it('prints the verdict of every rule and model of the policy', () => {
    const v = written.model.verdicts;
    expect(v).not.toBeNull();
    if (!v) return;
    expect(v.results.length).toBeGreaterThan(10);
    expect(pdfText).toContain(v.verdict === 'pass' ? 'PASS' : 'FAIL');
    const details = pdfText.slice(pdfText.indexOf('Verdict details'));
    for (const r of v.results) {
      const word = r.verdict === 'not_evaluable' ? 'not evaluable' : r.verdict;
      const line = details.split('\n').find((l) => l.includes(r.rule_id) && l.includes(word) && (r.measured === null || l.includes(recordNumber(r.measured))));
      expect(line, `${r.rule_id} / ${r.model.name}: ${word}`).toBeDefined();
    }
  });

  it('renders every page, none blank, and keeps a PNG of each', async () => {
    const pages = Number(/Pages:\s+(\d+)/.exec(execFileSync('pdfinfo', [pdfFile], { encoding: 'utf8' }))?.[1]);
    expect(pages).toBeGreaterThanOrEqual(8);
    execFileSync('pdftoppm', ['-r', '60', '-png', pdfFile, path.join(OUT, 'page')]);
    const pngs = (await readdir(OUT)).filter((f) => /^page-\d+\.png$/.test(f)).sort();
    expect(pngs).toHaveLength(pages);
    for (const png of pngs) {
      // the content area (inside the 17 mm / 16 mm margins that hold the header and
      // footer) must carry ink: a blank page has none there
      const { data, info } = await sharp(path.join(OUT, png)).greyscale().raw().toBuffer({ resolveWithObject: true });
      const top = Math.ceil((info.height * 17) / 297);
      const bottom = info.height - Math.ceil((info.height * 16) / 297);
      let ink = 0;
      for (let y = top; y < bottom; y++) for (let x = 0; x < info.width; x++) if (data[y * info.width + x] < 160) ink++;
      expect(ink / (info.width * (bottom - top)), png).toBeGreaterThan(0.0005);
    }
  });

  it('verifies with odra report verify, PDF and HTML', async () => {
    for (const file of [pdfFile, htmlFile]) {
      const run = await runOdra(['report', 'verify', file, '--json']);
      expect(run.code, run.stderr).toBe(0);
      const v = JSON.parse(run.stdout) as { ok: boolean; record_sha256: string; audit_id: number };
      expect(v).toMatchObject({ ok: true, record_sha256: written.model.record.sha256, audit_id: 7 });
    }
    // the attachment is the canonical JSON, byte for byte
    const doc = await PDFDocument.load(await readFile(pdfFile));
    expect(doc.getSubject()).toContain(written.model.record.sha256);
  });

  it('fails verify for a PDF whose attached record was changed', async () => {
    const dir = path.join(OUT, 'tampered');
    await mkdir(dir, { recursive: true });
    const doc = await PDFDocument.load(await readFile(pdfFile));
    const record = JSON.parse(Buffer.from(written.model.record.base64, 'base64').toString('utf8')) as { models: CanonicalModel[] };
    record.models[1].mPC = (record.models[1].mPC ?? 0) + 0.05;
    let replaced = 0;
    for (const [ref, obj] of doc.context.enumerateIndirectObjects()) {
      if (obj instanceof PDFRawStream && obj.dict.get(PDFName.of('Type')) === PDFName.of('EmbeddedFile')) {
        doc.context.assign(ref, doc.context.flateStream(Buffer.from(JSON.stringify(record)), { Type: 'EmbeddedFile', Subtype: 'application/json' }));
        replaced++;
      }
    }
    expect(replaced).toBe(1);
    const file = path.join(dir, 'changed-record.pdf');
    await writeFile(file, await doc.save());
    const run = await runOdra(['report', 'verify', file]);
    expect(run.code).toBe(3);
    expect(run.stdout).toMatch(/FAIL record SHA-256 equals the cover/);
    expect(run.stdout).toMatch(/FAIL figures of NanoDet-m 0\.5x/);
  });

  it('fails verify for an HTML copy whose cover figure or record was changed', async () => {
    const dir = path.join(OUT, 'tampered');
    await mkdir(dir, { recursive: true });
    const html = await readFile(htmlFile, 'utf8');
    const m = canonicalModels()[0];
    const good = `${m.sha256} P ${recordNumber(m.P)}`;
    expect(html).toContain(good);
    const cover = path.join(dir, 'changed-cover.html');
    await writeFile(cover, html.replace(good, `${m.sha256} P ${recordNumber((m.P ?? 0) + 0.1)}`));
    const run1 = await runOdra(['report', 'verify', cover]);
    expect(run1.code).toBe(3);
    expect(run1.stdout).toMatch(/FAIL figures of NanoDet-m 1\.0x/);
    expect(run1.stdout).toMatch(/ok {3}record SHA-256 equals the cover/);

    const record = Buffer.from(written.model.record.base64, 'base64').toString('utf8').replace(m.sha256, 'f'.repeat(64));
    const changed = path.join(dir, 'changed-record.html');
    await writeFile(changed, html.replace(written.model.record.base64, Buffer.from(record).toString('base64')));
    const run2 = await runOdra(['report', 'verify', changed]);
    expect(run2.code).toBe(3);
    expect(run2.stdout).toMatch(/FAIL record SHA-256 equals the cover/);
  });

  it('is one self-contained HTML file: no script, no request, no CSP violation in Chromium', async () => {
    const html = await readFile(htmlFile, 'utf8');
    expect(html).not.toMatch(/<script\b/i);
    expect(html).not.toMatch(/\b(src|href)="(?!data:)[^"#]/);
    expect(html).toMatch(/<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;|<meta http-equiv="Content-Security-Policy" content="default-src 'none'/);
    const browser = await chromium.launch({ executablePath: findChromium(), args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
    try {
      const page = await browser.newPage();
      const requests: string[] = [];
      const violations: string[] = [];
      page.on('request', (r) => requests.push(r.url()));
      page.on('console', (msg) => {
        if (/Content.Security.Policy|Refused/i.test(msg.text())) violations.push(msg.text());
      });
      await page.goto(`file://${htmlFile}`, { waitUntil: 'load' });
      expect(requests.filter((u) => !u.startsWith('data:') && u !== `file://${htmlFile}`)).toEqual([]);
      expect(violations).toEqual([]);
      const svgs = await page.locator('svg').count();
      expect(svgs).toBeGreaterThan(10);
    } finally {
      await browser.close();
    }
  });

  it('writes JUnit XML that validates and whose failures are the failing rules', async () => {
    const v = written.model.verdicts;
    if (!v) throw new Error('no verdicts');
    const file = path.join(OUT, 'policy-junit.xml');
    const xml = policyJunitXml(v, { auditId: 7, timestamp: written.model.generated_at });
    await writeFile(file, xml);
    execFileSync('xmllint', ['--noout', '--schema', XSD, file], { stdio: 'pipe' });
    const failures = [...xml.matchAll(/<testcase name="([^":]*):[^"]*" classname="odra\.policy\.([^"]*)"[^>]*>\s*<failure /g)].map((m) => `${m[1]}/${m[2]}`);
    expect(failures.sort()).toEqual(v.results.filter((r) => r.verdict === 'fail').map((r) => `${r.rule_id}/${r.model.name}`).sort());
    expect(xml.match(/<testcase /g)).toHaveLength(v.results.length);
  });

  it('gives exit 2 naming the line of a bad policy', async () => {
    const text = (await readFile(EXAMPLE_POLICY, 'utf8')).replace('    max_drop: 0.02\n', '    max_drop: two percent\n');
    const file = path.join(OUT, 'bad-policy.yaml');
    await writeFile(file, text);
    const line = text.slice(0, text.indexOf('two percent')).split('\n').length;
    const run = await runOdra(['policy', 'check', file]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`${file}:${line}: rules[6].max_drop`);
  });
});
