/**
 * Cancelling a running evaluation through the RPC session, on the real YOLOX-Nano and
 * coco128_val2017_driving: CANCELLED to the caller, status cancelled in the store, no
 * metrics. Exact, not a race: the in-process transport delivers progress and cancel
 * messages synchronously, so aborting on the first `detecting` event (always sent,
 * done = 0) aborts the engine's signal before the first image is detected.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../../src/engine/engine';
import { inProcessClient } from '../../../src/engine/rpc/in-process';
import type { OdraClient } from '../../../src/shared/client';
import { OdraError } from '../../../src/shared/errors';
import type { Progress } from '../../../src/shared/schemas';
import { sharedPath } from '../../helpers/shared';

async function callError(promise: Promise<unknown>): Promise<OdraError> {
  const outcome = await promise.then(
    () => new Error('the call succeeded but must fail'),
    (err: unknown) => err,
  );
  if (!(outcome instanceof OdraError)) throw outcome;
  return outcome;
}

describe('RPC session on a real evaluation', () => {
  let engine: Engine;
  let client: OdraClient;

  beforeAll(() => {
    engine = new Engine({ dbPath: ':memory:' });
    client = inProcessClient(engine);
  });
  afterAll(async () => {
    await engine?.close();
  });

  it('cancels a running evaluation: CANCELLED to the caller, status cancelled in the store', async () => {
    const model = await client.call('models.import', { path: sharedPath('data', 'models', 'yolox_nano', 'yolox_nano.onnx') });
    const ds = await client.call('datasets.import', { dir: sharedPath('data', 'datasets', 'coco128_val2017_driving') });
    const controller = new AbortController();
    const seen: Progress[] = [];
    const err = await callError(
      client.call(
        'evaluations.run',
        { modelId: model.id, datasetId: ds.id },
        {
          signal: controller.signal,
          onProgress: (p) => {
            seen.push(p);
            if (p.stage === 'detecting') controller.abort();
          },
        },
      ),
    );
    expect(err.code).toBe('CANCELLED');
    // the caller learns which evaluation stopped and how far it got, in words
    expect(err.message).toMatch(/^evaluation \d+ cancelled after \d+ of \d+ images; nothing was scored$/);
    const detecting = seen.filter((p) => p.stage === 'detecting');
    expect(detecting.at(-1)!.done).toBeLessThan(ds.imageCount);
    expect(seen.some((p) => p.stage === 'scoring')).toBe(false);

    const [evaluation] = await client.call('evaluations.list', { modelId: model.id, datasetId: ds.id });
    expect(evaluation.status).toBe('cancelled');
    expect(evaluation.stats).toBeNull();
    expect(evaluation.finishedAt).not.toBeNull();
    // stored plainly, with how long it ran: never the abort's own "This operation was aborted"
    expect(evaluation.error).toMatch(/^cancelled after \d+ of \d+ images; nothing was scored$/);
    expect(evaluation.seconds).toBeGreaterThan(0);
    const metrics = engine.db.prepare('SELECT COUNT(*) AS n FROM audit_cell_categories WHERE audit_id = ?').get(evaluation.id) as { n: number };
    expect(metrics.n).toBe(0);
  });
});
