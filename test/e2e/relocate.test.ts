/**
 * End to end: a dataset folder or model file moved on disk shows as missing, and
 * "Relocate…" points Odra at the new place after re-hashing it; a place with other bytes
 * is refused with the engine's words and nothing changes. Browser mode (paths typed).
 * Needs the built app (`npm run build`) and Chromium.
 */
import { cp, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { imageFile, makeGoodDataset, removeDir } from '../helpers/broken-datasets';
import { tinyDetectorBytes } from '../helpers/broken-models';
import { endSession, importDataset, importModel, openEmptyApp, shot, startSession, type E2eSession, type Server } from './helpers';

describe('relocating a moved dataset or model', () => {
  let tmp: string;
  let server: Server;
  let session: E2eSession | undefined;
  let page: Page;

  beforeAll(async () => {
    session = await startSession('e2e-relocate');
    ({ page, server, tmp } = session);
    await openEmptyApp(page, server);
  });
  afterAll(() => endSession(session));

  /** What the host answers for one dataset image: 200 when it can read it where the store says. */
  async function imageStatus(datasetId: number, imageId: number): Promise<number> {
    const url = new URL(server.url);
    const res = await fetch(`${url.origin}/files/datasets/${datasetId}/images/${imageId}?token=${url.searchParams.get('token')}`);
    await res.arrayBuffer();
    return res.status;
  }

  /** Views refresh their list on every visit. */
  async function revisit(view: 'datasets' | 'models'): Promise<void> {
    await page.getByTestId(view === 'datasets' ? 'nav-models' : 'nav-datasets').click();
    await page.getByTestId(`nav-${view}`).click();
  }

  it('shows a moved dataset folder as missing, refuses a folder with other images, and relocates to the moved folder', async () => {
    const original = path.join(tmp, 'street');
    const json = await makeGoodDataset(original, 3);
    await importDataset(page, original, { timeoutMs: 60_000 });
    const row = page.getByTestId('dataset-row').first();
    const id = Number(await row.getAttribute('data-dataset-id'));
    const imageId = json.images[0].id;
    expect(await imageStatus(id, imageId)).toBe(200);

    const moved = path.join(tmp, 'archive', 'street');
    await cp(original, moved, { recursive: true });
    await removeDir(original);
    const other = path.join(tmp, 'street-edited');
    await cp(moved, other, { recursive: true });
    const edited = imageFile(other, json.images[1].file_name);
    await writeFile(edited, Buffer.from('edited: not the imported bytes'));

    await revisit('datasets');
    const badge = row.getByTestId('file-state');
    await expect.poll(() => badge.textContent(), { timeout: 30_000 }).toBe('files missing');
    expect(await imageStatus(id, imageId)).toBe(404);

    await row.getByTestId('dataset-relocate').click();
    const detail = page.getByTestId('dataset-detail');
    expect(await detail.getByTestId('file-status-message').textContent()).toContain(`${original}: the dataset's folder does not exist`);
    await shot(page, 'relocate-dataset-missing');

    await detail.getByTestId('relocate-path').fill(other);
    await detail.getByTestId('relocate-submit').click();
    const error = detail.getByTestId('relocate-error');
    await error.waitFor({ timeout: 60_000 });
    expect(await error.getByTestId('error-message').textContent()).toContain(`${other} does not hold this dataset's images: 1 of 3 differ`);
    expect(await error.getByTestId('error-problems').textContent()).toContain(edited);
    // nothing changed: the row still names the old folder and is still missing
    expect(await row.locator('td').first().getAttribute('title')).toBe(original);
    expect(await badge.textContent()).toBe('files missing');

    await detail.getByTestId('relocate-path').fill(moved);
    await detail.getByTestId('relocate-submit').click();
    await detail.getByTestId('relocate-done').waitFor({ timeout: 60_000 });
    expect(await detail.getByTestId('relocate-done').textContent()).toContain(moved);
    await expect.poll(() => badge.count()).toBe(0);
    expect(await detail.getByTestId('relocate-error').count()).toBe(0);
    expect(await row.locator('td').first().getAttribute('title')).toBe(moved);
    expect(Number(await row.getAttribute('data-dataset-id'))).toBe(id);
    expect(await imageStatus(id, imageId)).toBe(200);
    await shot(page, 'relocate-dataset-done');
  });

  it('shows a moved model file as missing, refuses another model, and relocates to the moved file', async () => {
    const original = path.join(tmp, 'tiny.onnx');
    await writeFile(original, tinyDetectorBytes(0.5));
    await importModel(page, original, 60_000);
    const row = page.getByTestId('model-row').first();

    const moved = path.join(tmp, 'models', 'tiny.onnx');
    await cp(original, moved);
    await rename(original, path.join(tmp, 'models', 'tiny-old.onnx'));
    const other = path.join(tmp, 'models', 'other.onnx');
    await writeFile(other, tinyDetectorBytes(0.75));

    await revisit('models');
    const badge = row.getByTestId('file-state');
    await expect.poll(() => badge.textContent(), { timeout: 30_000 }).toBe('file missing');

    await row.getByTestId('model-relocate').click();
    const detail = page.getByTestId('model-detail');
    expect(await detail.getByTestId('file-status-message').textContent()).toContain(`${original} is missing`);
    await detail.getByTestId('relocate-path').fill(other);
    await detail.getByTestId('relocate-submit').click();
    const error = detail.getByTestId('relocate-error');
    await error.waitFor({ timeout: 60_000 });
    expect(await error.getByTestId('error-message').textContent()).toMatch(new RegExp(`${other}.* is not the model "tiny": its SHA-256 is`));
    expect(await row.locator('td').first().getAttribute('title')).toBe(original);

    await detail.getByTestId('relocate-path').fill(moved);
    await detail.getByTestId('relocate-submit').click();
    await detail.getByTestId('relocate-done').waitFor({ timeout: 60_000 });
    await expect.poll(() => badge.count()).toBe(0);
    expect(await row.locator('td').first().getAttribute('title')).toBe(moved);
  });
});
