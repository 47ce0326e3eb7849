/**
 * End to end: a past evaluation can be deleted from the Evaluate view (after a confirm),
 * and the model and dataset stay. The store is seeded by the real `odra eval` on two
 * images. Needs the built app (`npm run build`) and Debian's Chromium.
 */
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeGoodDataset } from '../helpers/broken-datasets';
import { runOdra } from '../helpers/odra-cli';
import { sharedPath } from '../helpers/shared';
import { endSession, shot, startSession, type E2eSession, type Server } from './helpers';

describe('deleting an evaluation', () => {
  let server: Server;
  let session: E2eSession | undefined;
  let page: Page;

  beforeAll(async () => {
    session = await startSession('e2e-eval-delete', {
      // two finished evaluations in the store before the server starts
      prepare: async (tmp, db) => {
        const datasetDir = path.join(tmp, 'two-images');
        await makeGoodDataset(datasetDir, 2);
        const model = sharedPath('data', 'models', 'yolox_nano', 'yolox_nano.onnx');
        for (let i = 0; i < 2; i++) {
          const run = await runOdra(['eval', '--model', model, '--dataset', datasetDir, '--db', db, '--json']);
          if (run.code !== 0) throw new Error(`odra eval failed:\n${run.stderr}`);
        }
      },
    });
    ({ page, server } = session);
  });
  afterAll(() => endSession(session));

  it('asks, deletes only the chosen evaluation, and keeps nothing when the user says no', async () => {
    await page.goto(server.url);
    await page.getByTestId('nav-evaluate').click();
    const rows = page.getByTestId('evaluation-row');
    await expect.poll(() => rows.count(), { timeout: 30_000 }).toBe(2);
    const ids = await rows.locator('td:first-child').allTextContents();

    page.once('dialog', (dialog) => void dialog.dismiss());
    await rows.first().getByTestId('evaluation-delete').click();
    expect(await rows.count()).toBe(2);

    const asked: string[] = [];
    page.once('dialog', (dialog) => {
      asked.push(dialog.message());
      void dialog.accept();
    });
    await rows.first().getByTestId('evaluation-delete').click();
    await expect.poll(() => rows.count()).toBe(1);
    expect(asked[0]).toContain(`Delete evaluation #${ids[0].trim()}`);
    expect((await rows.locator('td:first-child').allTextContents()).map((t) => t.trim())).toEqual([ids[1].trim()]);
    await shot(page, 'evaluation-deleted');

    await page.getByTestId('nav-datasets').click();
    await expect.poll(() => page.getByTestId('dataset-row').count()).toBe(1);
  });
});
