/**
 * End to end: the page the app opens on is decided from the store (app/start-page.ts) while
 * the nav bar is already usable. A view the analyst opens before that decision arrives stays
 * open; the start page's redirect does not replace it. The decision is held back exactly
 * (relayRpc holds the start page's audits.list until the Evaluate view has asked for its
 * list), so the click always comes first. Needs the built app (`npm run build`) and Chromium.
 */
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeGoodDataset } from '../helpers/broken-datasets';
import { runOdra } from '../helpers/odra-cli';
import { sharedPath } from '../helpers/shared';
import { endSession, relayRpc, startSession, type E2eSession, type RpcRelay, type Server } from './helpers';

describe('the start page and an early click on the nav bar', () => {
  let server: Server;
  let session: E2eSession | undefined;
  let page: Page;
  let rpc: RpcRelay;

  beforeAll(async () => {
    session = await startSession('e2e-start-page', {
      // one evaluation in the store, so the start page is the datasets and the Evaluate view lists a row
      prepare: async (tmp, db) => {
        const datasetDir = path.join(tmp, 'two-images');
        await makeGoodDataset(datasetDir, 2);
        const model = sharedPath('data', 'models', 'yolox_nano', 'yolox_nano.onnx');
        const run = await runOdra(['eval', '--model', model, '--dataset', datasetDir, '--db', db, '--json']);
        if (run.code !== 0) throw new Error(`odra eval failed:\n${run.stderr}`);
      },
    });
    ({ page, server } = session);
    rpc = await relayRpc(page);
  });
  afterAll(() => endSession(session));

  it('keeps the Evaluate view opened before the start page was decided', async () => {
    const held = rpc.hold('audits.list');
    await page.goto(server.url);
    await held.sent;
    await page.getByTestId('nav-evaluate').click();
    await held.followedBy((f) => f.method === 'evaluations.list', 'evaluations.list');
    held.release();
    const rows = page.getByTestId('evaluation-row');
    await expect.poll(() => rows.count(), { timeout: 30_000 }).toBe(1);
    expect(new URL(page.url()).hash).toBe('#/evaluate');
    expect(await page.title()).toBe('Evaluate · Odra');
  });
});
