import { execFileSync } from 'node:child_process';
import { copyFile, mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../../src/engine/engine';
import { inProcessClient } from '../../../src/engine/rpc/in-process';
import type { OdraClient } from '../../../src/shared/client';
import { OdraError } from '../../../src/shared/errors';
import { alreadyImportedMessage } from '../../../src/shared/schemas';
import { makeTempDir, removeDir } from '../../helpers/broken-datasets';
import { BROKEN_MODELS, tinyDetectorBytes } from '../../helpers/broken-models';
import { sharedPath } from '../../helpers/shared';

async function failure(p: Promise<unknown>): Promise<OdraError> {
  const outcome = await p.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(outcome instanceof OdraError)) throw new Error(`expected an OdraError, got ${String(outcome)}`);
  return outcome;
}

describe('models.import', () => {
  let temp: string;
  let engine: Engine;
  let client: OdraClient;

  beforeAll(async () => {
    temp = await makeTempDir('model-import');
    engine = new Engine({ dbPath: ':memory:' });
    client = inProcessClient(engine);
  });
  afterAll(async () => {
    await engine.close();
    await removeDir(temp);
  });

  it.each(BROKEN_MODELS.map((c) => [c.name, c] as const))('refuses %s with the problem in words, storing nothing', async (_name, c) => {
    const file = path.join(temp, `${c.name.replace(/\W+/g, '-')}.onnx`);
    await writeFile(file, c.bytes());
    const err = await failure(client.call('models.import', { path: file }));
    expect(err.message).toContain(file);
    expect(err.message).toMatch(c.problem);
    expect(err.message).not.toMatch(/wire type|\.cc:\d+|onnxruntime_src|ZodError/);
    expect(['BAD_INPUT', 'UNSUPPORTED']).toContain(err.code);
    expect(await client.call('models.list', {})).toEqual([]);
  });

  it('keeps onnxruntime own words for a refused model in details.runtimeMessage', async () => {
    const file = path.join(temp, 'unknown-op.onnx');
    await writeFile(file, BROKEN_MODELS[0].bytes());
    const err = await failure(client.call('models.import', { path: file }));
    expect(String(err.details?.runtimeMessage)).toMatch(/No Op registered for FrobnicateXYZ/);
  });

  it('says a folder is a folder', async () => {
    const err = await failure(client.call('models.import', { path: temp }));
    expect(err.message).toBe(`${temp} is a folder, not an ONNX model file`);
  });

  it('refuses a FIFO without opening it (the call returns instead of blocking)', async () => {
    const fifo = path.join(temp, 'pipe.onnx');
    execFileSync('mkfifo', [fifo]);
    const err = await failure(client.call('models.import', { path: fifo }));
    expect(err.message).toBe(`${fifo} is a FIFO (named pipe), not a regular file`);
  });

  it.each([
    ['a text file', 'hello, I am not a model\n', /is not an ONNX model \(it is a text file\)/],
    ['a JSON file', '{"model": "yolox"}', /is not an ONNX model \(it is a JSON or other text file\)/],
    ['a ZIP archive (PyTorch checkpoint)', Buffer.from([0x50, 0x4b, 0x03, 0x04, 1, 2, 3, 4]), /is not an ONNX model \(it is a ZIP archive \(a PyTorch \.pt checkpoint is one/],
    ['a PNG image', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), /is not an ONNX model \(it is a PNG image\)/],
    ['an empty file', '', /is not an ONNX model \(the file is empty\)/],
  ])('names %s for what it is, not in protobuf terms', async (_what, content, problem) => {
    const file = path.join(temp, `not-onnx-${Math.random().toString(36).slice(2)}.onnx`);
    await writeFile(file, content);
    const err = await failure(client.call('models.import', { path: file }));
    expect(err.message.split('\n')[0]).toMatch(problem);
    expect(err.message.split('\n')[0]).not.toMatch(/wire type/);
  });

  it('a names file with the wrong count names the names file and both counts', async () => {
    const names = path.join(temp, 'classes.txt');
    await writeFile(names, Array.from({ length: 79 }, (_, i) => `class${i}`).join('\n'));
    const model = sharedPath('data', 'models', 'yolox_nano', 'yolox_nano.onnx');
    const err = await failure(client.call('models.import', { path: model, namesFile: names }));
    expect(err.message).toMatch(new RegExp(`^${names.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: the names list has 79 names but the model has 80 classes`));
    expect(err.details?.file).toBe(names);
  });

  it('a missing names file is named', async () => {
    const names = path.join(temp, 'no-such-names.txt');
    const model = sharedPath('data', 'models', 'yolox_nano', 'yolox_nano.onnx');
    const err = await failure(client.call('models.import', { path: model, namesFile: names }));
    expect(err.message).toBe(`${names} does not exist (the class names file)`);
  });

  it('says when the model is already imported, and renames it on request', async () => {
    const file = path.join(temp, 'tiny.onnx');
    await writeFile(file, tinyDetectorBytes(0.25));
    const first = await client.call('models.import', { path: file, name: 'tiny' });
    expect(first.alreadyImported).toBeUndefined();
    const again = await client.call('models.import', { path: file, name: 'tiny-int8' });
    expect(again.id).toBe(first.id);
    expect(again.alreadyImported).toEqual({ requestedName: 'tiny-int8', requestedPath: null });
    expect(alreadyImportedMessage('model', again, again.alreadyImported!)).toBe(
      'this model is already imported as "tiny": nothing new was imported; it keeps its name "tiny" unless you rename it to "tiny-int8"',
    );
    const copy = path.join(temp, 'copy-of-tiny.onnx');
    await copyFile(file, copy);
    const elsewhere = await client.call('models.import', { path: copy });
    expect(elsewhere.alreadyImported).toEqual({ requestedName: null, requestedPath: copy });
    const renamed = await client.call('models.rename', { id: first.id, name: 'tiny-int8' });
    expect(renamed.name).toBe('tiny-int8');
    expect((await client.call('models.list', {})).map((m) => m.name)).toEqual(['tiny-int8']);
  });

  it('relocates a moved model file after checking its SHA-256, and refuses another file', async () => {
    const dir = path.join(temp, 'relocate');
    await mkdir(dir);
    const file = path.join(dir, 'm.onnx');
    await writeFile(file, tinyDetectorBytes(0.5));
    const model = await client.call('models.import', { path: file });
    const moved = path.join(dir, 'moved.onnx');
    await rename(file, moved);
    const other = path.join(dir, 'other.onnx');
    await writeFile(other, tinyDetectorBytes(0.75));

    const wrong = await failure(client.call('models.relocate', { id: model.id, path: other }));
    expect(wrong.message).toMatch(new RegExp(`^${other}.* is not the model "m": its SHA-256 is [0-9a-f]{12}…, the model's is ${model.sha256.slice(0, 12)}…`));
    expect((await client.call('models.get', { id: model.id })).path).toBe(file);

    const relocated = await client.call('models.relocate', { id: model.id, path: moved });
    expect(relocated.path).toBe(moved);
    expect(relocated.sha256).toBe(model.sha256);
  });
});
