/**
 * End to end: importing a dataset that is already in the store is not a silent no-op.
 * The page says "already imported as …", shows the stored one, and offers the name the
 * second import asked for as a rename. Needs the built app (`npm run build`) and Chromium.
 */
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeGoodDataset } from '../helpers/broken-datasets';
import { endSession, openEmptyApp, shot, startSession, type E2eSession, type Server } from './helpers';

describe('importing a dataset twice', () => {
  let datasetDir: string;
  let server: Server;
  let session: E2eSession | undefined;
  let page: Page;

  beforeAll(async () => {
    session = await startSession('e2e-already', {
      prepare: async (tmp) => {
        datasetDir = path.join(tmp, 'two-images');
        await makeGoodDataset(datasetDir, 2);
      },
    });
    ({ page, server } = session);
  });
  afterAll(() => endSession(session));

  async function importAs(name: string): Promise<void> {
    await page.getByTestId('dataset-path').fill(datasetDir);
    await page.getByTestId('dataset-name').fill(name);
    await page.getByTestId('dataset-import').click();
  }

  it('says "already imported as", offers the new name as a rename, and renames on request', async () => {
    await openEmptyApp(page, server);
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
