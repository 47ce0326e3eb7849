/**
 * Class maps and the result views in the browser, on KITTI with NanoDet-m (a COCO
 * model): the suggestion's notes, a one-to-many edit refused with the double-counting
 * explanation, a merge named by the analyst and ignore rules, the evaluation scored
 * with them, the worst class with its GT support and the AP tooltip, and the image
 * view of KITTI 000010 with the "bus" NanoDet finds on the billboard greyed as "not
 * scored". Needs the built app (`npm run build`), /usr/bin/chromium and ../shared.
 * Screenshots: test-results/e2e/classmap-*.png and image-view-*.png.
 */
import path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { annotationsFile, readCocoJson, type CocoJson } from '../helpers/broken-datasets';
import { sharedPath } from '../helpers/shared';
import { cspViolations, endSession, importDataset, importModel, openEmptyApp, shot, shotsDir, startSession, type E2eSession, type Server } from './helpers';

/** The bit of the page's window the colour checks use (this project's Node config has no DOM types). */
interface StyleWindow {
  getComputedStyle(el: unknown): { stroke: string; borderTopColor: string };
}

describe('class maps and result views on KITTI (odra serve + Chromium)', () => {
  const kittiDir = sharedPath('data', 'datasets', 'kitti_tiny_2d');
  const modelFile = sharedPath('data', 'models', 'nanodet_m', 'nanodet_m.onnx');
  let kitti: CocoJson;
  let server: Server;
  let session: E2eSession | undefined;
  let page: Page;
  let consoleErrors: string[] = [];

  const table = (): Locator => page.getByTestId('classmap');
  const rowOf = (name: string): Locator => table().locator(`[data-testid="classmap-row"][data-category="${name}"]`);
  const chips = (row: Locator, testId = 'classmap-chip', attr = 'data-class'): Promise<(string | null)[]> =>
    row.getByTestId(testId).evaluateAll((cs, a) => cs.map((c) => c.getAttribute(a)), attr);

  beforeAll(async () => {
    kitti = await readCocoJson(annotationsFile(kittiDir));
    session = await startSession('e2e-classmap', { viewport: { width: 1440, height: 960 } });
    ({ page, consoleErrors, server } = session);
  });

  afterAll(() => endSession(session));

  it('imports KITTI and NanoDet-m', async () => {
    await openEmptyApp(page, server);
    await importDataset(page, kittiDir);
    await importModel(page, modelFile);
  });

  it('shows the suggestion with its notes: car scores as Car only, Van is an ignore region for it', async () => {
    await page.getByTestId('nav-evaluate').click();
    await page.getByTestId('eval-model').selectOption({ index: 1 });
    await page.getByTestId('eval-dataset').selectOption({ index: 1 });
    await expect.poll(() => page.getByTestId('classmap-in-force').textContent()).toContain('automatic');
    await page.getByTestId('eval-classmap').click();
    await expect.poll(() => table().getByTestId('classmap-row').count()).toBe(kitti.categories.length);
    expect(await chips(rowOf('Car'))).toEqual(['car']);
    expect(await chips(rowOf('Car'), 'classmap-ignore-chip', 'data-ignore')).toEqual(['Van']);
    expect(await chips(rowOf('Pedestrian'), 'classmap-ignore-chip', 'data-ignore')).toEqual(['Person_sitting', 'Cyclist']);
    expect(await chips(rowOf('Van'))).toEqual([]);
    expect(await rowOf('Van').getByTestId('classmap-not-scored').textContent()).toMatch(/excludes 20\s*· ignore region for Car/);
    const notes = await page.getByTestId('classmap-suggestion-note').allTextContents();
    expect(notes).toHaveLength(2);
    expect(notes[0]).toMatch(/^"car" matches "Car" and "Van": it is scored as "Car" only/);
    expect(notes[1]).toMatch(/"Person_sitting" and "Cyclist" are ignore regions for "Pedestrian"/);
    await page.getByTestId('classmap').scrollIntoViewIfNeeded();
    await shot(page, 'classmap-suggestion-notes');
  });

  it('refuses a class mapped to two categories, saying it would be counted twice', async () => {
    await rowOf('Van').getByTestId('classmap-add').selectOption('car');
    const refusal = page.getByTestId('classmap-refusal');
    await refusal.waitFor();
    expect(await refusal.getAttribute('role')).toBe('alert');
    expect(await refusal.textContent()).toMatch(
      /model class "car" is mapped to "Car" and "Van": every car detection would be scored twice, once under each, so a correct detection of a Car also counts as a false-positive Van/,
    );
    expect(await page.getByTestId('classmap-save').isDisabled()).toBe(true);
    await shot(page, 'classmap-refusal-double-counting');
    await rowOf('Van').getByTestId('classmap-remove').click();
    await expect.poll(() => refusal.count()).toBe(0);
  });

  it('merges Car and Van into "vehicle", keeps the ignore rules of Pedestrian, and saves', async () => {
    await rowOf('Car').getByTestId('classmap-merge').selectOption({ label: 'Van' });
    const merged = rowOf('Car + Van');
    await merged.waitFor();
    await merged.getByTestId('classmap-name').fill('vehicle');
    const vehicle = rowOf('vehicle');
    await vehicle.waitFor();
    expect(await chips(vehicle, 'classmap-member', 'data-member')).toEqual(['Car', 'Van']);
    expect(await chips(vehicle)).toEqual(['car']);
    // the Van ignore rule went with the merge: Van is now scored
    expect(await chips(vehicle, 'classmap-ignore-chip', 'data-ignore')).toEqual([]);
    expect(await table().getByTestId('classmap-row').count()).toBe(kitti.categories.length - 1);
    // an ignore rule added and removed again
    await rowOf('Pedestrian').getByTestId('classmap-ignore').selectOption({ label: 'Misc' });
    expect(await chips(rowOf('Pedestrian'), 'classmap-ignore-chip', 'data-ignore')).toEqual(['Person_sitting', 'Cyclist', 'Misc']);
    await rowOf('Pedestrian').locator('[data-testid="classmap-ignore-chip"][data-ignore="Misc"] [data-testid="classmap-unignore"]').click();
    expect(await chips(rowOf('Pedestrian'), 'classmap-ignore-chip', 'data-ignore')).toEqual(['Person_sitting', 'Cyclist']);
    expect(await page.getByTestId('classmap-refusal').count()).toBe(0);
    await page.getByTestId('classmap').scrollIntoViewIfNeeded();
    await shot(page, 'classmap-editor-merge-and-ignore');
    await page.getByTestId('classmap-save').click();
    await page.getByTestId('classmap-saved').waitFor();
    expect(await page.getByTestId('classmap-in-force').textContent()).toMatch(/saved\s*5 of 8 categories scored\s*not scored: Person_sitting, Cyclist, Misc/);
    await page.getByTestId('eval-classmap').click();
  });

  it('scores with the saved map; the worst class skips classes under 10 GT and says so; the AP tooltip has AP, AP50, #GT, #dets', async () => {
    await page.getByTestId('eval-threads').fill('2');
    await page.getByTestId('eval-run').click();
    const tableEl = page.getByTestId('per-class-table');
    await tableEl.waitFor({ timeout: 540_000 });
    const rows = await tableEl.locator('tbody tr').evaluateAll((trs) =>
      trs.map((tr) => ({ name: tr.getAttribute('data-category'), cells: [...tr.querySelectorAll('td')].map((c) => (c.textContent ?? '').trim().replace(/\s+/g, ' ')) })),
    );
    const byName = new Map(rows.map((r) => [r.name, r.cells]));
    expect([...byName.keys()].sort()).toEqual(['Pedestrian', 'Tram', 'Truck', 'vehicle']);
    const gt = (name: string): number => kitti.annotations.filter((a) => kitti.categories.find((c) => c.id === a.category_id)?.name === name).length;
    expect(byName.get('vehicle')![0]).toContain('(Car + Van)');
    expect(Number(byName.get('vehicle')![2])).toBe(gt('Car') + gt('Van'));
    expect(Number(byName.get('Tram')![2])).toBe(8);
    expect(await page.getByTestId('ignore-note').textContent()).toContain('Person_sitting, Cyclist for Pedestrian');

    // Tram has 8 GT: not ranked at the default minimum of 10, and the page says so
    expect(await page.getByTestId('worst-min-gt').inputValue()).toBe('10');
    expect(await page.getByTestId('worst-skipped').textContent()).toMatch(/1 class with fewer skipped: Tram \(8\)/);
    const ranked = rows.filter((r) => Number(r.cells[2]) >= 10).sort((a, b) => Number(a.cells[1]) - Number(b.cells[1]));
    expect(await page.getByTestId('worst-class').getAttribute('data-category')).toBe(ranked[0].name);
    expect(await page.getByTestId('worst-class-name').textContent()).toContain(`worst class: ${ranked[0].name}`);
    await page.getByTestId('evaluation-result').scrollIntoViewIfNeeded();
    await shot(page, 'worst-class-min-gt-10');
    // lowered to 1, Tram is ranked (and is the worst here)
    await page.getByTestId('worst-min-gt').fill('1');
    await expect.poll(() => page.getByTestId('worst-skipped').textContent()).toContain('no class skipped');
    const all = [...rows].sort((a, b) => Number(a.cells[1]) - Number(b.cells[1]));
    await expect.poll(() => page.getByTestId('worst-class').getAttribute('data-category')).toBe(all[0].name);
    await page.getByTestId('worst-min-gt').fill('10');

    // #GT beside every AP bar, and the tooltip
    const chart = page.getByTestId('per-class-chart');
    await expect.poll(() => chart.locator('svg text').allTextContents()).toContain(`${byName.get('Tram')![1]} · 8 GT`);
    const label = chart.locator('svg text', { hasText: '· 8 GT' });
    const box = await label.boundingBox();
    if (!box) throw new Error('no bar label for Tram');
    await page.mouse.move(box.x - 12, box.y + box.height / 2);
    const tip = page.locator('.per-class-tooltip');
    await expect.poll(() => tip.textContent()).toMatch(new RegExp(`Tram\\s*AP ${byName.get('Tram')![1]}\\s*AP50 ${byName.get('Tram')![3]}\\s*#GT 8 \\(fewer than 10: not ranked\\)\\s*#dets ${byName.get('Tram')![4]}`));
    await shot(page, 'per-class-chart-tooltip');
  });

  it('image view of KITTI 000010: the "bus" on the billboard greyed as not scored, TPs on top, FN boxes labelled', async () => {
    await page.getByTestId('nav-datasets').click();
    await page.getByTestId('dataset-row').first().click();
    const index = [...kitti.images].sort((a, b) => a.id - b.id).findIndex((im) => im.file_name === '000010.jpeg');
    const cell = page.locator(`[data-testid="grid-cell"][data-index="${index}"]`);
    await cell.locator('[data-testid="thumb"]').waitFor();
    await cell.click();
    const inspector = page.getByTestId('inspector');
    await inspector.waitFor();
    expect(await page.getByTestId('inspector-file').textContent()).toBe('000010.jpeg');
    await expect.poll(() => inspector.getByTestId('inspector-pane').getAttribute('data-matched-at')).toBe('10/0.50/0.30');

    const notScored = inspector.locator('[data-testid="det-box"][data-status="not-scored"][data-label="bus"]');
    await expect.poll(() => notScored.count()).toBeGreaterThanOrEqual(1);
    const busScore = await notScored.first().getAttribute('data-score');
    const greyLabels = await inspector.locator('[data-testid="det-label"][data-status="not-scored"]').allTextContents();
    expect(greyLabels.map((t) => t.trim())).toContain(`bus ${busScore} · not scored`);
    expect(Number(await inspector.getByTestId('pane-not-scored').textContent().then((t) => t?.replace(/\D+/g, '')))).toBeGreaterThanOrEqual(1);

    // greyed: its colour is the legend's "not scored", not the FP red
    const stroke = (box: Locator): Promise<string> => box.evaluate((el) => (globalThis as unknown as StyleWindow).getComputedStyle(el).stroke);
    const legend = (key: string): Promise<string> =>
      inspector.locator(`[data-legend="${key}"] i`).evaluate((el) => (globalThis as unknown as StyleWindow).getComputedStyle(el).borderTopColor);
    const grey = await stroke(notScored.first().locator('rect'));
    expect(grey).toBe(await legend('not-scored'));
    expect(grey).not.toBe(await legend('fp'));
    // the legend's swatches differ for GT found, crowd region, ignore region and not scored
    const swatch = (key: string): Promise<string> =>
      inspector.locator(`[data-legend="${key}"] i`).evaluate((el) => {
        const s = (globalThis as unknown as { getComputedStyle(e: unknown): { borderTopColor: string; borderTopStyle: string } }).getComputedStyle(el);
        return `${s.borderTopColor} ${s.borderTopStyle}`;
      });
    const swatches = await Promise.all(['gt-matched', 'gt-crowd', 'gt-ignore-region', 'gt-excluded', 'not-scored'].map(swatch));
    expect(new Set(swatches).size).toBe(swatches.length);

    // cars found; TP boxes are drawn after every FP, so an FP at the same place never covers one
    const order = await inspector.locator('[data-testid="det-box"]').evaluateAll((gs) => gs.map((g) => g.getAttribute('data-status')));
    expect(order).toContain('tp');
    const rank = { 'not-scored': 0, ignored: 1, fp: 2, tp: 3 } as Record<string, number>;
    expect(order.map((s) => rank[s ?? ''])).toEqual([...order.map((s) => rank[s ?? ''])].sort((a, b) => a - b));
    // every missed GT carries its class label
    const missed = await inspector.locator('[data-testid="gt-box"][data-status="missed"]').count();
    const fnLabels = await inspector.locator('[data-testid="gt-label"][data-status="missed"]').allTextContents();
    expect(fnLabels).toHaveLength(missed);
    for (const l of fnLabels) expect(l.trim()).toMatch(/^(Car|Van|Pedestrian)$/);
    await page.screenshot({ path: path.join(shotsDir, 'image-view-kitti-000010-not-scored-bus.png') });
    await page.keyboard.press('Escape');
  });

  it('printed no errors in the browser console and broke no CSP rule', async () => {
    expect(consoleErrors).toEqual([]);
    expect(await cspViolations(page)).toEqual([]);
  });
});
