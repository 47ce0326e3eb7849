/**
 * The dataset browser's filter panel on a real COCO dataset (../shared
 * coco128_train2017_driving): per-image URLs are not offered, a numeric box attribute
 * is offered as range bins, and the box-size and crowd filters narrow the grid to the
 * images the annotation file says, alone and combined.
 * Needs the built app (`npm run build`), /usr/bin/chromium and ../shared.
 * Screenshot: test-results/e2e/dataset-filters-ranges.png.
 */
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { annotationsFile, readCocoJson, type CocoJson } from '../helpers/broken-datasets';
import { sharedPath } from '../helpers/shared';
import { endSession, importDataset, openEmptyApp, shot, startSession, type E2eSession, type Server } from './helpers';

describe('dataset browser filters: no URL fields, range bins, box size and crowd', () => {
  const cocoDir = sharedPath('data', 'datasets', 'coco128_train2017_driving');
  let coco: CocoJson;
  let server: Server;
  let session: E2eSession | undefined;
  let page: Page;
  let consoleErrors: string[] = [];

  const thumbIds = (): Promise<number[]> => page.getByTestId('thumb').evaluateAll((els) => els.map((el) => Number(el.getAttribute('data-image-id'))));
  const optionTexts = (select: Locator): Promise<string[]> =>
    select.locator('option').evaluateAll((os) => os.map((o) => (o.textContent ?? '').trim().replace(/\s+/g, ' ')));
  const count = (): Promise<string | null> => page.getByTestId('grid-count').textContent();

  /** Ids of the images with at least one annotation that satisfies `pred`. */
  const imagesWith = (pred: (a: CocoJson['annotations'][number]) => boolean): Set<number> => new Set(coco.annotations.filter(pred).map((a) => a.image_id));
  const areaOf = (a: CocoJson['annotations'][number]): number => a.area ?? Number.NaN;

  beforeAll(async () => {
    coco = await readCocoJson(annotationsFile(cocoDir));
    session = await startSession('e2e-filters');
    ({ page, consoleErrors, server } = session);
  });

  afterAll(() => endSession(session));

  it('offers no URL fields, bins the mask area, and narrows the grid by box size and crowd regions', async () => {
    await openEmptyApp(page, server);
    await importDataset(page, cocoDir, { format: 'coco', timeoutMs: 180_000 });
    await page.getByTestId('dataset-row').filter({ hasText: 'coco128_train2017_driving' }).click();
    const all = coco.images.length;
    await expect.poll(count).toContain(`${all} images`);

    const attribute = page.getByTestId('attribute-filter');
    await expect.poll(() => attribute.isEnabled()).toBe(true);
    const attributeOptions = await optionTexts(attribute);
    expect(attributeOptions.some((t) => /coco_url|flickr_url|coco_annotation_id/.test(t))).toBe(false);
    expect(attributeOptions.some((t) => t.startsWith('license = '))).toBe(true);
    // seg_area (the mask area) is one option per bin, "seg_area LOW – HIGH (N boxes)", not one per value
    const segBins = attributeOptions.filter((t) => t.startsWith('seg_area '));
    expect(segBins.length).toBeGreaterThanOrEqual(3);
    expect(segBins.length).toBeLessThanOrEqual(8);
    expect(segBins.every((t) => /^seg_area [\d.e+-]+ – [\d.e+-]+ \(\d+ box(es)?\)$/.test(t))).toBe(true);

    // small boxes (COCO area < 32², crowd regions aside): the count beside the option and the grid agree with the file
    const small = imagesWith((a) => a.iscrowd === 0 && areaOf(a) < 32 * 32);
    expect(small.size).toBeGreaterThan(0);
    expect(small.size).toBeLessThan(all);
    const sizeSelect = page.getByTestId('box-size-filter');
    await expect.poll(() => optionTexts(sizeSelect)).toContain(`small (< 32²) (${small.size} images)`);
    await sizeSelect.selectOption('small');
    await expect.poll(count).toContain(`${small.size} of ${all} images match`);
    await expect.poll(() => thumbIds().then((ids) => ids.length)).toBeGreaterThan(0);
    for (const id of await thumbIds()) expect(small.has(id), `image ${id}`).toBe(true);

    // and with crowd regions: both must hold
    const crowd = imagesWith((a) => a.iscrowd === 1);
    const both = [...small].filter((id) => crowd.has(id)).sort((a, b) => a - b);
    expect(crowd.size).toBeGreaterThan(0);
    await page.getByTestId('crowd-filter').selectOption('yes');
    await expect.poll(count).toContain(`${both.length} of ${all} images match`);
    await expect.poll(() => thumbIds().then((ids) => [...ids].sort((a, b) => a - b))).toEqual(both);
    await shot(page, 'dataset-filters-ranges');

    // without crowd regions, large boxes only
    const large = [...imagesWith((a) => a.iscrowd === 0 && areaOf(a) >= 96 * 96)].filter((id) => !crowd.has(id));
    await page.getByTestId('crowd-filter').selectOption('no');
    await sizeSelect.selectOption('large');
    await expect.poll(count).toContain(`${large.length} of ${all} images match`);
    for (const id of await thumbIds()) expect(large.includes(id), `image ${id}`).toBe(true);

    await sizeSelect.selectOption('');
    await page.getByTestId('crowd-filter').selectOption('');
    await expect.poll(count).toContain(`${all} images`);
    expect(consoleErrors).toEqual([]);
  });
});
