import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../../src/engine/engine';
import { inProcessClient } from '../../../src/engine/rpc/in-process';
import type { OdraClient } from '../../../src/shared/client';
import { CORRUPTION_NAMES, PREVIEW_PIXEL_BUDGET, previewCellLimit } from '../../../src/shared/corruptions';
import { OdraError } from '../../../src/shared/errors';
import { imageFile, makeGoodDataset, makeTempDir, removeDir, writeCocoJson } from '../../helpers/broken-datasets';

describe('corruption previews of a large image', () => {
  let temp: string;
  let engine: Engine;
  let client: OdraClient;
  let datasetId: number;
  let imageId: number;
  // 1.2 megapixels: 95 cells would be 114 megapixels in one answer
  const WIDTH = 1200;
  const HEIGHT = 1000;

  beforeAll(async () => {
    temp = await makeTempDir('preview');
    const dir = path.join(temp, 'large');
    const json = await makeGoodDataset(dir, 1);
    const im = json.images[0];
    const file = imageFile(dir, im.file_name);
    const upscaled = await sharp(file).resize(WIDTH, HEIGHT, { fit: 'fill' }).jpeg().toBuffer();
    await sharp(upscaled).toFile(file);
    await writeCocoJson(dir, { ...json, images: [{ ...im, width: WIDTH, height: HEIGHT }] });
    engine = new Engine({ dbPath: ':memory:' });
    client = inProcessClient(engine);
    datasetId = (await client.call('datasets.import', { dir })).id;
    imageId = im.id;
  });
  afterAll(async () => {
    await engine?.close();
    await removeDir(temp);
  });

  it('the limit follows the pixel budget: 95 cells of a KITTI frame fit, of a 1.2-megapixel image they do not', () => {
    expect(previewCellLimit(1242, 375)).toBeGreaterThanOrEqual(95);
    expect(previewCellLimit(WIDTH, HEIGHT)).toBe(Math.floor(PREVIEW_PIXEL_BUDGET / (WIDTH * HEIGHT)) - 1);
    expect(previewCellLimit(WIDTH, HEIGHT)).toBeLessThan(95);
    expect(previewCellLimit(16_000, 16_000)).toBe(1);
  });

  it('refuses all 95 cells at once before any work, saying how many this image allows', async () => {
    const outcome = await client
      .call('corruptions.preview', { datasetId, imageId, corruptions: [...CORRUPTION_NAMES], severities: [1, 2, 3, 4, 5], seed: 0 })
      .then(
        () => new Error('95 cells were answered'),
        (err: unknown) => err,
      );
    expect(outcome).toBeInstanceOf(OdraError);
    const err = outcome as OdraError;
    expect(err.code).toBe('BAD_INPUT');
    expect(err.message).toContain(`a preview of 95 cells of this ${WIDTH}x${HEIGHT} image is too large`);
    expect(err.message).toContain(`at most ${previewCellLimit(WIDTH, HEIGHT)} cells`);
  });

  it('answers a request within the limit', async () => {
    const out = await client.call('corruptions.preview', { datasetId, imageId, corruptions: ['brightness'], severities: [1, 2, 3, 4, 5], seed: 0 });
    expect(out.cells.map((c) => c.severity)).toEqual([1, 2, 3, 4, 5]);
  });
});
