/**
 * The first run in the browser: `odra serve` on an empty store opens on the welcome screen;
 * its one button ("Open the demo audit") calls demo.setup (progress shown while the scenes
 * are generated and the demo family imported) and opens the demo audit's live view, where
 * the heatmap fills in. The test picks the small preset with the address's `?preset=smoke`
 * (8 scenes x 3 conditions; the app's own default is `demo`).
 * Needs the built app (`npm run build`) and /usr/bin/chromium; no shared data.
 * Screenshots: test-results/e2e/first-run-demo-*.png.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cspViolations, endSession, openApp, recordRpc, shot, startSession, type E2eSession, type RpcRecorder, type Server } from './helpers';

describe('First run: the welcome screen opens the demo audit', () => {
  let server: Server;
  let session: E2eSession | undefined;
  let page: Page;
  let rpc: RpcRecorder;
  let consoleErrors: string[] = [];

  beforeAll(async () => {
    session = await startSession('e2e-first-run', { viewport: { width: 1400, height: 950 } });
    ({ page, consoleErrors, server } = session);
    rpc = recordRpc(page);
  });

  afterAll(() => endSession(session));

  it('opens on the welcome screen and reaches the demo audit heatmap in one click', async () => {
    await openApp(page, server, '#/?preset=smoke');
    await page.getByTestId('welcome').waitFor();
    expect(await page.getByTestId('welcome-preset').textContent()).toContain('smoke');
    await shot(page, 'first-run-demo-01-welcome');

    await page.getByTestId('welcome-demo').click();
    await page.getByTestId('audit-view').waitFor({ timeout: 300_000 });
    expect(rpc.sent.filter((m) => m.method === 'demo.setup')).toHaveLength(1);
    const filled = async (): Promise<number> => Number(await page.getByTestId('heatmap').getAttribute('data-filled'));
    await expect.poll(filled, { timeout: 300_000 }).toBeGreaterThan(0);
    expect(Number(await page.getByTestId('heatmap').getAttribute('data-cells'))).toBeGreaterThan(0);
    await expect.poll(() => page.getByTestId('audit-detail-status').textContent(), { timeout: 300_000 }).toContain('done');
    await page.getByTestId('heatmap').scrollIntoViewIfNeeded();
    await shot(page, 'first-run-demo-02-heatmap');

    // the store is no longer empty: the app opens on the datasets, the welcome is one click away
    await page.goto(server.url);
    await expect.poll(() => page.getByTestId('dataset-row').count()).toBe(1);
    await page.getByTestId('nav-welcome').click();
    await page.getByTestId('welcome-demo').waitFor();

    expect(consoleErrors).toEqual([]);
    expect(await cspViolations(page)).toEqual([]);
  });
});
