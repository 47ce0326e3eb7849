/**
 * End to end: importing a dataset that is already in the store is not a silent no-op.
 * The page says "already imported as …", shows the stored one, and offers the name the
 * second import asked for as a rename. Needs the built app (`npm run build`) and Chromium.
 */
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeGoodDataset, makeTempDir, removeDir } from '../helpers/broken-datasets';
import { checkPrerequisites, openBrowser, shot, startServer, stopServer, type Server } from './helpers';

describe('importing a dataset twice', () => {
  let tmp: string;
  let datasetDir: string;
  let server: Server | undefined;
  let browser: Browser | undefined;
  let page: Page;

  beforeAll(async () => {
    await checkPrerequisites();
    tmp = await makeTempDir('e2e-already');
    datasetDir = path.join(tmp, 'two-images');
    await makeGoodDataset(datasetDir, 2);
    server = await startServer(path.join(tmp, 'odra.db'));
    const session = await openBrowser();
    browser = session.browser;
    page = session.page;
  });
  afterAll(async () => {
    await browser?.close();
    await stopServer(server);
    if (tmp) await removeDir(tmp);
  });

  async function importAs(name: string): Promise<void> {
    await page.getByTestId('dataset-path').fill(datasetDir);
    await page.getByTestId('dataset-name').fill(name);
    await page.getByTestId('dataset-import').click();
  }

  it('says "already imported as", offers the new name as a rename, and renames on request', async () => {
    await page.goto(server!.url);
    await page.getByTestId('welcome-demo').waitFor(); // an empty store opens on the welcome screen
    await page.getByTestId('nav-datasets').click();
    await page.getByTestId('datasets-empty').waitFor();
    await importAs('first');
    const rows = page.getByTestId('dataset-row');
    await rows.first().waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('import-notice').count()).toBe(0);

    await importAs('second');
    const message = page.getByTestId('import-notice-message');
    await message.waitFor({ timeout: 60_000 });
    expect(await message.textContent()).toContain('This dataset is already imported as "first": nothing new was imported');
    expect(await rows.count()).toBe(1);
    await shot(page, 'already-imported');

    await page.getByTestId('import-notice-rename').click();
    await expect.poll(async () => (await rows.first().locator('td').first().textContent())?.trim()).toBe('second');
    expect(await page.getByTestId('import-notice').count()).toBe(0);
    expect(await rows.count()).toBe(1);
  });
});
