/**
 * End to end in real Chromium against `odra serve`: what an analyst does on a fresh
 * store, checked on screen. Needs the built app (out/node for the server, out/renderer
 * for the page: `npm run build`), Debian's Chromium at /usr/bin/chromium and ../shared.
 * Screenshots of every step go to test-results/e2e/.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { annotationsFile, makeGoodDataset, makeTempDir, readCocoJson, removeDir, writeCocoJson, type CocoJson } from '../helpers/broken-datasets';
import { sharedPath } from '../helpers/shared';
import {
  cspViolations,
  endSession,
  openApp,
  relayRpc,
  shot,
  shotsDir as shots,
  startSession,
  type E2eSession,
  type ImageLike,
  type RpcRelay,
  type Server,
} from './helpers';

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

describe('Odra in the browser (odra serve + Chromium)', () => {
  const datasetDir = sharedPath('data', 'datasets', 'coco128_val2017_driving');
  const modelFile = sharedPath('data', 'models', 'yolox_nano', 'yolox_nano.onnx');
  let brokenDir: string;
  let server: Server;
  let session: E2eSession | undefined;
  let page: Page;
  let coco: CocoJson;
  let consoleErrors: string[] = [];
  let rpc: RpcRelay;

  beforeAll(async () => {
    coco = await readCocoJson(annotationsFile(datasetDir));
    session = await startSession('e2e');
    ({ page, consoleErrors, server } = session);
    rpc = await relayRpc(page);
  });

  afterAll(async () => {
    await endSession(session);
    if (brokenDir) await removeDir(brokenDir);
  });

  it('opens with the token and forgets it from the address bar', async () => {
    await openApp(page, server);
    // an empty store opens on the welcome screen (first-run-demo.test.ts follows its button)
    await page.getByTestId('welcome-demo').waitFor();
    await page.getByTestId('nav-datasets').click();
    await page.getByTestId('datasets-empty').waitFor();
    expect(page.url()).not.toContain('token=');
    await shot(page, '01-start');
  });

  it('imports the dataset and shows its histogram and boxed thumbnails', async () => {
    // what the grid asks the server for: thumbnails, never the full images
    const files: { url: string; bytes: number }[] = [];
    const onResponse = (res: { url(): string; body(): Promise<Buffer> }): void => {
      if (res.url().includes('/files/')) void res.body().then((b) => files.push({ url: res.url(), bytes: b.length }), () => undefined);
    };
    page.on('response', onResponse);
    await page.getByTestId('dataset-path').fill(datasetDir);
    await page.getByTestId('dataset-import').click();
    const row = page.getByTestId('dataset-row');
    await row.first().waitFor({ timeout: 120_000 });
    await expect.poll(() => row.count()).toBe(1);
    const cells = await row.first().locator('td').allTextContents();
    expect(cells[0]!.trim()).toBe(path.basename(datasetDir));
    expect(Number(cells[2])).toBe(coco.images.length);
    expect(Number(cells[3])).toBe(coco.annotations.length);

    // Histogram: one bar label per category, the most frequent category among them.
    const counts = new Map<number, number>();
    for (const a of coco.annotations) counts.set(a.category_id, (counts.get(a.category_id) ?? 0) + 1);
    const top = coco.categories.reduce((best, c) => ((counts.get(c.id) ?? 0) > (counts.get(best.id) ?? 0) ? c : best));
    const histogram = page.getByTestId('class-histogram');
    await histogram.locator('svg').waitFor();
    await expect.poll(() => histogram.locator('svg text').allTextContents()).toContain(top.name);

    // Thumbnails: the virtual grid renders the rows in view, each thumbnail with exactly its image's ground-truth boxes.
    const thumbs = page.getByTestId('thumb');
    await expect.poll(() => page.getByTestId('grid-count').textContent()).toMatch(new RegExp(`^\\s*${coco.images.length} images\\s*$`));
    await expect.poll(() => thumbs.count()).toBeGreaterThan(0);
    expect(await thumbs.count()).toBeLessThanOrEqual(coco.images.length);
    const perImage = new Map<number, number>();
    for (const a of coco.annotations) perImage.set(a.image_id, (perImage.get(a.image_id) ?? 0) + 1);
    const drawn = await thumbs.evaluateAll((els) =>
      els.map((el) => ({ id: Number(el.getAttribute('data-image-id')), rects: el.querySelectorAll('svg rect').length })),
    );
    for (const t of drawn) expect(t.rects, `boxes on image ${t.id}`).toBe(perImage.get(t.id) ?? 0);
    expect(drawn.reduce((n, t) => n + t.rects, 0)).toBeGreaterThan(0);

    // The overlay sits on the picture: a box's screen position is its bbox scaled to the shown image.
    const first = thumbs.first();
    await first.locator('img').evaluate((el) => {
      const img = el as unknown as ImageLike;
      return img.complete && img.naturalWidth > 0 ? null : new Promise((resolve) => img.addEventListener('load', resolve, { once: true }));
    });
    const firstId = drawn[0].id;
    const image = coco.images.find((im) => im.id === firstId)!;
    const boxes = coco.annotations.filter((a) => a.image_id === firstId).map((a) => (a.bbox as number[]).join(','));
    if (boxes.length > 0) {
      const geometry = await first.evaluate((el) => {
        const img = el.querySelector('img')!.getBoundingClientRect();
        const rect = el.querySelector('svg rect')!;
        const box = rect.getBoundingClientRect();
        const attr = ['x', 'y', 'width', 'height'].map((k) => Number(rect.getAttribute(k)));
        return { img: { x: img.x, y: img.y, w: img.width, h: img.height }, box: { x: box.x, y: box.y, w: box.width, h: box.height }, attr };
      });
      expect(boxes).toContain(geometry.attr.join(','));
      const [bx, by, bw, bh] = geometry.attr;
      const sx = geometry.img.w / image.width;
      const sy = geometry.img.h / image.height;
      expect(Math.abs(sx - sy)).toBeLessThan(0.01);
      // the stroke (1.5 px, not scaled) widens the box by under a pixel on each side
      expect(Math.abs(geometry.box.x - (geometry.img.x + bx * sx))).toBeLessThan(1.5);
      expect(Math.abs(geometry.box.y - (geometry.img.y + by * sy))).toBeLessThan(1.5);
      expect(Math.abs(geometry.box.w - bw * sx)).toBeLessThan(2.5);
      expect(Math.abs(geometry.box.h - bh * sy)).toBeLessThan(2.5);
    }
    // the grid shows the engine's thumbnail (<= 320 px on the long side), not the full image
    const loaded = await first.locator('img').evaluate((el) => (el as unknown as ImageLike).naturalWidth);
    expect(loaded).toBe(Math.round(image.width * Math.min(1, 320 / Math.max(image.width, image.height))));
    await expect.poll(() => files.length).toBeGreaterThan(0);
    page.off('response', onResponse);
    expect(files.filter((f) => !/\/files\/datasets\/\d+\/thumbnails\/\d+\?/.test(f.url))).toEqual([]);
    expect(Math.max(...files.map((f) => f.bytes))).toBeLessThanOrEqual(64 * 1024);

    // Lazy images load once scrolled to; all of the page's images are served and decode.
    await thumbs.last().scrollIntoViewIfNeeded();
    await expect
      .poll(() => thumbs.locator('img').evaluateAll((imgs) => imgs.every((i) => (i as unknown as ImageLike).naturalWidth > 0)))
      .toBe(true);
    await shot(page, '02-dataset');

    // Filtering by a category shows exactly the images that contain it.
    const other = coco.categories.find((c) => (counts.get(c.id) ?? 0) > 0 && c.id !== top.id)!;
    const withOther = new Set(coco.annotations.filter((a) => a.category_id === other.id).map((a) => a.image_id));
    await page.getByTestId('category-filter').selectOption(String(other.id));
    await expect.poll(() => page.getByTestId('grid-count').textContent()).toContain(`${withOther.size} of ${coco.images.length} images match`);
    const shown = await thumbs.evaluateAll((els, id) =>
      els.map((el) => ({
        image: Number(el.getAttribute('data-image-id')),
        highlighted: el.querySelectorAll(`g[data-category-id="${id}"]:not(.dimmed)`).length,
      })),
      other.id,
    );
    for (const t of shown) {
      expect(withOther.has(t.image)).toBe(true);
      expect(t.highlighted).toBeGreaterThan(0);
    }
    await page.getByTestId('category-filter').selectOption('');
    await expect.poll(() => page.getByTestId('grid-count').textContent()).toMatch(new RegExp(`^\\s*${coco.images.length} images\\s*$`));
  });

  it('refuses a broken dataset, names the file, and leaves the list unchanged', async () => {
    brokenDir = await makeTempDir('e2e-broken');
    const json = await makeGoodDataset(brokenDir, 3);
    json.annotations[0].image_id = 987654321;
    await writeCocoJson(brokenDir, json);

    await page.getByTestId('dataset-path').fill(brokenDir);
    await page.getByTestId('dataset-import').click();
    const error = page.getByTestId('dataset-import-error');
    await error.waitFor({ timeout: 60_000 });
    const text = (await error.textContent()) ?? '';
    expect(text).toContain(annotationsFile(brokenDir));
    expect(text).toMatch(/image_id 987654321/);
    await expect.poll(() => page.getByTestId('dataset-row').count()).toBe(1);
    await error.scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(shots, '03-broken-dataset.png') });
  });

  it('imports the YOLOX model and detects its adapter family', async () => {
    await page.getByTestId('nav-models').click();
    await page.getByTestId('models-empty').waitFor();
    await page.getByTestId('model-path').fill(modelFile);
    await page.getByTestId('model-import').click();
    await page.getByTestId('model-row').first().waitFor({ timeout: 120_000 });
    expect(await page.getByTestId('model-family').first().textContent()).toBe('yolox');
    await page.getByTestId('model-detail').waitFor();
    expect(await page.getByTestId('model-io').locator('tbody tr').count()).toBeGreaterThanOrEqual(2);
    expect(await page.getByTestId('adapter-family').inputValue()).toBe('yolox');
    await shot(page, '04-model');

    // The adapter form checks with the shared schema before sending, then saves through models.setAdapter.
    const score = page.getByTestId('adapter-score');
    const original = await score.inputValue();
    await score.fill('2');
    await page.getByTestId('adapter-save').click();
    await expect.poll(() => page.getByTestId('model-detail').getByTestId('error-problems').textContent()).toContain('Score threshold must be at most 1 (got 2).');
    await page.getByTestId('adapter-save').scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(shots, '04-adapter-invalid.png') });
    await score.fill('0.5');
    await page.getByTestId('adapter-save').click();
    await page.getByTestId('adapter-saved').waitFor();
    await expect.poll(() => page.getByTestId('model-row').first().textContent()).toContain('edited');
    expect(await score.inputValue()).toBe('0.5');
    await score.fill(original);
    await page.getByTestId('adapter-save').click();
    await page.getByTestId('adapter-saved').waitFor();
    expect(await score.inputValue()).toBe(original);
  });

  it('runs an evaluation with progress and shows per-class results with the worst class', async () => {
    await page.getByTestId('nav-evaluate').click();
    await page.getByTestId('eval-model').selectOption({ index: 1 });
    await page.getByTestId('eval-dataset').selectOption({ index: 1 });

    await page.getByTestId('eval-classmap').click();
    await expect.poll(() => page.getByTestId('classmap').textContent()).toContain('person');
    await shot(page, '05-classmap');

    await page.getByTestId('eval-run').click();
    const progress = page.getByTestId('eval-progress');
    await progress.waitFor();
    await page.getByTestId('progress-count').waitFor({ timeout: 120_000 });
    expect(await page.getByTestId('progress-count').textContent()).toMatch(new RegExp(`\\d+ / ${coco.images.length}`));
    // For the screenshot only: catch the bar mid-run if the run is not already over.
    await page
      .getByTestId('progress-count')
      .filter({ hasText: /^\s*[1-9]\d* \// })
      .waitFor({ timeout: 20_000 })
      .catch(() => undefined);
    await shot(page, '06-progress');

    const table = page.getByTestId('per-class-table');
    await table.waitFor({ timeout: 540_000 });
    await progress.waitFor({ state: 'detached' });
    expect(await page.getByTestId('evaluation-status').textContent()).toBe('done');
    await expect.poll(() => table.locator('tr[data-category="person"]').count()).toBe(1);
    expect(await page.getByTestId('coco-stats').locator('tr').count()).toBe(12);

    // The highlighted row is the lowest defined AP among classes with at least 10 GT boxes (#GT beside AP).
    const rows = await table.locator('tbody tr').evaluateAll((trs) =>
      trs.map((tr) => {
        const td = [...tr.querySelectorAll('td')].map((c) => c.textContent?.trim() ?? '');
        return { name: tr.getAttribute('data-category'), worst: tr.classList.contains('worst'), ap: td[1], gt: Number(td[2]) };
      }),
    );
    expect(await table.locator('thead th').allTextContents().then((h) => h.map((x) => x.replace(/[▲▼\s]+/g, '')))).toEqual(['Category', 'AP', '#GT', 'AP50', '#dets']);
    const scored = rows.filter((r) => r.gt >= 10 && r.ap !== '—');
    expect(scored.length).toBeGreaterThan(0);
    const minAp = Math.min(...scored.map((r) => Number(r.ap)));
    const highlighted = rows.filter((r) => r.worst);
    expect(highlighted).toHaveLength(1);
    expect(Number(highlighted[0].ap)).toBe(minAp);
    expect(highlighted[0].gt).toBeGreaterThanOrEqual(10);
    const fewer = rows.filter((r) => r.gt > 0 && r.gt < 10 && r.ap !== '—');
    expect(await page.getByTestId('worst-skipped').textContent()).toContain(fewer.length > 0 ? `${fewer.length} ` : 'no class skipped');
    await expect.poll(() => page.getByTestId('per-class-chart').locator('svg text').allTextContents()).toContain(highlighted[0].name);

    // Traceability: the model's own SHA-256 and the run's tool version and provider.
    const trace = (await page.getByTestId('evaluation-trace').textContent()) ?? '';
    expect(trace).toContain(sha256(await readFile(modelFile)));
    expect(trace).toMatch(/Execution provider\s*\S+/);

    // Sorting by AP ascending puts the worst class first among those with 10 or more GT.
    await page.getByTestId('sort-AP').click();
    if ((await page.getByTestId('sort-AP').textContent())?.includes('▼')) await page.getByTestId('sort-AP').click();
    const ascending = await table.locator('tbody tr').evaluateAll((trs) =>
      trs.map((tr) => ({ name: tr.getAttribute('data-category'), gt: Number(tr.querySelectorAll('td')[2]?.textContent) })),
    );
    expect(ascending.find((r) => r.gt >= 10)?.name).toBe(highlighted[0].name);
    await shot(page, '07-result');
    await page.getByTestId('evaluation-result').screenshot({ path: path.join(shots, '07-result-detail.png') });
  });

  it('cancels a running evaluation and lists past evaluations', async () => {
    // Exact, not a race with a fast evaluation: the request is held in the relay until
    // the page has sent its cancel, then the engine receives both, cancel right behind.
    const held = rpc.hold('evaluations.run');
    await page.getByTestId('eval-run').click();
    // a new run does not show the previous evaluation's numbers as its own
    await expect.poll(() => page.getByTestId('evaluation-result').count()).toBe(0);
    const request = await held.sent;
    await page.getByTestId('eval-cancel').click();
    await held.followedBy((m) => m.type === 'cancel' && m.id === request.id, 'cancel of the evaluation');
    held.release();
    await expect.poll(() => page.getByTestId('eval-notice').textContent(), { timeout: 60_000 }).toMatch(/^Evaluation #\d+ was cancelled after \d+ of \d+ images; nothing was scored/);
    expect(await page.getByTestId('evaluation-result').count()).toBe(0);
    const list = page.getByTestId('evaluation-row');
    // the list refreshes after the notice: wait until it lists the cancelled run
    const readStatuses = (): Promise<(string | undefined)[]> => list.evaluateAll((trs) => trs.map((tr) => tr.querySelectorAll('td')[3]?.textContent?.trim()));
    await expect.poll(readStatuses, { timeout: 30_000 }).toContain('cancelled');
    const statuses = await readStatuses();
    expect(statuses).toContain('done');
    expect(statuses).not.toContain('running');
    // the cancelled one, reopened, says so plainly: no abort jargon, a duration, no numbers
    await list.nth(statuses.indexOf('cancelled')).click();
    const stopped = page.getByTestId('evaluation-stopped');
    await expect.poll(() => stopped.textContent()).toMatch(/^Cancelled after \d+ of \d+ images \(\d+\.\d s\)\. Nothing was scored/);
    expect(await page.getByTestId('evaluation-result').textContent()).not.toContain('aborted');
    expect(await page.getByTestId('evaluation-duration').textContent()).toMatch(/^\d+\.\d s$/);
    expect(await page.getByTestId('per-class-table').count()).toBe(0);
    await shot(page, '08-cancelled');
    // reopening a past evaluation shows it again
    const doneIndex = statuses.indexOf('done');
    await list.nth(doneIndex).click();
    await page.getByTestId('per-class-table').waitFor();
    await shot(page, '09-history');
  });

  it('printed no errors in the browser console and broke no CSP rule', async () => {
    expect(consoleErrors).toEqual([]);
    expect(await cspViolations(page)).toEqual([]);
  });
});
