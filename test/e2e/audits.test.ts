/**
 * Robustness audits in the browser, end to end on the shared data: tags a model on the
 * Models page, sets up an audit of NanoDet-m 1.0x (baseline) and 0.5x on 10 KITTI images
 * under 3 corruptions x 2 severities, watches it run (the heatmap filling cell by cell,
 * surviving a page reload), then opens every result (summary, heatmap as AP / rPC / Δ,
 * families, severity curves, imbalance, compression sweep), both exports, the comparison
 * and a drill-down with both models' boxes on the clean and the regenerated corrupted
 * image. Heatmap render times (input change -> ECharts finished) are measured on this
 * audit and on an 80 x 19 heatmap, and the drill-down list's frame times while scrolling
 * through 10,000 images (#/bench, synthetic data) and written to
 * test-results/e2e/audits-speed.json.
 * Needs the built app (`npm run build`), /usr/bin/chromium and ../shared.
 * Screenshots: test-results/e2e/audits-*.png.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedPath } from '../helpers/shared';
import {
  cspViolations,
  endSession,
  importDataset,
  importModel,
  openApp,
  recordRpc,
  shot,
  shotsDir,
  startSession,
  type E2eSession,
  type RpcRecorder,
  type Server,
} from './helpers';

const CORRUPTIONS = ['gaussian_noise', 'motion_blur', 'fog'];
const SEVERITIES = [1, 3];
const CELLS = 2 * (1 + CORRUPTIONS.length * SEVERITIES.length);

describe('Audits in the browser: tags, setup, live run, results, compare, drill-down', () => {
  let server: Server;
  let session: E2eSession | undefined;
  let page: Page;
  let rpc: RpcRecorder;
  let consoleErrors: string[] = [];
  const speed: Record<string, unknown> = {};

  beforeAll(async () => {
    session = await startSession('e2e-audits', { viewport: { width: 1500, height: 1000 } });
    ({ page, consoleErrors, server } = session);
    rpc = recordRpc(page);
  });

  afterAll(async () => {
    await writeFile(path.join(shotsDir, 'audits-speed.json'), `${JSON.stringify(speed, null, 2)}\n`);
    await endSession(session);
  });

  /** Milliseconds of the heatmap's next render after `change` (its own input-change -> finished timing). */
  async function timedRender(testid: string, change: () => Promise<unknown>): Promise<number> {
    const heat = page.getByTestId(testid);
    const before = Number(await heat.getAttribute('data-renders'));
    await change();
    await expect.poll(async () => Number(await heat.getAttribute('data-renders'))).toBeGreaterThan(before);
    return Number(await heat.getAttribute('data-render-ms'));
  }

  it('tags a model, runs a 2-model audit live, and shows every result, the comparison and a drill-down', async () => {
    await openApp(page, server);

    // ---- data and models ------------------------------------------------------------------
    await importDataset(page, sharedPath('data', 'datasets', 'kitti_tiny_2d'));
    await importModel(page, sharedPath('data', 'models', 'nanodet_m', 'nanodet_m.onnx'));
    await importModel(page, sharedPath('data', 'models', 'nanodet_m', 'nanodet_m_0.5x.onnx'));

    // ---- tags: the suggestion, then the analyst's own -------------------------------------------
    const half = page.getByTestId('model-row').filter({ hasText: 'nanodet_m_0.5x' });
    await half.click();
    await expect.poll(() => page.getByTestId('model-tags-source').textContent()).toContain('Suggested from the fingerprint');
    await page.getByTestId('tag-method').selectOption('structured_pruning');
    await page.getByTestId('tag-rate').fill('50');
    await page.getByTestId('tag-note').fill('NanoDet-m at half width');
    await expect.poll(() => page.getByTestId('tags-problem').textContent()).toContain('a compression rate needs its unit');
    await expect.poll(() => page.getByTestId('tags-save').isDisabled()).toBe(true);
    await page.getByTestId('tag-rate-unit').selectOption('kept_channels_percent');
    await page.getByTestId('tags-save').click();
    await expect.poll(() => page.getByTestId('model-tags-source').textContent()).toContain('Set by the user');
    await expect.poll(() => half.getByTestId('model-tags-label').textContent()).toContain('structured (channel) pruning 50 % channels kept');
    await shot(page, 'audits-01-model-tags');

    // ---- setup ---------------------------------------------------------------------------------
    await page.getByTestId('nav-audits').click();
    await page.getByTestId('setup-toggle').click();
    await expect.poll(() => page.getByTestId('setup-problem').textContent()).toContain('Pick at least one model');
    const setupRows = page.getByTestId('setup-model');
    await expect.poll(() => setupRows.count()).toBe(2);
    await setupRows.nth(0).getByTestId('setup-model-check').check();
    await setupRows.nth(1).getByTestId('setup-model-check').check();
    await page.getByRole('radio', { name: 'baseline nanodet_m', exact: true }).check();
    await page.getByTestId('setup-dataset').selectOption({ index: 1 });
    await expect.poll(() => page.getByTestId('setup-class-counts').textContent()).toMatch(/Car \d+/);
    await page.getByTestId('preset-clean').click();
    for (const c of CORRUPTIONS) await page.getByTestId(`corruption-${c}`).check();
    for (const s of [1, 2, 3, 4, 5]) await page.getByTestId(`severity-${s}`).setChecked(SEVERITIES.includes(s));
    await page.getByTestId('setup-sample').fill('10');
    await page.getByTestId('setup-seed').fill('7');
    await page.getByTestId('setup-plan').click();
    await expect
      .poll(() => page.getByTestId('setup-plan-result').textContent())
      .toContain(`${1 + CORRUPTIONS.length * SEVERITIES.length} conditions × 10 images × 2 models = ${10 * 2 * (1 + CORRUPTIONS.length * SEVERITIES.length)} units`);
    await shot(page, 'audits-02-setup');

    // ---- the live run: heatmap fills; a reload re-attaches -------------------------------------
    await page.getByTestId('setup-start').click();
    await page.getByTestId('audit-view').waitFor();
    const cellEvents = (): number => rpc.received.filter((m) => m.type === 'event' && (m as { event?: { type?: string } }).event?.type === 'cell').length;
    await expect.poll(cellEvents, { timeout: 300_000 }).toBeGreaterThan(0);
    // the heatmap is the full class x corruption grid from the start and fills as cells finish
    const filled = async (): Promise<number> => Number(await page.getByTestId('heatmap').getAttribute('data-filled'));
    await expect.poll(filled, { timeout: 60_000 }).toBeGreaterThan(0);
    const filledLive = await filled();
    const gridCells = Number(await page.getByTestId('heatmap').getAttribute('data-cells'));
    expect(gridCells).toBeGreaterThan(0);
    await shot(page, 'audits-03-live');
    const statusAtReload = await page.getByTestId('audit-detail-status').textContent();
    const watchesBefore = rpc.sent.filter((m) => m.method === 'jobs.watch').length;
    await page.reload();
    await page.getByTestId('audit-view').waitFor();
    if (statusAtReload?.trim() === 'running') {
      // still running when the page went away: the reloaded view re-attaches with jobs.watch
      await expect.poll(() => rpc.sent.filter((m) => m.method === 'jobs.watch').length, { timeout: 60_000 }).toBeGreaterThan(watchesBefore);
    }
    await expect.poll(() => page.getByTestId('audit-detail-status').textContent(), { timeout: 600_000 }).toContain('done');
    await expect.poll(() => page.getByTestId('audit-cells').textContent()).toContain(`${CELLS} / ${CELLS} cells`);
    await expect.poll(filled).toBeGreaterThanOrEqual(filledLive);
    expect(Number(await page.getByTestId('heatmap').getAttribute('data-cells'))).toBe(gridCells);

    // ---- results -----------------------------------------------------------------------------
    await page.getByTestId('results-summary').waitFor({ timeout: 300_000 });
    await expect.poll(() => page.getByTestId('summary-row').count()).toBe(2);
    const summary = await page.getByTestId('summary-row').allTextContents();
    expect(summary.join('\n')).toMatch(/baseline/);
    expect(summary.join('\n')).toMatch(/structured \(channel\) pruning/);
    await shot(page, 'audits-04-results');

    speed.auditHeatmapRpcMs = await timedRender('heatmap', () => page.getByTestId('heat-value').selectOption('rPC'));
    speed.auditHeatmapSeverityMs = await timedRender('heatmap', () => page.getByTestId('heat-severity').selectOption('3'));
    await timedRender('heatmap', () => page.getByTestId('heat-value').selectOption('delta'));
    await page.getByTestId('heatmap-legend').waitFor();
    expect(await page.getByTestId('heatmap-legend').textContent()).toContain('not significant');
    await page.getByTestId('heatmap').scrollIntoViewIfNeeded();
    await shot(page, 'audits-05-heatmap-delta');
    await timedRender('heatmap', () => page.getByTestId('heat-value').selectOption('AP'));

    for (const chart of ['family-chart', 'severity-chart', 'imbalance-chart', 'sweep-chart']) {
      await expect.poll(() => page.getByTestId(chart).locator('svg').count(), { timeout: 30_000 }).toBeGreaterThan(0);
    }
    expect(await page.getByTestId('imbalance-spearman').textContent()).toMatch(/Spearman ρ \(count, AP\) = (-?\d\.\d\d|—)/);
    await page.getByTestId('severity-corruption').selectOption('fog');
    await expect.poll(() => page.getByTestId('sweep-empty').count()).toBe(0);
    await page.getByTestId('sweep-metric').selectOption('family:noise');
    await page.getByTestId('family-chart').scrollIntoViewIfNeeded();
    await shot(page, 'audits-06-families-severity-imbalance-sweep');

    // ---- export --------------------------------------------------------------------------------
    const csvDownload = page.waitForEvent('download');
    await page.getByTestId('export-csv').click();
    const csv = await readFile((await (await csvDownload).path())!, 'utf8');
    const lines = csv.trim().split('\n');
    expect(lines[0]).toBe('model,model_sha256,baseline,corruption,severity,category_id,category,AP,AP50,num_gt,num_dets');
    expect(new Set(lines.slice(1).map((l) => l.split(',').slice(0, 5).join(','))).size).toBe(CELLS);
    await page.getByTestId('export-condition').selectOption({ index: 1 });
    const cocoDownload = page.waitForEvent('download');
    await page.getByTestId('export-coco').click();
    const coco = JSON.parse(await readFile((await (await cocoDownload).path())!, 'utf8')) as { image_id: number; category_id: number; bbox: number[]; score: number }[];
    expect(coco.length).toBeGreaterThan(0);
    expect(Object.keys(coco[0]).sort()).toEqual(['bbox', 'category_id', 'image_id', 'score']);

    // ---- compare ----------------------------------------------------------------------------
    await page.getByTestId('tab-compare').click();
    for (const id of ['compare-heat-a', 'compare-heat-b', 'compare-heat-delta']) {
      await expect.poll(async () => Number(await page.getByTestId(id).getAttribute('data-renders'))).toBeGreaterThan(0);
    }
    await expect.poll(async () => (await page.getByTestId('ranked-row').count()) + (await page.getByTestId('ranked-empty').count())).toBeGreaterThan(0);
    await shot(page, 'audits-07-compare');

    // ---- drill-down: click the heatmap cell (Car, gaussian_noise) of the results heatmap -------------
    await page.getByTestId('tab-results').click();
    await page.getByTestId('heat-severity').selectOption('3');
    const box = await page.getByTestId('heatmap').locator('.echart').boundingBox();
    const classes = await page.getByTestId('heatmap').getAttribute('data-cells');
    expect(box && classes).toBeTruthy();
    const columns = 1 + CORRUPTIONS.length;
    const rows = Number(classes) / columns;
    // the grid of AuditHeatmap.vue: left 130, right 16, top 8, height = chart height - 88; Car is the first class
    const x = box!.x + 130 + ((box!.width - 146) / columns) * 1.5;
    const y = box!.y + 8 + ((box!.height - 88) / rows) * 0.5;
    await page.mouse.click(x, y);
    await page.getByTestId('drill-down').waitFor();
    await expect.poll(() => page.getByTestId('drill-row').count(), { timeout: 60_000 }).toBeGreaterThan(0);
    expect(await page.getByTestId('drill-condition').inputValue()).not.toBe('0');
    for (const panel of ['a-clean', 'a-cond', 'b-clean', 'b-cond']) {
      await expect.poll(() => page.getByTestId(`drill-panel-${panel}`).locator('img').evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth), { timeout: 60_000 }).toBeGreaterThan(0);
    }
    await expect.poll(() => page.getByTestId('drill-down').locator('[data-testid="drill-boxes"] g').count()).toBeGreaterThan(0);
    const corruptedSrc = await page.getByTestId('drill-panel-b-cond').locator('img').getAttribute('src');
    expect(corruptedSrc?.startsWith('data:image/png')).toBe(true);
    await shot(page, 'audits-08-drill-down');
    const total = await page.getByTestId('drill-row').count();
    await page.getByTestId('drill-filter').selectOption('fn');
    await expect.poll(() => page.getByTestId('drill-count').textContent()).toMatch(/^\d+ of \d+ images$/);
    expect(await page.getByTestId('drill-row').count()).toBeLessThanOrEqual(total);
    await page.getByTestId('drill-filter').selectOption('missed-only-by-b');
    await shot(page, 'audits-09-drill-down-missed-only-by-b');

    // ---- the list ------------------------------------------------------------------------------
    await page.getByTestId('nav-audits').click();
    await expect.poll(() => page.getByTestId('audit-row').first().getAttribute('data-status')).toBe('done');
    await shot(page, 'audits-10-list');

    expect(consoleErrors).toEqual([]);
    expect(await cspViolations(page)).toEqual([]);
  });

  it('renders an 80-class x 19-corruption heatmap and re-renders it on a value or severity switch', async () => {
    await page.goto(`${server.url}#/bench`);
    const heat = page.getByTestId('heatmap');
    await expect.poll(async () => Number(await heat.getAttribute('data-renders')), { timeout: 60_000 }).toBeGreaterThan(0);
    expect(Number(await heat.getAttribute('data-cells'))).toBe(80 * 20);
    const first = Number(await heat.getAttribute('data-render-ms'));
    // three rounds of five switches: on a shared machine single timings vary by several times
    const switches: number[] = [];
    for (let round = 0; round < 3; round++) {
      for (const [testid, value] of [['heat-value', 'rPC'], ['heat-severity', '3'], ['heat-value', 'delta'], ['heat-severity', 'mean'], ['heat-value', 'AP']] as const) {
        switches.push(await timedRender('heatmap', () => page.getByTestId(testid).selectOption(value)));
      }
      await timedRender('heatmap', () => page.getByTestId('heat-severity').selectOption('1'));
    }
    const ordered = [...switches].sort((a, b) => a - b);
    speed.heatmap80x19 = {
      firstRenderMs: first,
      switchMs: switches,
      medianSwitchMs: ordered[Math.floor(ordered.length / 2)],
      maxSwitchMs: ordered[ordered.length - 1],
      loadAverage: (await import('node:os')).loadavg()[0],
    };
    await shot(page, 'audits-11-heatmap-80x19');

    // the drill-down list with 10,000 images: scroll it 30 px per frame for 240 frames
    const list = page.getByTestId('drill-list');
    const frames = await list.evaluate(
      (el) =>
        new Promise<number[]>((resolve) => {
          // this project's Node config has no DOM types
          const raf = (globalThis as unknown as { requestAnimationFrame: (f: (now: number) => void) => void }).requestAnimationFrame;
          const times: number[] = [];
          let last = performance.now();
          let n = 0;
          const step = (now: number): void => {
            times.push(now - last);
            last = now;
            (el as unknown as { scrollTop: number }).scrollTop += 30;
            if (++n < 240) raf(step);
            else resolve(times.slice(1));
          };
          raf(step);
        }),
    );
    const sorted = [...frames].sort((a, b) => a - b);
    const rowsInDom = await page.getByTestId('drill-row').count();
    speed.drillList10k = {
      frames: frames.length,
      medianFrameMs: sorted[Math.floor(sorted.length / 2)],
      p95FrameMs: sorted[Math.floor(sorted.length * 0.95)],
      maxFrameMs: sorted[sorted.length - 1],
      rowsInDom,
    };
    expect(rowsInDom).toBeLessThan(60);
    const shownIds = await page.getByTestId('drill-row').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-image-id'))));
    expect(Math.min(...shownIds)).toBeGreaterThan(200);
    expect(consoleErrors).toEqual([]);
  });
});
