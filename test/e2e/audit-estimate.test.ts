/**
 * The audit setup's time estimate in the browser: an analyst sets up an audit of
 * NanoDet-m 0.5x and YOLOX-Nano on 8 KITTI images under 3 corruptions x 2 severities,
 * asks for an estimate, sees the calibration's spinner and then "≈ N s (a–b s) for 112
 * units" with what was measured; changing the setup drops the estimate; nothing was
 * stored (the audit list stays empty).
 * Needs the built app (`npm run build`), /usr/bin/chromium and ../shared.
 * Screenshot: test-results/e2e/audit-setup-estimate.png.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedPath } from '../helpers/shared';
import { endSession, importDataset, importModel, openApp, shot, startSession, type E2eSession, type Server } from './helpers';

describe('Audit setup: time estimate', () => {
  let server: Server;
  let session: E2eSession | undefined;
  let page: Page;
  let consoleErrors: string[] = [];

  beforeAll(async () => {
    session = await startSession('e2e-estimate', { viewport: { width: 1400, height: 1000 } });
    ({ page, consoleErrors, server } = session);
  });

  afterAll(() => endSession(session));

  it('shows the estimate of the setup from a short calibration, and drops it when the setup changes', async () => {
    await openApp(page, server);
    await importDataset(page, sharedPath('data', 'datasets', 'kitti_tiny_2d'));
    await importModel(page, sharedPath('data', 'models', 'nanodet_m', 'nanodet_m_0.5x.onnx'));
    await importModel(page, sharedPath('data', 'models', 'yolox_nano', 'yolox_nano.onnx'));

    await page.getByTestId('nav-audits').click();
    await page.getByTestId('setup-toggle').click();
    const rows = page.getByTestId('setup-model');
    await expect.poll(() => rows.count()).toBe(2);
    await rows.nth(0).getByTestId('setup-model-check').check();
    await rows.nth(1).getByTestId('setup-model-check').check();
    await page.getByTestId('setup-dataset').selectOption({ index: 1 });
    await page.getByTestId('preset-clean').click();
    for (const c of ['gaussian_noise', 'motion_blur', 'contrast']) await page.getByTestId(`corruption-${c}`).check();
    for (const s of [1, 2, 3, 4, 5]) await page.getByTestId(`severity-${s}`).setChecked(s === 2 || s === 5);
    await page.getByTestId('setup-sample').fill('8');

    await page.getByTestId('setup-estimate').click();
    await page.getByTestId('setup-estimating').waitFor({ timeout: 30_000 });
    await expect.poll(() => page.getByTestId('setup-estimate').isDisabled()).toBe(true);
    const result = page.getByTestId('setup-estimate-result');
    await result.waitFor({ timeout: 300_000 });
    const text = (await result.textContent()) ?? '';
    expect(text).toMatch(/≈ \d+ s \(\d+–\d+ s\) for 112 units/);
    expect(text).toContain('measured on 4 images × 4 conditions per model');
    await shot(page, 'audit-setup-estimate');

    // the estimate describes the form it was made for
    await page.getByTestId('setup-sample').fill('6');
    await expect.poll(() => result.count()).toBe(0);

    // nothing was stored: after a reload the audit list is still empty
    await page.reload();
    await expect.poll(() => page.getByTestId('connection').textContent()).toContain('connected');
    await page.getByTestId('nav-audits').click();
    await page.getByTestId('audits-empty').waitFor();
    expect(consoleErrors).toEqual([]);
  }, 600_000);
});
