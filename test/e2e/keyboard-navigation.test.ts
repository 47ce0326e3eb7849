/**
 * Keyboard use and field errors in the browser, on KITTI tiny (68 images) with
 * YOLOX-nano: a bad adapter value is named in words under its field, which is marked
 * invalid; the thumbnail grid is one tab stop whose arrows, Home / End and Page keys
 * move the active thumbnail (the virtual grid scrolls it in); Enter opens the image
 * view and Escape closes it with focus back on the thumbnail that opened it; the
 * corruption grid moves the same way and its pixel view gives focus back too; the
 * audit drill-down's 10,000-row list (the bench view's) is one tab stop as well.
 * Needs the built app (`npm run build`), /usr/bin/chromium and ../shared.
 * Screenshots: test-results/e2e/adapter-form-field-error.png, keyboard-*.png.
 */
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedPath } from '../helpers/shared';
import { cspViolations, endSession, importDataset, importModel, openEmptyApp, shot, startSession, type E2eSession, type Server } from './helpers';

/** What the checks read of the focused element (this project's Node config has no DOM types). */
interface Focused {
  testid: string | null;
  index: string | null;
  position: string | null;
  inInspector: boolean;
  inZoom: boolean;
}

interface StyleWindow {
  getComputedStyle(el: unknown): { borderTopColor: string };
}

interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

