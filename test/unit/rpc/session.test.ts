import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../../src/engine/engine';
import { inProcessClient } from '../../../src/engine/rpc/in-process';
import { RpcSession } from '../../../src/engine/rpc/session';
import type { OdraClient } from '../../../src/shared/client';
import { contract, responseMessageSchema, type EngineMessage, type MethodName } from '../../../src/shared/contract';
import { OdraError } from '../../../src/shared/errors';
import type { Progress } from '../../../src/shared/schemas';
import { makeGoodDataset, makeTempDir, removeDir } from '../../helpers/broken-datasets';
import { sharedPath } from '../../helpers/shared';

/** A session whose outgoing messages are collected; `next` waits for the response to an id. */
function recordingSession(engine: Engine, privileged = false) {
  const messages: EngineMessage[] = [];
  const waiters = new Map<string, (m: EngineMessage) => void>();
  const session = new RpcSession(
    engine,
    (m) => {
      messages.push(m);
      if (m.type === 'response') waiters.get(m.id)?.(m);
    },
    { privileged },
  );
  const response = (id: string): Promise<EngineMessage> =>
    new Promise((resolve) => {
      const done = messages.find((m) => m.type === 'response' && m.id === id);
      if (done) resolve(done);
      else waiters.set(id, resolve);
    });
  return { session, messages, response };
}

async function callError(promise: Promise<unknown>): Promise<OdraError> {
  const outcome = await promise.then(
    () => new Error('the call succeeded but must fail'),
    (err: unknown) => err,
  );
  if (!(outcome instanceof OdraError)) throw outcome;
  return outcome;
}

