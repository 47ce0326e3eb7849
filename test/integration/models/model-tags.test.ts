/**
 * Model tags through the contract on a real store: suggested at import (YOLOX-Nano reads
 * as uncompressed), set by the user, kept across a reopened store, refused when
 * malformed (store unchanged), and reset to the suggestion with null.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../../src/engine/engine';
import { inProcessClient } from '../../../src/engine/rpc/in-process';
import type { ModelTags } from '../../../src/shared/model-tags';
import { modelSummarySchema } from '../../../src/shared/schemas';
import { makeTempDir, removeDir } from '../../helpers/broken-datasets';
import { sharedPath } from '../../helpers/shared';

describe('model tags in the store', () => {
  let temp: string;
  let engine: Engine | undefined;

  beforeAll(async () => {
    temp = await makeTempDir('model-tags');
  });
  afterAll(async () => {
    await engine?.close();
    if (temp) await removeDir(temp);
  });

  it('suggests at import, keeps what the user sets across a reopen, refuses bad tags, and resets with null', async () => {
    const dbPath = path.join(temp, 'odra.db');
    engine = new Engine({ dbPath });
    let client = inProcessClient(engine);
    const model = await client.call('models.import', { path: sharedPath('data', 'models', 'yolox_nano', 'yolox_nano.onnx') });
    expect(modelSummarySchema.parse(model).tagsSource).toBe('suggested');
    expect(model.tags.compression.method).toBe('none');

    const mine: ModelTags = {
      compression: { method: 'distillation', rate: null, rateUnit: null },
      training: 'imbalance',
      note: 'distilled from YOLOX-S with class-balanced sampling',
    };
    const set = await client.call('models.setTags', { id: model.id, tags: mine });
    expect(set.tags).toEqual(mine);
    expect(set.tagsSource).toBe('user');

    await expect(
      client.call('models.setTags', { id: model.id, tags: { ...mine, compression: { method: 'fp16', rate: 16, rateUnit: null } } }),
    ).rejects.toMatchObject({ code: 'BAD_INPUT' });

    await engine.close();
    engine = new Engine({ dbPath });
    client = inProcessClient(engine);
    const again = await client.call('models.get', { id: model.id });
    expect(again.tags).toEqual(mine);

    const reset = await client.call('models.setTags', { id: model.id, tags: null });
    expect(reset.tagsSource).toBe('suggested');
    expect(reset.tags).toEqual(reset.tagSuggestion.tags);
  });
});
