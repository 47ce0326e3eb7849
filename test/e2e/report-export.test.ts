/**
 * Export → preview → save of a finished audit's report in the browser (`odra serve`):
 * the demo smoke audit is made from the welcome screen (`?preset=smoke`: 8 scenes x 3
 * conditions, the demo detector family), then on its results "Export report…" opens the
 * dialog; Preview shows the engine's HTML in a sandboxed iframe (the cover lists every
 * model's SHA-256, read from inside the frame); a path in a folder that does not exist is
 * refused naming it; Save writes the PDF, whose path, size and record SHA-256 the dialog
 * shows, and the file verifies (its attached record is the one its cover names).
 * Needs the built app (`npm run build`) and /usr/bin/chromium; no shared data.
 * Screenshots: test-results/e2e/report-export-{dialog,preview,saved}.png.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyReport } from '../../src/engine/reports/verify';
import { cspViolations, endSession, openApp, recordRpc, shot, startSession, type E2eSession, type RpcRecorder, type Server } from './helpers';

describe('Export report: preview and save a finished audit', () => {
  let tmp: string;
  let server: Server;
  let session: E2eSession | undefined;
  let page: Page;
  let rpc: RpcRecorder;
  let consoleErrors: string[] = [];

  beforeAll(async () => {
    session = await startSession('e2e-report-export', { viewport: { width: 1400, height: 950 } });
    ({ page, consoleErrors, server, tmp } = session);
    rpc = recordRpc(page);
  });

  afterAll(() => endSession(session));

  /** The model hashes of the audit as the engine sent them to the page (audits.get). */
  function auditModelHashes(): string[] {
    const ids = new Set(rpc.sent.filter((m) => m.method === 'audits.get').map((m) => m.id));
    for (const m of [...rpc.received].reverse()) {
      const output = (m as { output?: { models?: { sha256?: unknown }[] } }).output;
      if (m.type === 'response' && ids.has(m.id) && output?.models) return output.models.map((x) => String(x.sha256));
    }
    throw new Error('no audits.get response seen');
  }

  it('previews the report in a sandboxed frame and saves a PDF that verifies', async () => {
    await openApp(page, server, '#/?preset=smoke');
    await page.getByTestId('welcome-demo').click();
    await page.getByTestId('audit-view').waitFor({ timeout: 300_000 });
    await expect.poll(() => page.getByTestId('audit-detail-status').textContent(), { timeout: 300_000 }).toContain('done');

    await page.getByTestId('export-report').click();
    await page.getByTestId('report-export').waitFor();
    // the suggested file sits beside the store
    await expect.poll(() => page.getByTestId('report-path').inputValue()).toMatch(/odra-audit-\d+-report\.pdf$/);
    expect(path.dirname(await page.getByTestId('report-path').inputValue())).toBe(tmp);
    await shot(page, 'report-export-dialog');

    await page.getByTestId('report-preview').click();
    const frame = page.getByTestId('report-frame');
    await frame.waitFor({ timeout: 300_000 });
    expect(await frame.getAttribute('sandbox')).toBe('');
    const hashes = auditModelHashes();
    expect(hashes.length).toBeGreaterThan(1);
    const inside = page.frameLocator('[data-testid="report-frame"]');
    for (const h of hashes) await expect.poll(() => inside.getByText(h).first().count()).toBeGreaterThan(0);
    expect(await page.getByTestId('report-preview-info').textContent()).toMatch(/record [0-9a-f]{16}/);
    await shot(page, 'report-export-preview');

    // a folder that does not exist: refused in words naming the path, nothing written
    const missing = path.join(tmp, 'no-such-folder', 'r.pdf');
    await page.getByTestId('report-path').fill(missing);
    await page.getByTestId('report-save').click();
    await expect.poll(() => page.getByTestId('error-message').textContent()).toContain(`report file ${missing}: its folder`);

    const file = path.join(tmp, 'audit-report.pdf');
    await page.getByTestId('report-path').fill(file);
    await page.getByTestId('report-save').click();
    await page.getByTestId('report-saved').waitFor({ timeout: 300_000 });
    expect(await page.getByTestId('report-saved-path').textContent()).toBe(file);
    const bytes = await readFile(file);
    const record = (await page.getByTestId('report-saved-record').textContent())!.trim();
    const verified = await verifyReport(file);
    expect(verified.checks.filter((c) => !c.ok)).toEqual([]);
    expect(verified).toMatchObject({ ok: true, kind: 'pdf', record_sha256: record });
    expect(Number(await page.getByTestId('report-saved-size').getAttribute('data-bytes'))).toBe(bytes.length);
    expect(await page.getByTestId('report-saved-size').textContent()).toMatch(/\d/);
    await page.getByTestId('report-saved').scrollIntoViewIfNeeded();
    await shot(page, 'report-export-saved');

    expect(rpc.sent.filter((m) => m.method === 'reports.write')).toHaveLength(2);
    expect(consoleErrors).toEqual([]);
    expect(await cspViolations(page)).toEqual([]);
  }, 900_000);
});