describe('RPC session', () => {
  let temp: string;
  let engine: Engine;
  let client: OdraClient;
  let datasetDir: string;

  beforeAll(async () => {
    temp = await makeTempDir('rpc');
    engine = new Engine({ dbPath: ':memory:' });
    client = inProcessClient(engine);
    datasetDir = path.join(temp, 'small');
    await makeGoodDataset(datasetDir, 3);
  });
  afterAll(async () => {
    await engine?.close();
    await removeDir(temp);
  });

  it('answers an unknown method with BAD_INPUT naming it', async () => {
    const err = await callError(client.call('datasets.explode' as MethodName, {} as never));
    expect(err.code).toBe('BAD_INPUT');
    expect(err.message).toBe('unknown method "datasets.explode"');
    // names on Object.prototype are not methods either
    const proto = await callError(client.call('toString' as MethodName, {} as never));
    expect(proto.message).toBe('unknown method "toString"');
  });

  it.each([
    ['null', null, '?'],
    ['a string', 'hello', '?'],
    ['a number', 42, '?'],
    ['no id', { type: 'request', method: 'system.info', input: {} }, '?'],
    ['empty id', { type: 'request', id: '', method: 'system.info', input: {} }, ''],
    ['id too long', { type: 'request', id: 'x'.repeat(101), method: 'system.info', input: {} }, 'x'.repeat(101)],
    ['unknown type', { type: 'subscribe', id: 'm7' }, 'm7'],
    ['method not a string', { type: 'request', id: 'm8', method: 5, input: {} }, 'm8'],
  ])('answers a malformed message (%s) with BAD_INPUT and never throws', async (_name, raw, id) => {
    const { session, messages } = recordingSession(engine);
    expect(() => session.receive(raw)).not.toThrow();
    expect(messages).toEqual([{ type: 'response', id, ok: false, error: { code: 'BAD_INPUT', message: 'malformed message' } }]);
    expect(responseMessageSchema.safeParse(messages[0]).success).toBe(true);
  });

  it('rejects input that fails the schema, listing every bad field', async () => {
    const err = await callError(client.call('datasets.images', { id: -1, limit: 1000, offset: 0 }));
    expect(err.code).toBe('BAD_INPUT');
    expect(err.message).toMatch(/^invalid input for datasets\.images: /);
    expect(err.message).toMatch(/\bid: /);
    expect(err.message).toMatch(/\blimit: /);
    const problems = (err.details?.problems ?? []).map((p) => p.problem);
    expect(problems).toHaveLength(2);
    expect(problems.some((p) => p.startsWith('id: '))).toBe(true);
    expect(problems.some((p) => p.startsWith('limit: '))).toBe(true);
  });

  it('rejects unknown fields and wrong types', async () => {
    const extra = await callError(client.call('datasets.import', { dir: datasetDir, colour: 'red' } as never));
    expect(extra.code).toBe('BAD_INPUT');
    expect(extra.message).toMatch(/colour/);
    const wrongType = await callError(client.call('datasets.import', { dir: 17 } as never));
    expect(wrongType.message).toMatch(/dir: /);
    const empty = await callError(client.call('datasets.import', { dir: '' }));
    expect(empty.message).toMatch(/dir: /);
    expect(await client.call('datasets.list', {})).toEqual([]);
  });

  it('gives NOT_FOUND for an id the store does not know', async () => {
    const err = await callError(client.call('datasets.get', { id: 999 }));
    expect(err.code).toBe('NOT_FOUND');
    expect(err.message).toMatch(/999/);
  });

  it('outputs match the contract and progress reaches the caller', async () => {
    const info = contract['system.info'].output.parse(await client.call('system.info', {}));
    expect(info.executionProviders).toContain('cpu');
    const progress: Progress[] = [];
    const ds = await client.call('datasets.import', { dir: datasetDir }, { onProgress: (p) => progress.push(p) });
    contract['datasets.import'].output.parse(ds);
    const stages = progress.map((p) => p.stage).filter((s, i, all) => s !== all[i - 1]);
    expect(stages).toEqual(['reading labels', 'checking images', 'storing']);
    contract['datasets.list'].output.parse(await client.call('datasets.list', {}));
  });

  it('refuses the privileged datasets.imagePath on a renderer connection and serves it to a trusted one', async () => {
    const ds = await client.call('datasets.import', { dir: datasetDir });
    const { images } = await client.call('datasets.images', { id: ds.id, limit: 1 });
    const input = { datasetId: ds.id, imageId: images[0].id };

    const renderer = inProcessClient(engine, { privileged: false });
    const refused = await callError(renderer.call('datasets.imagePath', input));
    expect(refused.code).toBe('BAD_INPUT');
    expect(refused.message).toBe('method "datasets.imagePath" is not available on this connection');
    // the default session (as used by a WebSocket) is not privileged either
    const { session, response } = recordingSession(engine);
    session.receive({ type: 'request', id: 'p1', method: 'datasets.imagePath', input });
    expect(await response('p1')).toMatchObject({ ok: false, error: { code: 'BAD_INPUT' } });
    // non-privileged methods still work on that connection
    expect((await renderer.call('datasets.list', {})).map((d) => d.id)).toEqual([ds.id]);

    const trusted = await client.call('datasets.imagePath', input);
    expect(trusted).toEqual({ path: path.join(datasetDir, 'images', images[0].fileName), root: datasetDir });
  });

  it('a cancel for an unknown or finished request is ignored', async () => {
    const { session, messages } = recordingSession(engine);
    expect(() => session.receive({ type: 'cancel', id: 'never-sent' })).not.toThrow();
    expect(messages).toEqual([]);
  });

  it('refuses a second request under an id that is still running, and the first stays cancellable', async () => {
    const { session, messages, response } = recordingSession(engine);
    session.receive({ type: 'request', id: 'dup', method: 'datasets.import', input: { dir: sharedPath('data', 'datasets', 'kitti_tiny_2d') } });
    session.receive({ type: 'request', id: 'dup', method: 'system.info', input: {} });
    expect(messages.filter((m) => m.type === 'response')).toEqual([
      { type: 'response', id: 'dup', ok: false, error: { code: 'BAD_INPUT', message: 'request id "dup" is already in use' } },
    ]);
    messages.length = 0;
    session.receive({ type: 'cancel', id: 'dup' });
    expect(await response('dup')).toMatchObject({ ok: false, error: { code: 'CANCELLED' } });
    // once finished, the id may be used again
    messages.length = 0;
    session.receive({ type: 'request', id: 'dup', method: 'system.info', input: {} });
    expect(await response('dup')).toMatchObject({ id: 'dup', ok: true });
  });

  it('closing the connection does not cancel an import: it finishes and is stored, and nothing is sent on the closed connection', async () => {
    const { session, messages } = recordingSession(engine);
    session.receive({ type: 'request', id: 'imp', method: 'datasets.import', input: { dir: sharedPath('data', 'datasets', 'kitti_tiny_2d') } });
    session.close();
    const deadline = Date.now() + 60_000;
    while (!(await client.call('datasets.list', {})).some((d) => d.name === 'kitti_tiny_2d')) {
      if (Date.now() > deadline) throw new Error('the import did not finish after its connection closed');
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(messages.filter((m) => m.type === 'response')).toEqual([]);
  });

  it('an explicit cancel still stops an import, and the store stays as it was', async () => {
    const { session, response } = recordingSession(engine);
    session.receive({ type: 'request', id: 'imp', method: 'datasets.import', input: { dir: sharedPath('data', 'datasets', 'coco128_train2017_driving') } });
    session.receive({ type: 'cancel', id: 'imp' });
    expect(await response('imp')).toEqual({
      type: 'response',
      id: 'imp',
      ok: false,
      error: { code: 'CANCELLED', message: 'datasets.import was cancelled' },
    });
    expect((await client.call('datasets.list', {})).some((d) => d.name === 'coco128_train2017_driving')).toBe(false);
  });
});
