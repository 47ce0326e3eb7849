/**
 * The corruption preview end to end: odra serve's worker pool corrupts a real KITTI
 * frame, Chromium shows it as a strip and a grid, and the pixel view shows the image's
 * own pixels as squares beside the clean image. Needs the built app (`npm run build`),
 * /usr/bin/chromium and ../shared. Screenshots: test-results/e2e/corruptions-*.png.
 */
import path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CORRUPTION_NAMES, HELD_OUT_CORRUPTIONS } from '../../src/shared/corruptions';
import { annotationsFile, readCocoJson, type CocoJson } from '../helpers/broken-datasets';
import { sharedPath } from '../helpers/shared';
import {
  cspViolations,
  endSession,
  importDataset,
  openEmptyApp,
  recordRpc,
  shot,
  shotsDir,
  startSession,
  type E2eSession,
  type ImageLike,
  type RpcRecorder,
  type Server,
} from './helpers';

interface Raw {
  width: number;
  height: number;
  channels: number;
  data: Buffer;
}

async function decodePng(png: Buffer): Promise<Raw> {
  const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, channels: info.channels, data };
}

function decodeDataUrl(url: string): Promise<Raw> {
  const match = /^data:image\/png;base64,(.+)$/.exec(url);
  if (!match) throw new Error(`not a PNG data URL: ${url.slice(0, 40)}…`);
  return decodePng(Buffer.from(match[1], 'base64'));
}

function pixel(raw: Raw, x: number, y: number): [number, number, number] {
  const i = (y * raw.width + x) * raw.channels;
  return [raw.data[i], raw.data[i + 1], raw.data[i + 2]];
}

/** Parses the pane image's `translate(Xpx, Ypx) scale(S)`. */
function parseTransform(transform: string): { x: number; y: number; scale: number } {
  const match = /translate\(([-\d.e]+)px(?:,\s*([-\d.e]+)px)?\)\s*scale\(([-\d.e]+)\)/.exec(transform);
  if (!match) throw new Error(`unexpected transform "${transform}"`);
  return { x: Number(match[1]), y: Number(match[2] ?? 0), scale: Number(match[3]) };
}

/**
 * Share of screen pixels (in a central window of the pane) whose colour is exactly the
 * image pixel the view transform puts there: 1 when pixels are drawn as squares from
 * the right place; smoothed scaling or a misplaced image gives far less (a shift of one
 * screen pixel alone costs 1/8 per axis at 8x). The pane sits at a fractional page
 * position and an element screenshot starts on a whole pixel, so the best of the
 * shifts within one screen pixel counts.
 */
function matchShare(screen: Raw, image: Raw, view: { x: number; y: number; scale: number }): number {
  let best = 0;
  for (const dy of [-1, 0, 1]) for (const dx of [-1, 0, 1]) best = Math.max(best, matchShareAt(screen, image, view, dx, dy));
  return best;
}

function matchShareAt(screen: Raw, image: Raw, view: { x: number; y: number; scale: number }, dx: number, dy: number): number {
  let total = 0;
  let same = 0;
  const x0 = Math.floor(screen.width * 0.2);
  const y0 = Math.floor(screen.height * 0.2);
  for (let sy = y0; sy < screen.height - y0; sy++) {
    for (let sx = x0; sx < screen.width - x0; sx++) {
      const ix = Math.floor((sx + 0.5 + dx - view.x) / view.scale);
      const iy = Math.floor((sy + 0.5 + dy - view.y) / view.scale);
      if (ix < 0 || iy < 0 || ix >= image.width || iy >= image.height) continue;
      total++;
      const a = pixel(screen, sx, sy);
      const b = pixel(image, ix, iy);
      if (Math.abs(a[0] - b[0]) <= 2 && Math.abs(a[1] - b[1]) <= 2 && Math.abs(a[2] - b[2]) <= 2) same++;
    }
  }
  if (total === 0) throw new Error('the pane shows no image pixels');
  return same / total;
}

