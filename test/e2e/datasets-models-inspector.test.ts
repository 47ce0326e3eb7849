/**
 * Datasets, models and the image inspector in the browser: importing with an explicit
 * format and split, slicing a dataset by attributes, the model's compression
 * fingerprint, an edited and saved
 * class map that the evaluation then uses, an execution provider that falls back to
 * CPU with a visible warning, the image view with TP / FP / FN colours from the
 * engine's COCO matching, and a 10,000-image grid that keeps the DOM small.
 * Needs the built app (`npm run build`), /usr/bin/chromium and ../shared.
 * Screenshots: test-results/e2e/inspector-*.png.
 */
import { link, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { annotationsFile, readCocoJson, type CocoJson } from '../helpers/broken-datasets';
import { sharedPath } from '../helpers/shared';
import { materialise } from '../helpers/dataset-fixtures';
import { cspViolations, endSession, importDataset, openEmptyApp, shot, shotsDir, startSession, type E2eSession, type ImageLike, type Server } from './helpers';

/** The bit of the page's window the colour checks use (this project's Node config has no DOM types). */
interface StyleWindow {
  getComputedStyle(el: unknown): { stroke: string; borderTopColor: string };
}

const BIG = 10_000;
const WEATHER = ['clear', 'rainy', 'foggy'] as const;

/**
 * A COCO dataset of BIG images that are hard links to four small PNGs (the importer
 * refuses a file listed twice, not two names for one file), each with a weather
 * attribute and one box.
 */
async function makeBigDataset(dir: string): Promise<void> {
  await mkdir(path.join(dir, 'images'), { recursive: true });
  const bases: string[] = [];
  for (let b = 0; b < 4; b++) {
    const file = path.join(dir, `base${b}.png`);
    await sharp({ create: { width: 160, height: 120, channels: 3, background: { r: 40 + 50 * b, g: 110, b: 200 - 40 * b } } })
      .png()
      .toFile(file);
    bases.push(file);
  }
  const images = [];
  const annotations = [];
  for (let i = 1; i <= BIG; i++) {
    const fileName = `frame_${String(i).padStart(5, '0')}.png`;
    await link(bases[i % 4], path.join(dir, 'images', fileName));
    images.push({ id: i, file_name: fileName, width: 160, height: 120, weather: WEATHER[i % 3] });
    annotations.push({ id: i, image_id: i, category_id: 1 + (i % 2), bbox: [10 + (i % 60), 20, 60, 50], area: 3000, iscrowd: 0 });
  }
  const categories = [
    { id: 1, name: 'car' },
    { id: 2, name: 'person' },
  ];
  await writeFile(annotationsFile(dir), JSON.stringify({ images, annotations, categories }));
}

describe('Datasets, models and the image inspector in the browser: formats, fingerprint, class map, providers, image view, 10k grid', () => {
  const kittiDir = sharedPath('data', 'datasets', 'kitti_tiny_2d');
  const modelFile = sharedPath('data', 'models', 'yolox_nano', 'yolox_nano.onnx');
  let kitti: CocoJson;
  let tmp: string;
  let bigDir: string;
  let server: Server;
  let session: E2eSession | undefined;
  let page: Page;
  let consoleErrors: string[] = [];

  const grid = (): Locator => page.getByTestId('thumb-grid');
  const cells = (): Locator => page.getByTestId('grid-cell');
  const thumbIds = (): Promise<number[]> =>
    page.getByTestId('thumb').evaluateAll((els) => els.map((el) => Number(el.getAttribute('data-image-id'))));


  async function selectDataset(name: string): Promise<void> {
    await page.getByTestId('nav-datasets').click();
    await page.getByTestId('dataset-row').filter({ hasText: name }).click();
    await page.getByTestId('dataset-detail').waitFor();
  }

  /** Picks the attribute filter option whose text starts with `prefix`. */
  async function filterByAttribute(prefix: string): Promise<void> {
    const select = page.getByTestId('attribute-filter');
    await expect.poll(() => select.isEnabled()).toBe(true);
    const value = await select.evaluate(
      (el, p) => [...el.querySelectorAll('option')].find((o) => (o.textContent ?? '').trim().replace(/\s+/g, ' ').startsWith(p))?.getAttribute('value') ?? null,
      prefix,
    );
    if (value === null) throw new Error(`no attribute option starts with "${prefix}"`);
    await select.selectOption(value);
  }

  beforeAll(async () => {
    kitti = await readCocoJson(annotationsFile(kittiDir));
    session = await startSession('e2e-inspector', {
      prepare: async (tmp) => {
        bigDir = path.join(tmp, 'big');
        await makeBigDataset(bigDir);
      },
    });
    ({ page, consoleErrors, server, tmp } = session);
  });

  afterAll(() => endSession(session));

  it('imports BDD100K with format and split chosen, and filters its images by weather', async () => {
    await openEmptyApp(page, server);
    await page.getByTestId('nav-datasets').click();
    const bdd = await materialise('bdd', path.join(tmp, 'bdd'));
    const formats = await page.getByTestId('dataset-format').locator('option').evaluateAll((os) => os.map((o) => o.getAttribute('value')));
    expect(formats).toEqual(['', 'coco', 'yolo', 'voc', 'kitti', 'bdd']);
    await importDataset(page, bdd.dir, { format: 'bdd', split: 'val', timeoutMs: 180_000 });
    const row = page.getByTestId('dataset-row').filter({ hasText: 'bdd' });
    const cellsText = await row.locator('td').allTextContents();
    expect(cellsText[1]).toBe('bdd');
    // the val split: three frames (the fourth image is in train)
    expect(Number(cellsText[2])).toBe(3);
    await row.click();
    await expect.poll(() => thumbIds().then((ids) => ids.length)).toBe(3);
    await filterByAttribute('weather = rainy');
    await expect.poll(() => page.getByTestId('grid-count').textContent()).toContain('1 of 3 images match');
    const shownFiles = (): Promise<string[]> =>
      page
        .getByTestId('thumb')
        .locator('figcaption .name')
        .allTextContents()
        .then((names) => names.map((n) => path.basename(n)));
    await expect.poll(shownFiles).toEqual(['b2e54f3c-00000002.jpg']);
    await shot(page, 'inspector-01-bdd-weather');
    // without an evaluation the image view shows the ground truth alone, with the image's attributes
    await page.getByTestId('grid-cell').first().click();
    const inspector = page.getByTestId('inspector');
    await page.getByTestId('inspector-no-evaluations').waitFor();
    await expect.poll(() => inspector.locator('[data-testid="gt-box"]').count()).toBe(6);
    expect(await inspector.locator('[data-attribute="weather"]').textContent()).toBe('weather: rainy');
    await page.getByTestId('inspector-close').click();
    await expect.poll(() => inspector.count()).toBe(0);
    await filterByAttribute('occluded = true');
    await expect.poll(shownFiles).toEqual(['a91b7555-00000001.jpg']);
  });

  it('imports KITTI (COCO format given explicitly) and slices it by box occlusion and category', async () => {
    await importDataset(page, kittiDir, { format: 'coco', timeoutMs: 180_000 });
    const row = page.getByTestId('dataset-row').filter({ hasText: 'kitti_tiny_2d' });
    expect((await row.locator('td').allTextContents())[1]).toBe('coco');
    await row.click();
    await expect.poll(() => page.getByTestId('grid-count').textContent()).toContain(`${kitti.images.length} images`);

    // heavily occluded boxes (KITTI level 2) of cars: the images with such a car, and only those
    const expected = new Set(kitti.annotations.filter((a) => a.occluded === 2 && a.category_id === 1).map((a) => a.image_id));
    await page.getByTestId('category-filter').selectOption('1');
    await filterByAttribute('occluded = 2');
    await expect.poll(() => page.getByTestId('grid-count').textContent()).toContain(`${expected.size} of ${kitti.images.length} images match`);
    const shown = await thumbIds();
    expect(shown.length).toBe(Math.min(expected.size, shown.length));
    for (const id of shown) expect(expected.has(id), `image ${id}`).toBe(true);
    await shot(page, 'inspector-02-kitti-occluded-cars');
    await page.getByTestId('attribute-filter').selectOption('');
    await page.getByTestId('category-filter').selectOption('');
    await expect.poll(() => page.getByTestId('grid-count').textContent()).toContain(`${kitti.images.length} images`);
  });

  it('imports YOLOX-Nano and shows its compression fingerprint', async () => {
    await page.getByTestId('nav-models').click();
    await page.getByTestId('model-path').fill(modelFile);
    const families = await page.getByTestId('model-family-override').locator('option').evaluateAll((os) => os.map((o) => o.getAttribute('value')));
    expect(families).toEqual(['', 'yolox', 'nanodet', 'yolov5', 'yolov8', 'yolov10', 'ssd', 'detr', 'rtdetr', 'nms-in-graph']);
    await expect.poll(() => page.getByTestId('model-names-file').isVisible()).toBe(true);
    await page.getByTestId('model-import').click();
    await page.getByTestId('model-row').first().waitFor({ timeout: 120_000 });
    await page.getByTestId('fingerprint').waitFor();
    expect(await page.getByTestId('fp-params').textContent()).toBe('904,481');
    expect(await page.getByTestId('model-params').first().textContent()).toBe('904,481');
    expect(await page.getByTestId('fp-opset').textContent()).toBe('11');
    expect(await page.getByTestId('fp-producer').textContent()).toContain('pytorch');
    expect(await page.getByTestId('fp-zeros').textContent()).toBe('0% (0 of 904,467)');
    expect(await page.getByTestId('fp-quant').textContent()).toBe('none');
    expect(await page.getByTestId('fingerprint-precision').textContent()).toContain('float32');
    // the op histogram is an ECharts bar chart with the model's ops (Conv 113 the largest)
    const chart = page.getByTestId('fp-op-histogram');
    await expect.poll(() => chart.locator('svg text').allTextContents()).toContain('Conv');
    expect(await chart.locator('svg text').allTextContents()).toContain('113');
    await page.getByTestId('fingerprint').scrollIntoViewIfNeeded();
    await shot(page, 'inspector-03-fingerprint');
  });

  it('edits the class map as a table and saves it for the (model, dataset)', async () => {
    await page.getByTestId('nav-evaluate').click();
    await page.getByTestId('eval-model').selectOption({ label: 'yolox_nano (yolox)' });
    const kittiOption = await page
      .getByTestId('eval-dataset')
      .locator('option')
      .evaluateAll((os) => os.find((o) => (o.textContent ?? '').startsWith('kitti_tiny_2d'))?.getAttribute('value') ?? '');
    await page.getByTestId('eval-dataset').selectOption(kittiOption);
    await expect.poll(() => page.getByTestId('classmap-in-force').textContent()).toContain('automatic');
    await page.getByTestId('eval-classmap').click();
    const table = page.getByTestId('classmap');
    const rowOf = (name: string): Locator => table.locator(`[data-testid="classmap-row"][data-category="${name}"]`);
    await expect.poll(() => table.getByTestId('classmap-row').count()).toBe(kitti.categories.length);
    const chips = (row: Locator): Promise<(string | null)[]> => row.getByTestId('classmap-chip').evaluateAll((cs) => cs.map((c) => c.getAttribute('data-class')));
    // the suggestion: KITTI names through their COCO equivalents, no class scored twice (Van is an ignore region for Car); Misc has none
    expect(await chips(rowOf('Car'))).toEqual(['car']);
    expect(await chips(rowOf('Van'))).toEqual([]);
    expect(await rowOf('Van').getByTestId('classmap-not-scored').textContent()).toContain('ignore region for Car');
    expect(await rowOf('Misc').getAttribute('class')).toContain('unmapped');
    expect(await rowOf('Misc').textContent()).toContain('excludes 2');

    // cyclists are also scored, by bicycle detections
    await rowOf('Cyclist').getByTestId('classmap-add').selectOption('bicycle');
    expect(await chips(rowOf('Cyclist'))).toEqual(['bicycle']);
    expect(await rowOf('Van').getAttribute('class')).toContain('unmapped');
    expect(await table.getByTestId('classmap-unmapped').textContent()).toMatch(/3 unmapped categories exclude 22 annotations/);
    expect(await page.getByTestId('classmap-source').textContent()).toContain('edited, not saved');
    // an unsaved draft is not what an evaluation would use: running waits for Save
    expect(await page.getByTestId('eval-run').isDisabled()).toBe(true);
    await shot(page, 'inspector-04-classmap-edited');

    await page.getByTestId('classmap-save').click();
    await page.getByTestId('classmap-saved').waitFor();
    expect(await page.getByTestId('classmap-source').textContent()).toContain('saved for this model and dataset');
    expect(await page.getByTestId('classmap-in-force').textContent()).toMatch(
      /saved\s*5 of 8 categories scored\s*not scored: Van, Person_sitting, Misc \(22 annotations excluded\)/,
    );

    // Reset to suggestion puts the automatic map in the draft; Discard returns to the saved one
    await page.getByTestId('classmap-reset').click();
    await expect.poll(() => rowOf('Cyclist').getByTestId('classmap-chip').count()).toBe(0);
    await page.getByTestId('classmap-discard').click();
    await expect.poll(() => rowOf('Cyclist').getByTestId('classmap-chip').count()).toBe(1);
    expect(await page.getByTestId('eval-run').isEnabled()).toBe(true);
    await page.getByTestId('eval-classmap').click();
  });

  it('runs on CUDA where there is none: falls back to CPU with a visible warning, and records what ran', async () => {
    const provider = page.getByTestId('eval-provider');
    const labels = await provider.locator('option').allTextContents();
    expect(labels[0].trim()).toBe('CPU');
    expect(labels.map((l) => l.trim())).toContain('CUDA (needs CUDA runtime)');
    await provider.selectOption('cuda');
    await page.getByTestId('eval-threads').fill('0');
    await expect.poll(() => page.getByTestId('eval-settings-error').textContent()).toContain('Threads');
    expect(await page.getByTestId('eval-run').isDisabled()).toBe(true);
    await page.getByTestId('eval-threads').fill('2');
    await page.getByTestId('eval-batch').fill('4');
    await page.getByTestId('eval-run').click();
    await page.getByTestId('eval-live-warning').waitFor({ timeout: 120_000 });
    await shot(page, 'inspector-05-running-fallback');
    await page.getByTestId('per-class-table').waitFor({ timeout: 540_000 });

    const used = page.getByTestId('eval-provider-used');
    expect(await used.getAttribute('data-provider')).toBe('cpu');
    expect((await used.textContent())?.replace(/\s+/g, ' ')).toContain('Ran on CPU (requested CUDA)');
    const warning = page.getByTestId('eval-provider-warning');
    expect(await warning.getAttribute('role')).toBe('alert');
    const text = (await warning.textContent()) ?? '';
    expect(text).toMatch(/execution provider 'cuda' could not be used, running on CPU instead/i);
    // the run used the saved map: Van and Misc are not scored
    expect(await page.getByTestId('unmapped-note').textContent()).toMatch(/Van.*Misc|Misc.*Van/);
    expect(await page.getByTestId('per-class-table').locator('tr[data-category="Van"]').count()).toBe(0);
    expect(await page.getByTestId('evaluation-trace').textContent()).toMatch(/Execution provider\s*cpu/);
    await shot(page, 'inspector-06-fallback-result');
  });

  it('opens an image with ground truth and predictions coloured TP / FP / FN by the COCO matching', async () => {
    await selectDataset('kitti_tiny_2d');
    // the frame with the most cars
    const carsPerImage = new Map<number, number>();
    for (const a of kitti.annotations) if (a.category_id === 1) carsPerImage.set(a.image_id, (carsPerImage.get(a.image_id) ?? 0) + 1);
    const busiest = [...carsPerImage.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0][0];
    const index = [...kitti.images].sort((a, b) => a.id - b.id).findIndex((im) => im.id === busiest);
    const cell = page.locator(`[data-testid="grid-cell"][data-index="${index}"]`);
    for (let i = 0; i < 40 && (await cell.count()) === 0; i++) await grid().evaluate((el) => el.scrollBy(0, 250));
    await cell.locator('[data-testid="thumb"]').waitFor();
    await cell.click();

    const inspector = page.getByTestId('inspector');
    await inspector.waitFor();
    expect(await page.getByTestId('inspector-file').textContent()).toBe(kitti.images.find((im) => im.id === busiest)!.file_name);
    await expect
      .poll(() => inspector.getByTestId('inspector-image').evaluate((el) => (el as unknown as ImageLike).naturalWidth))
      .toBe(kitti.images.find((im) => im.id === busiest)!.width);
    const counts = inspector.getByTestId('pane-counts');
    const read = async (): Promise<{ tp: number; fp: number; fn: number }> => ({
      tp: Number(await counts.getAttribute('data-tp')),
      fp: Number(await counts.getAttribute('data-fp')),
      fn: Number(await counts.getAttribute('data-fn')),
    });
    const drawn = async (status: string): Promise<number> => inspector.locator(`[data-testid="det-box"][data-status="${status}"]`).count();

    /** Waits until the pane shows the matches of these thresholds (a slider move refetches them). */
    const matchedAt = (iou: string, score: string): Promise<void> =>
      expect.poll(() => inspector.getByTestId('inspector-pane').getAttribute('data-matched-at')).toBe(`${busiest}/${iou}/${score}`);

    // every detection (score threshold 0) at IoU 0.5: the cars are found, low-score boxes are false positives
    await page.getByTestId('inspector-score').fill('0');
    await matchedAt('0.50', '0.00');
    const loose = await read();
    expect(loose.fp).toBeGreaterThan(0);
    expect(loose.tp).toBeGreaterThan(0);
    expect(await drawn('tp')).toBe(loose.tp);
    expect(await drawn('fp')).toBe(loose.fp);
    expect(await inspector.locator('[data-testid="gt-box"][data-status="missed"]').count()).toBe(loose.fn);
    // each status is drawn in its legend colour, and TP, FP and FN differ
    const stroke = (box: Locator): Promise<string> => box.evaluate((el) => (globalThis as unknown as StyleWindow).getComputedStyle(el).stroke);
    const legend = (key: string): Promise<string> =>
      inspector.locator(`[data-legend="${key}"] i`).evaluate((el) => (globalThis as unknown as StyleWindow).getComputedStyle(el).borderTopColor);
    const tpColour = await stroke(inspector.locator('[data-testid="det-box"][data-status="tp"] rect').first());
    const fpColour = await stroke(inspector.locator('[data-testid="det-box"][data-status="fp"] rect').first());
    expect(tpColour).toBe(await legend('tp'));
    expect(fpColour).toBe(await legend('fp'));
    expect(tpColour).not.toBe(fpColour);
    if (loose.fn > 0) {
      const fnColour = await stroke(inspector.locator('[data-testid="gt-box"][data-status="missed"]').first());
      expect(fnColour).toBe(await legend('gt-missed'));
      expect([tpColour, fpColour]).not.toContain(fnColour);
    }
    await inspector.screenshot({ path: path.join(shotsDir, 'inspector-07-inspector-iou50.png') });

    // a stricter IoU turns matches into FP + FN; a higher score threshold hides low boxes
    await page.getByTestId('inspector-iou').fill('0.95');
    await matchedAt('0.95', '0.00');
    const strict = await read();
    expect(strict.tp).toBeLessThan(loose.tp);
    expect(strict.tp + strict.fn).toBe(loose.tp + loose.fn);
    expect(await drawn('tp')).toBe(strict.tp);
    await page.getByTestId('inspector-iou').fill('0.5');
    await page.getByTestId('inspector-score').fill('0.5');
    await matchedAt('0.50', '0.50');
    const operating = await read();
    expect(operating.fp).toBeLessThan(loose.fp);
    expect(operating.tp + operating.fn).toBe(loose.tp + loose.fn);
    expect(await drawn('fp')).toBe(operating.fp);
    // the dialog is fixed to the viewport: a full-page capture would cut it
    await page.screenshot({ path: path.join(shotsDir, 'inspector-08-inspector.png') });

    // next / previous step through the images in grid order; Esc closes
    await page.getByTestId('inspector-next').click();
    const nextImage = [...kitti.images].sort((a, b) => a.id - b.id)[index + 1];
    await expect.poll(() => page.getByTestId('inspector-file').textContent()).toBe(nextImage.file_name);
    await page.keyboard.press('Escape');
    await expect.poll(() => inspector.count()).toBe(0);
  });

  it('imports a 10,000-image dataset and scrolls its grid with only a few dozen thumbnails in the DOM', async () => {
    await importDataset(page, bigDir, { format: 'coco', timeoutMs: 180_000 });
    await selectDataset('big');
    await expect.poll(() => page.getByTestId('grid-count').textContent()).toContain('10,000 images');
    expect(await grid().getAttribute('data-total')).toBe(String(BIG));
    await page.getByTestId('thumb').first().waitFor();
    const atTop = await cells().count();
    expect(atTop).toBeGreaterThan(0);
    expect(atTop).toBeLessThan(100);
    expect((await thumbIds())[0]).toBe(1);

    // scroll in steps to the end: the DOM never grows, and the last image shows up
    const height = await grid().evaluate((el) => el.scrollHeight);
    const firstIndex = (): Promise<number> => cells().evaluateAll((els) => Math.min(...els.map((el) => Number(el.getAttribute('data-index')))));
    let first = await firstIndex();
    for (let k = 1; k <= 8; k++) {
      await grid().evaluate((el, top) => {
        el.scrollTop = top;
      }, (height * k) / 8);
      // the grid has rendered the rows of the new position
      await expect.poll(firstIndex).toBeGreaterThan(first);
      first = await firstIndex();
      expect(await cells().count()).toBeLessThan(100);
    }
    await grid().evaluate((el) => {
      el.scrollTop = el.scrollHeight;
    });
    const last = page.locator(`[data-testid="thumb"][data-image-id="${BIG}"]`);
    await last.waitFor({ timeout: 30_000 });
    expect(await last.isVisible()).toBe(true);
    expect(await page.getByTestId('thumb').count()).toBeLessThan(100);
    expect(Math.min(...(await thumbIds()))).toBeGreaterThan(BIG - 100);
    await last.locator('img').evaluate((el) => {
      const img = el as unknown as ImageLike;
      return img.complete && img.naturalWidth > 0 ? null : new Promise((resolve) => img.addEventListener('load', resolve, { once: true }));
    });
    await shot(page, 'inspector-09-grid-10k-end');

    // the middle, reached by one jump, holds the images of that position
    await grid().evaluate((el) => {
      el.scrollTop = el.scrollHeight / 2;
    });
    await expect
      .poll(async () => {
        const ids = await thumbIds();
        return ids.length > 0 && Math.min(...ids) > 4000 && Math.max(...ids) < 6000;
      })
      .toBe(true);

    // an image attribute of the COCO file (its weather field) filters the 10k
    await filterByAttribute('weather = rainy');
    await expect.poll(() => page.getByTestId('grid-count').textContent()).toContain('3,334 of 10,000 images match');
    await expect.poll(() => thumbIds().then((ids) => ids.length > 0 && ids.every((id) => WEATHER[id % 3] === 'rainy'))).toBe(true);
    expect(await cells().count()).toBeLessThan(100);
    await shot(page, 'inspector-10-grid-10k-rainy');
  });

  it('printed no errors in the browser console and broke no CSP rule', async () => {
    expect(consoleErrors).toEqual([]);
    expect(await cspViolations(page)).toEqual([]);
  });
});
