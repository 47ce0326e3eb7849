/**
 * The reduced scale check CI runs: a generated 2,000-image COCO dataset (hard links to
 * the shared images, ~9 boxes per image, 80 categories; test/helpers/scale-dataset.ts)
 * imported through the engine. It reports, and does not assert, the import time beside
 * `sha256sum`'s over the same files and the longest the event loop was held during the
 * import (timings are the machine's, not the code's); it asserts what the import must
 * give at any size: every image and box stored with the stored counts, the images read
 * once without a decode (their sizes from the headers equal the decoder's), and the
 * grid's queries on this store answered from indexes (EXPLAIN QUERY PLAN).
 * `npm run bench:scale` measures the full sizes (1k, 5k, 20k).
 */
import { execFile } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pageAnnotationsSql } from '../../../src/engine/datasets/dataset-repo';
import { Engine } from '../../../src/engine/engine';
import { inProcessClient } from '../../../src/engine/rpc/in-process';
import type { DatasetSummary } from '../../../src/shared/schemas';
import { makeTempDir, removeDir } from '../../helpers/broken-datasets';
import { makeScaleDataset, type ScaleDataset } from '../../helpers/scale-dataset';

const IMAGES = 2000;
const execFileP = promisify(execFile);

describe(`importing a generated ${IMAGES}-image COCO dataset`, () => {
  let temp: string;
  let engine: Engine;
  let made: ScaleDataset;
  let ds: DatasetSummary;
  const report: Record<string, number> = {};

  beforeAll(async () => {
    temp = await makeTempDir('scale');
    made = await makeScaleDataset(path.join(temp, 'coco-2k'), IMAGES, { seed: 7 });
    let t0 = performance.now();
    await execFileP('sh', ['-c', `cd ${JSON.stringify(path.join(made.dir, 'images'))} && ls | xargs -P 2 -n 500 sha256sum > /dev/null`]);
    report.sha256sum_s = (performance.now() - t0) / 1000;

    engine = new Engine({ dbPath: path.join(temp, 'store.db') });
    const delay = monitorEventLoopDelay({ resolution: 5 });
    delay.enable();
    t0 = performance.now();
    ds = await inProcessClient(engine).call('datasets.import', { dir: made.dir });
    report.import_s = (performance.now() - t0) / 1000;
    delay.disable();
    report.ratio_to_sha256sum = report.import_s / report.sha256sum_s;
    report.max_event_loop_delay_ms = delay.max / 1e6;
    report.p99_event_loop_delay_ms = delay.percentile(99) / 1e6;
    report.load = os.loadavg()[0];
    // a report for the CI log, not an assertion: timings depend on the machine and its load
    console.log(`[scale] ${JSON.stringify(Object.fromEntries(Object.entries(report).map(([k, v]) => [k, Math.round(v * 1000) / 1000])))}`);
  });
  afterAll(async () => {
    await engine?.close();
    if (temp) await removeDir(temp);
  });

  it('stores every image and box, with the stored counts', () => {
    expect(ds.imageCount).toBe(IMAGES);
    expect(ds.annotationCount).toBe(made.annotations);
    expect(ds.categories).toHaveLength(80);
    expect(ds.categories.reduce((n, c) => n + c.count, 0)).toBe(made.annotations);
    const rows = engine.db.prepare('SELECT COUNT(*) AS n FROM annotations WHERE dataset_id = ?').get(ds.id) as { n: number };
    expect(rows.n).toBe(made.annotations);
  });

  it('the sizes read from the headers are the decoder\'s', async () => {
    const rows = engine.db.prepare('SELECT id, file_name, width, height FROM images WHERE dataset_id = ? AND id % 97 = 1').all(ds.id) as {
      file_name: string;
      width: number;
      height: number;
    }[];
    expect(rows.length).toBeGreaterThan(15);
    for (const r of rows) {
      const { info } = await sharp(path.join(made.dir, 'images', r.file_name)).raw().toBuffer({ resolveWithObject: true });
      expect([info.width, info.height], r.file_name).toEqual([r.width, r.height]);
    }
  });

  it('answers the grid\'s queries on this store from indexes', () => {
    const plan = (sql: string, ...args: unknown[]): string[] =>
      (engine.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...args) as { detail: string }[]).map((r) => r.detail);
    const ids = Array.from({ length: 60 }, (_, i) => 1000 + i);
    const steps = [
      ...plan('SELECT id FROM images WHERE dataset_id = ? ORDER BY id LIMIT 60 OFFSET 1000', ds.id),
      ...plan(pageAnnotationsSql(ids.length), ds.id, ...ids),
      ...plan('SELECT COUNT(*) FROM images WHERE dataset_id = ? AND id IN (SELECT image_id FROM annotations WHERE dataset_id = ? AND category_id = ?)', ds.id, ds.id, 3),
      ...plan("SELECT COUNT(*) FROM images WHERE dataset_id = ? AND id IN (SELECT image_id FROM attribute_index WHERE dataset_id = ? AND scope = 'image' AND key = ? AND value = ?)", ds.id, ds.id, 'weather', '"rainy"'),
    ];
    for (const step of steps) expect(step).not.toMatch(/^SCAN (images|annotations|attribute_index)\b/);
    expect(steps.join('\n')).toMatch(/annotations_by_image/);
    expect(steps.join('\n')).toMatch(/annotations_by_category/);
    expect(steps.join('\n')).toMatch(/attribute_index_lookup/);
  });

  it('filters the grid by an image attribute through the index, with the generated counts', async () => {
    const attrs = await inProcessClient(engine).call('datasets.attributes', { id: ds.id });
    const weather = attrs.find((a) => a.scope === 'image' && a.key === 'weather');
    if (weather?.kind !== 'values') throw new Error('weather is offered as a value list');
    expect(weather.values.reduce((n, v) => n + v.count, 0)).toBe(IMAGES);
    const rainy = weather.values.find((v) => v.value === 'rainy')!;
    const page = await inProcessClient(engine).call('datasets.images', { id: ds.id, attribute: { key: 'weather', value: 'rainy' }, limit: 10 });
    expect(page.total).toBe(rainy.count);
  });
});