describe('keyboard navigation, focus return and adapter field errors (odra serve + Chromium)', () => {
  const kittiDir = sharedPath('data', 'datasets', 'kitti_tiny_2d');
  const modelFile = sharedPath('data', 'models', 'yolox_nano', 'yolox_nano.onnx');
  let server: Server;
  let session: E2eSession | undefined;
  let page: Page;
  let consoleErrors: string[] = [];

  const cells = (): Locator => page.getByTestId('grid-cell');
  const cell = (index: number): Locator => page.locator(`[data-testid="grid-cell"][data-index="${index}"]`);

  function focused(): Promise<Focused> {
    return page.evaluate(() => {
      const el = (globalThis as unknown as { document: { activeElement: { getAttribute(n: string): string | null; closest(s: string): unknown } | null } })
        .document.activeElement;
      return {
        testid: el?.getAttribute('data-testid') ?? null,
        index: el?.getAttribute('data-index') ?? null,
        position: el?.getAttribute('data-position') ?? null,
        inInspector: Boolean(el?.closest('[data-testid="inspector"]')),
        inZoom: Boolean(el?.closest('[data-testid="corr-zoom"]')),
      };
    });
  }
  const focusedIndex = async (): Promise<number> => {
    const f = await focused();
    if (f.testid !== 'grid-cell') throw new Error(`focus is not on a thumbnail but on ${JSON.stringify(f)}`);
    return Number(f.index);
  };
  /** data-index of every rendered thumbnail that is a tab stop */
  const tabStops = (): Promise<string[]> =>
    cells().evaluateAll((els) => els.filter((e) => e.getAttribute('tabindex') === '0').map((e) => e.getAttribute('data-index') ?? ''));

  beforeAll(async () => {
    session = await startSession('e2e-keyboard', { viewport: { width: 1360, height: 900 } });
    ({ page, consoleErrors, server } = session);
  });

  afterAll(() => endSession(session));

  it('imports KITTI tiny and YOLOX-nano', async () => {
    await openEmptyApp(page, server);
    await importDataset(page, kittiDir);
    await importModel(page, modelFile);
  });

  it('names a bad adapter value in words under its field and marks the field invalid until it is fixed', async () => {
    await page.getByTestId('model-detail').waitFor();
    const nms = page.getByTestId('adapter-nms-iou');
    const original = await nms.inputValue();
    await nms.fill('1.5');
    await page.getByTestId('adapter-save').click();
    await expect.poll(() => nms.getAttribute('aria-invalid')).toBe('true');
    const describedBy = await nms.getAttribute('aria-describedby');
    expect(describedBy).toBeTruthy();
    const message = page.locator(`[id="${describedBy}"]`);
    expect(await message.textContent()).toContain('NMS IoU threshold must be at most 1 (got 1.5).');
    // shown next to the field: right below it, in the same column
    const input = (await nms.boundingBox()) as Box;
    const text = (await message.boundingBox()) as Box;
    expect(text.y).toBeGreaterThanOrEqual(input.y + input.height - 1);
    expect(text.y - (input.y + input.height)).toBeLessThan(20);
    expect(Math.abs(text.x - input.x)).toBeLessThan(4);
    // the mark is visible: the danger colour on the border (--danger, #b3261e)
    const border = await nms.evaluate((el) => (globalThis as unknown as StyleWindow).getComputedStyle(el).borderTopColor);
    expect(border).toBe('rgb(179, 38, 30)');
    // only the bad field is marked, and the panel under the form lists the same words
    expect(await page.locator('[data-testid="adapter-form"] [aria-invalid="true"]').count()).toBe(1);
    expect(await page.getByTestId('model-detail').getByTestId('error-problems').textContent()).toContain('NMS IoU threshold must be at most 1 (got 1.5).');
    await nms.scrollIntoViewIfNeeded();
    await shot(page, 'adapter-form-field-error');

    // fixing the value clears the mark at once; nothing was saved
    await nms.fill(original);
    await expect.poll(() => nms.getAttribute('aria-invalid')).toBe(null);
    expect(await nms.getAttribute('aria-describedby')).toBe(null);
    expect(await message.count()).toBe(0);
  });

  it('the thumbnail grid is one tab stop whose arrow, Home/End and Page keys move the active thumbnail', async () => {
    await page.getByTestId('nav-datasets').click();
    await page.getByTestId('dataset-row').first().click();
    await cell(0).locator('[data-testid="thumb"]').waitFor();
    const total = Number(await page.getByTestId('thumb-grid').getAttribute('data-total'));
    expect(total).toBe(68);
    expect(await tabStops()).toEqual(['0']);
    expect(await page.getByTestId('thumb-grid').getAttribute('role')).toBe('listbox');

    // Tab from the filters lands on the grid's one stop
    await page.getByTestId('category-filter').focus();
    for (let i = 0; i < 8 && (await focused()).testid !== 'grid-cell'; i++) await page.keyboard.press('Tab');
    expect(await focusedIndex()).toBe(0);

    // columns as laid out: the thumbnails on the first row
    const tops = await cells().evaluateAll((els) => els.map((e) => (e as unknown as { getBoundingClientRect(): Box }).getBoundingClientRect().y));
    const columns = tops.filter((y) => Math.abs(y - tops[0]) < 1).length;
    expect(columns).toBeGreaterThan(1);

    await page.keyboard.press('ArrowRight');
    expect(await focusedIndex()).toBe(1);
    expect(await tabStops()).toEqual(['1']);
    expect(await cell(1).getAttribute('aria-selected')).toBe('true');
    expect(await cell(0).getAttribute('aria-selected')).toBe('false');
    await page.keyboard.press('ArrowDown');
    expect(await focusedIndex()).toBe(1 + columns);
    await page.keyboard.press('End');
    expect(await focusedIndex()).toBe(2 * columns - 1);
    await page.keyboard.press('Home');
    expect(await focusedIndex()).toBe(columns);
    await page.keyboard.press('ArrowUp');
    expect(await focusedIndex()).toBe(0);
    await page.keyboard.press('ArrowLeft');
    expect(await focusedIndex()).toBe(0);

    // the last image is far below the rendered rows: the grid scrolls it in, renders and focuses it
    expect(await cell(total - 1).count()).toBe(0);
    await page.keyboard.press('Control+End');
    expect(await focusedIndex()).toBe(total - 1);
    const grid = (await page.getByTestId('thumb-grid').boundingBox()) as Box;
    const last = (await cell(total - 1).boundingBox()) as Box;
    expect(last.y).toBeGreaterThanOrEqual(grid.y - 1);
    expect(last.y + last.height).toBeLessThanOrEqual(grid.y + grid.height + 1);
    expect(await tabStops()).toEqual([String(total - 1)]);
    await shot(page, 'keyboard-grid-last-thumbnail');

    await page.keyboard.press('Control+Home');
    expect(await focusedIndex()).toBe(0);
    await page.keyboard.press('PageDown');
    const paged = await focusedIndex();
    expect(paged % columns).toBe(0);
    expect(paged).toBeGreaterThanOrEqual(columns);
    await page.keyboard.press('PageUp');
    expect(await focusedIndex()).toBe(0);
  });

  it('Enter opens the image view; Escape closes it and gives focus back to the thumbnail that opened it', async () => {
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowDown');
    const columns = (await focusedIndex()) - 1;
    const opener = 1 + columns;
    const name = await cell(opener).getAttribute('aria-label');
    await page.keyboard.press('Enter');
    const inspector = page.getByTestId('inspector');
    await inspector.waitFor();
    expect(await page.getByTestId('inspector-file').textContent()).toBe(name);
    expect((await focused()).inInspector).toBe(true);
    await shot(page, 'keyboard-inspector-open');

    // the arrows inside the view step through the images; the grid keeps the open one marked
    await page.keyboard.press('ArrowRight');
    await expect.poll(() => page.getByTestId('inspector-file').textContent()).toBe(await cell(opener + 1).getAttribute('aria-label'));
    expect(await cell(opener + 1).getAttribute('class')).toContain('active');

    await page.keyboard.press('Escape');
    await inspector.waitFor({ state: 'detached' });
    expect(await focusedIndex()).toBe(opener);
    await shot(page, 'keyboard-focus-returned');

    // Space opens as well; the close button returns focus the same way
    await page.keyboard.press(' ');
    await inspector.waitFor();
    await page.getByTestId('inspector-close').click();
    await inspector.waitFor({ state: 'detached' });
    expect(await focusedIndex()).toBe(opener);
  });

  it('the corruption image picker and grid move by arrows (the grid across its sections); the pixel view returns focus on Escape', async () => {
    await page.getByTestId('nav-corruptions').click();
    // the image picker is one tab stop too; Enter picks with the button's own activation
    const thumbs = page.getByTestId('corr-thumb');
    await expect.poll(() => thumbs.count()).toBe(12);
    expect(await page.getByTestId('corr-picker').locator('[tabindex="0"]').count()).toBe(1);
    await thumbs.first().focus();
    await page.keyboard.press('ArrowRight');
    const focusedImage = (): Promise<string | null> =>
      page.evaluate(() => (globalThis as unknown as { document: { activeElement: { getAttribute(n: string): string | null } | null } }).document.activeElement?.getAttribute('data-image-id') ?? null);
    expect(await focusedImage()).toBe(await thumbs.nth(1).getAttribute('data-image-id'));
    expect(await thumbs.nth(1).getAttribute('tabindex')).toBe('0');
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('Enter');
    await expect.poll(() => thumbs.first().getAttribute('aria-selected')).toBe('true');
    await page.getByTestId('corr-mode-grid').click();
    const grid = page.getByTestId('corr-grid');
    await grid.waitFor();
    await expect.poll(() => grid.locator('[data-testid="corr-cell"] img').count(), { timeout: 180_000 }).toBe(19);
    const options = grid.locator('[role="option"]');
    expect(await options.count()).toBe(20);
    expect(await grid.locator('[role="option"][tabindex="0"]').count()).toBe(1);
    // columns as laid out: the options on the first row of the benchmark section
    const tops = await grid
      .locator('[data-role="benchmark"] [role="option"]')
      .evaluateAll((els) => els.map((e) => (e as unknown as { getBoundingClientRect(): Box }).getBoundingClientRect().y));
    const columns = tops.filter((y) => Math.abs(y - tops[0]) < 1).length;
    expect(columns).toBeGreaterThan(1);
    const position = async (): Promise<number> => Number((await focused()).position);

    await grid.locator('[data-position="0"]').focus();
    await page.keyboard.press('ArrowRight');
    expect(await position()).toBe(1);
    expect(await grid.locator('[data-position="1"]').getAttribute('tabindex')).toBe('0');
    await page.keyboard.press('Control+End');
    expect(await position()).toBe(19);
    await page.keyboard.press('Control+Home');
    expect(await position()).toBe(0);
    // down through the clean image and the 15 benchmark cells, into the held-out section's first row
    for (let i = 0; i < Math.ceil(16 / columns); i++) await page.keyboard.press('ArrowDown');
    expect(await position()).toBe(16);
    await page.keyboard.press('ArrowUp');
    expect(await position()).toBe(15 - (15 % columns));
    await page.keyboard.press('ArrowDown');
    expect(await position()).toBe(16);

    // Enter opens the pixel view on that cell; Escape gives focus back to it
    const title = await grid.locator('[data-position="16"]').getAttribute('aria-label');
    await page.keyboard.press('Enter');
    const zoom = page.getByTestId('corr-zoom');
    await zoom.waitFor();
    expect(title).toContain(await page.getByTestId('zoom-title').textContent());
    expect((await focused()).inZoom).toBe(true);
    await page.keyboard.press('Escape');
    await zoom.waitFor({ state: 'detached' });
    expect((await focused()).position).toBe('16');
    await shot(page, 'keyboard-corruption-grid');
  });

  it('the 10,000-row drill-down list is one tab stop moved by arrows, Home/End and Page keys; Enter picks', async () => {
    await page.goto(`${server.url}#/bench`);
    const list = page.getByTestId('drill-list');
    await list.locator('[data-row-index="0"]').waitFor();
    expect(await list.getAttribute('role')).toBe('listbox');
    const rows = list.locator('[role="option"]');
    const total = Number(await rows.first().getAttribute('aria-setsize'));
    expect(total).toBe(10_000);
    const stops = (): Promise<string[]> =>
      rows.evaluateAll((els) => els.filter((e) => e.getAttribute('tabindex') === '0').map((e) => e.getAttribute('data-row-index') ?? ''));
    expect(await stops()).toEqual(['0']);
    const row = async (): Promise<number> => Number(await page.evaluate(() => (globalThis as unknown as { document: { activeElement: { getAttribute(n: string): string | null } | null } }).document.activeElement?.getAttribute('data-row-index') ?? 'NaN'));

    await list.locator('[data-row-index="0"]').focus();
    await page.keyboard.press('ArrowDown');
    expect(await row()).toBe(1);
    await page.keyboard.press('ArrowDown');
    expect(await row()).toBe(2);
    await page.keyboard.press('ArrowUp');
    expect(await row()).toBe(1);
    await page.keyboard.press('PageDown');
    const pageRows = (await row()) - 1;
    expect(pageRows).toBeGreaterThan(5);
    // the last row was never rendered: the list scrolls to it, renders and focuses it
    await page.keyboard.press('End');
    expect(await row()).toBe(total - 1);
    expect(await stops()).toEqual([String(total - 1)]);
    const box = (await list.boundingBox()) as Box;
    const last = (await list.locator(`[data-row-index="${total - 1}"]`).boundingBox()) as Box;
    expect(last.y + last.height).toBeLessThanOrEqual(box.y + box.height + 1);
    expect(await rows.count()).toBeLessThan(60);
    await page.keyboard.press('Home');
    expect(await row()).toBe(0);
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await expect.poll(() => list.locator('[data-row-index="1"]').getAttribute('aria-selected')).toBe('true');
    expect(await list.locator('[data-row-index="0"]').getAttribute('aria-selected')).toBe('false');
  });

  it('printed no errors in the browser console and broke no CSP rule', async () => {
    expect(consoleErrors).toEqual([]);
    expect(await cspViolations(page)).toEqual([]);
  });
});