describe('Corruption preview in the browser (odra serve + Chromium)', () => {
  const datasetDir = sharedPath('data', 'datasets', 'kitti_tiny_2d');
  let coco: CocoJson;
  let server: Server;
  let session: E2eSession | undefined;
  let page: Page;
  let consoleErrors: string[] = [];
  let rpc: RpcRecorder;
  /** the image picked in the first test */
  let chosen: { id: number; width: number; height: number };

  const result = (): Locator => page.getByTestId('corr-result');
  const cells = (): Locator => page.getByTestId('corr-cell');

  /** Waits for the preview of the current selection to be on screen. */
  async function waitReady(expectedCells: number, seed: number): Promise<void> {
    await expect
      .poll(async () => `${await result().getAttribute('data-state')}/${await result().getAttribute('data-seed')}`, { timeout: 180_000 })
      .toBe(`ready/${seed}`);
    await expect.poll(() => cells().locator('img').count()).toBe(expectedCells);
  }

  /** Each cell's image source, in display order. */
  function cellSources(): Promise<string[]> {
    return cells()
      .locator('img')
      .evaluateAll((imgs) => imgs.map((img) => img.getAttribute('src') ?? ''));
  }

  /** Natural sizes of the given images once they are decoded. */
  async function decodedSizes(images: Locator): Promise<{ w: number; h: number }[]> {
    await expect
      .poll(() => images.evaluateAll((els) => els.every((el) => (el as unknown as ImageLike).complete && (el as unknown as ImageLike).naturalWidth > 0)))
      .toBe(true);
    return images.evaluateAll((els) =>
      els.map((el) => ({ w: (el as unknown as ImageLike).naturalWidth, h: (el as unknown as ImageLike).naturalHeight })),
    );
  }

  beforeAll(async () => {
    coco = await readCocoJson(annotationsFile(datasetDir));
    session = await startSession('e2e-corruptions');
    ({ page, consoleErrors, server } = session);
    rpc = recordRpc(page);
  });

  afterAll(() => endSession(session));

  it('imports KITTI, opens Corruptions and picks an image from the thumbnails', async () => {
    await openEmptyApp(page, server);
    await importDataset(page, datasetDir);

    await page.getByTestId('nav-corruptions').click();
    await page.getByTestId('corr-no-image').waitFor();
    // The only dataset is chosen for the user; its first page of images is offered.
    const thumbs = page.getByTestId('corr-thumb');
    await expect.poll(() => thumbs.count()).toBe(Math.min(12, coco.images.length));
    expect(await page.getByTestId('corr-dataset').locator('option:checked').textContent()).toContain('kitti_tiny_2d');

    // The second thumbnail, so the test does not depend on a default pick.
    const thumb = thumbs.nth(1);
    const id = Number(await thumb.getAttribute('data-image-id'));
    const entry = coco.images.find((im) => im.id === id);
    if (!entry) throw new Error(`thumbnail shows image ${id}, which is not in annotations.json`);
    chosen = { id, width: entry.width, height: entry.height };
    await thumb.click();
    expect(await thumb.getAttribute('aria-selected')).toBe('true');
  });

  it('shows the clean image beside gaussian noise at severities 1..5', async () => {
    await page.getByTestId('corr-corruption').selectOption('gaussian_noise');
    await waitReady(5, 0);
    const severities = await cells().evaluateAll((els) => els.map((el) => `${el.getAttribute('data-corruption')}@${el.getAttribute('data-severity')}`));
    expect(severities).toEqual([1, 2, 3, 4, 5].map((s) => `gaussian_noise@${s}`));

    const sizes = await decodedSizes(page.locator('[data-testid="corr-clean"] img, [data-testid="corr-cell"] img'));
    expect(sizes).toHaveLength(6);
    for (const size of sizes) expect(size).toEqual({ w: chosen.width, h: chosen.height });

    // Each label names the corruption, the severity and the time the engine took.
    for (const text of await cells().locator('figcaption').allTextContents()) {
      expect(text).toMatch(/Gaussian noise\s*[\d.]+ m?s\s*severity [1-5]/);
    }
    // Five different pictures, none of them the clean one, growing noisier with severity.
    const sources = await cellSources();
    expect(new Set(sources).size).toBe(5);
    const clean = await decodeDataUrl((await page.getByTestId('corr-clean').locator('img').getAttribute('src')) ?? '');
    const mse: number[] = [];
    for (const src of sources) {
      const noisy = await decodeDataUrl(src);
      let sum = 0;
      for (let i = 0; i < noisy.data.length; i++) sum += (noisy.data[i] - clean.data[i]) ** 2;
      mse.push(sum / noisy.data.length);
    }
    for (let i = 1; i < mse.length; i++) expect(mse[i]).toBeGreaterThan(mse[i - 1]);
    await shot(page, 'corruptions-strip');
  });

  it('gives the same pixels for the same seed and different ones for another seed', async () => {
    const seed0 = await cellSources();
    const seedField = page.getByTestId('corr-seed');
    await seedField.fill('7');
    await waitReady(5, 7);
    const seed7 = await cellSources();
    for (let i = 0; i < 5; i++) expect(seed7[i], `severity ${i + 1}`).not.toBe(seed0[i]);

    // Asked again from scratch: byte-identical PNGs.
    await seedField.fill('0');
    await waitReady(5, 0);
    expect(await cellSources()).toEqual(seed0);

    // Not a number: nothing is asked, the field says why.
    await seedField.fill('-3');
    await page.getByTestId('corr-seed-invalid').waitFor();
    await seedField.fill('0');
    await page.getByTestId('corr-seed-invalid').waitFor({ state: 'detached' });
    await waitReady(5, 0);
  });

  it('cancels a pending request and ignores an answer that is no longer wanted', async () => {
    // Grid of all 19 at severity 5: long enough on the pool to be caught while pending.
    await page.getByTestId('corr-mode-grid').click();
    await page.getByTestId('corr-severity-5').click();
    // in flight at the engine, not just waiting out the pause before asking
    await page.getByTestId('corr-pending').filter({ hasText: 'Corrupting 19' }).waitFor();
    await page.getByTestId('corr-cancel').click();
    await expect.poll(() => page.getByTestId('corr-notice').textContent()).toContain('cancelled');
    expect(await result().getAttribute('data-state')).toBe('idle');

    // A strip request overtaken by another one: only the second picture is shown.
    await page.getByTestId('corr-mode-strip').click();
    await page.getByTestId('corr-corruption').selectOption('zoom_blur');
    await page.getByTestId('corr-pending').filter({ hasText: 'Corrupting 5' }).waitFor();
    const overtaken = rpc.sent.findLast(
      (m) => m.method === 'corruptions.preview' && Array.isArray(m.input?.corruptions) && m.input.corruptions.includes('zoom_blur'),
    );
    expect(overtaken?.id).toBeTruthy();
    expect(await page.getByTestId('corr-notice').count()).toBe(0);
    await shot(page, 'corruptions-pending');
    await page.getByTestId('corr-corruption').selectOption('shot_noise');
    await waitReady(5, 0);
    const names = await cells().evaluateAll((els) => els.map((el) => el.getAttribute('data-corruption')));
    expect(names).toEqual(Array(5).fill('shot_noise'));
    const shown = await cellSources();
    // The engine's answer to the overtaken zoom-blur request has reached the page, and changed nothing.
    await rpc.response(overtaken!.id!);
    expect(await cellSources()).toEqual(shown);
    expect(await page.getByTestId('corr-error').count()).toBe(0);
    // the overtaken request was replaced, not cancelled by the user: nothing to tell
    expect(await page.getByTestId('corr-notice').count()).toBe(0);
  });

  it('shows all 19 corruptions at severity 3, the 15 benchmark ones then the held-out ones', async () => {
    await page.getByTestId('corr-mode-grid').click();
    await page.getByTestId('corr-severity-3').click();
    await waitReady(19, 0);
    const order = await cells().evaluateAll((els) => els.map((el) => `${el.getAttribute('data-corruption')}@${el.getAttribute('data-severity')}`));
    expect(order).toEqual(CORRUPTION_NAMES.map((n) => `${n}@3`));
    const heldOut = await page
      .locator('[data-role="held-out"] [data-testid="corr-cell"]')
      .evaluateAll((els) => els.map((el) => el.getAttribute('data-corruption')));
    expect(heldOut).toEqual([...HELD_OUT_CORRUPTIONS]);
    expect(await page.locator('[data-role="benchmark"] [data-testid="corr-cell"]').count()).toBe(15);
    const sizes = await decodedSizes(cells().locator('img'));
    for (const size of sizes) expect(size).toEqual({ w: chosen.width, h: chosen.height });
    expect(new Set(await cellSources()).size).toBe(19);
    await shot(page, 'corruptions-grid');
  });

  it('zooms to pixels with the clean image beside it at the same zoom and pan', async () => {
    await cells().first().locator('button').click();
    const zoom = page.getByTestId('corr-zoom');
    await zoom.waitFor();
    expect(await page.getByTestId('zoom-title').textContent()).toBe('Gaussian noise');
    const level = page.getByTestId('zoom-level');
    const scale = async (): Promise<number> => Number(await level.getAttribute('data-scale'));
    const fitScale = await scale();
    expect(fitScale).toBeGreaterThan(0);
    // A wide driving frame gets the full width: clean above, corrupted below.
    expect(await zoom.locator('[data-layout]').getAttribute('data-layout')).toBe('stacked');
    await page.screenshot({ path: path.join(shotsDir, 'corruptions-zoom-fit.png') });

    // The wheel zooms in about the pointer; the buttons step up to 8x and beyond.
    const cellPane = page.getByTestId('zoom-pane-cell');
    const cleanPane = page.getByTestId('zoom-pane-clean');
    const box = (await cellPane.boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.wheel(0, -400);
    await expect.poll(scale).toBeGreaterThan(fitScale * 2);
    while ((await scale()) < 8) await page.getByTestId('zoom-in').click();
    expect(await scale()).toBe(8);

    // Drag pans both panes alike.
    const transforms = async (): Promise<string[]> =>
      [await cleanPane.locator('img').evaluate((el) => (el as unknown as { style: { transform: string } }).style.transform),
        await cellPane.locator('img').evaluate((el) => (el as unknown as { style: { transform: string } }).style.transform)];
    const before = parseTransform((await transforms())[1]);
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2 + 60, box.y + box.height / 2 + 40, { steps: 4 });
    await page.mouse.up();
    const [cleanTransform, cellTransform] = await transforms();
    expect(cleanTransform).toBe(cellTransform);
    const after = parseTransform(cellTransform);
    expect(after.scale).toBe(8);
    expect(Math.abs(after.x - before.x - 60)).toBeLessThan(0.01);
    expect(Math.abs(after.y - before.y - 40)).toBeLessThan(0.01);

    // The readout gives the pixel under the pointer and both colours, as decoded.
    const src = (await cellPane.locator('img').getAttribute('src')) ?? '';
    const cleanSrc = (await cleanPane.locator('img').getAttribute('src')) ?? '';
    const noisy = await decodeDataUrl(src);
    const clean = await decodeDataUrl(cleanSrc);
    await page.mouse.move(box.x + 101, box.y + 77);
    const readout = (await page.getByTestId('zoom-readout').textContent()) ?? '';
    const px = Math.floor((101 - after.x) / after.scale);
    const py = Math.floor((77 - after.y) / after.scale);
    expect(readout).toContain(`pixel (${px}, ${py})`);
    expect(readout).toContain(`clean rgb ${pixel(clean, px, py).join(', ')}`);
    expect(readout).toContain(`Gaussian noise rgb ${pixel(noisy, px, py).join(', ')}`);
    await page.screenshot({ path: path.join(shotsDir, 'corruptions-zoom-8x.png') });

    // On screen each image pixel is an 8x8 square of its own colour, in both panes.
    await page.mouse.move(2, 2);
    await page.getByTestId('zoom-readout').waitFor({ state: 'detached' });
    const cellShot = await decodePng(await cellPane.screenshot());
    const cleanShot = await decodePng(await cleanPane.screenshot());
    expect(matchShare(cellShot, noisy, after)).toBeGreaterThan(0.98);
    expect(matchShare(cleanShot, clean, after)).toBeGreaterThan(0.98);
    await cellPane.screenshot({ path: path.join(shotsDir, 'corruptions-zoom-pane.png') });

    // Next cell keeps the zoom and pan, Esc closes.
    await page.getByTestId('zoom-next').click();
    expect(await page.getByTestId('zoom-title').textContent()).toBe('Shot noise');
    expect((await transforms())[1]).toBe(cellTransform);
    await page.keyboard.press('Escape');
    await zoom.waitFor({ state: 'detached' });
  });

  it('printed no errors in the browser console and broke no CSP rule', async () => {
    expect(consoleErrors).toEqual([]);
    expect(await cspViolations(page)).toEqual([]);
  });
});
