/**
 * The runner's work on real onnxruntime sessions and the real corruption pool, through
 * its message interface: tasks answered in order with the packed detections a direct
 * Detector run gives on the same (corrupted) pixels; failures as error messages that
 * name the file (an undecodable image, a model that is not one, a model whose output is
 * not finite).
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FromRunner, RunnerResult, ToRunner } from '../../../src/engine/audits/runner-protocol';
import { packDetections } from '../../../src/engine/audits/packing';
import { applyCorruption } from '../../../src/engine/corruptions/registry';
import { decodeImage } from '../../../src/engine/images/decode';
import { Detector } from '../../../src/engine/inference/detector';
import { detectAdapter } from '../../../src/engine/models/detect-adapter';
import { inspectModelIO } from '../../../src/engine/models/inspect-io';
import { Runner } from '../../../src/engine/runner/runner';
import type { AdapterConfig } from '../../../src/shared/adapter';
import { writeConvDetector } from '../../helpers/conv-detector';
import { makeTempDir, removeDir } from '../../helpers/broken-datasets';
import { plantedOutputs, writeConstantModel } from '../../helpers/onnx-builder';
import { sharedPath } from '../../helpers/shared';

const IMAGE = sharedPath('fixtures', 'corruptions', 'kitti_000010', 'input.png');
const IMAGE2 = sharedPath('fixtures', 'corruptions', 'coco_val2017_000000011197', 'input.png');

/** A runner whose answers are collected; `next` waits for the next one. */
function runner() {
  const got: FromRunner[] = [];
  let wake: (() => void) | null = null;
  const r = new Runner({
    send: (m) => {
      got.push(structuredClone(m));
      wake?.();
    },
  });
  const next = async (): Promise<FromRunner> => {
    while (!got.length) await new Promise<void>((resolve) => (wake = resolve));
    return got.shift()!;
  };
  return { send: (m: ToRunner) => r.handle(m), next, shutdown: () => r.shutdown() };
}

describe('audit runner', () => {
  let temp: string;
  let conv: string;
  let adapter: AdapterConfig;
  const runners: { shutdown: () => Promise<void> }[] = [];

  beforeAll(async () => {
    temp = await makeTempDir('runner');
    conv = await writeConvDetector(5);
    adapter = detectAdapter(await inspectModelIO(conv)).config;
  });
  afterAll(async () => {
    for (const r of runners) await r.shutdown();
    await removeDir(temp);
  });

  it('answers tasks in order with the detections a direct run gives on the same pixels, batched or not', async () => {
    const r = runner();
    runners.push(r);
    r.send({ type: 'init', models: [{ position: 0, path: conv, adapter }, { position: 1, path: conv, adapter }], ortThreads: 1, poolWorkers: 2, batchSize: 3, digests: true });
    const ready = await r.next();
    expect(ready).toMatchObject({ type: 'ready', models: [{ position: 0, executionProvider: 'cpu' }, { position: 1, executionProvider: 'cpu' }] });
    r.send({ type: 'task', seq: 0, imagePos: 0, imageId: 10, path: IMAGE, corruption: null, conditions: [{ conditionPos: 0, severity: 0, seed: 0, models: [0, 1] }] });
    r.send({
      type: 'task',
      seq: 1,
      imagePos: 1,
      imageId: 20,
      path: IMAGE2,
      corruption: 'gaussian_noise',
      conditions: [
        { conditionPos: 1, severity: 2, seed: 77, models: [0, 1] },
        { conditionPos: 2, severity: 5, seed: 78, models: [1] },
      ],
    });
    const first = (await r.next()) as RunnerResult;
    const second = (await r.next()) as RunnerResult;
    expect([first.type, first.seq, second.type, second.seq]).toEqual(['result', 0, 'result', 1]);
    expect(first.units.map((u) => [u.conditionPos, u.modelPos])).toEqual([
      [0, 0],
      [0, 1],
    ]);
    expect(second.units.map((u) => [u.conditionPos, u.modelPos]).sort()).toEqual([
      [1, 0],
      [1, 1],
      [2, 1],
    ]);
    expect(second.stages.corruptMs).toBeGreaterThan(0);

    const direct = await Detector.load(conv, adapter, { threads: 1, maxBatch: 1 });
    try {
      const clean = await decodeImage(IMAGE);
      const [d0] = await direct.detect([clean]);
      for (const u of first.units) expect(u.detections).toEqual(packDetections(d0));
      const source = await decodeImage(IMAGE2);
      for (const u of second.units) {
        const severity = u.conditionPos === 1 ? 2 : 5;
        const corrupted = await applyCorruption(source, 'gaussian_noise', severity, u.conditionPos === 1 ? 77 : 78);
        const [d] = await direct.detect([corrupted]);
        expect(u.detections, `condition ${u.conditionPos} model ${u.modelPos}`).toEqual(packDetections(d));
      }
      expect(second.digests.map((d) => d.conditionPos)).toEqual([1, 2]);
    } finally {
      await direct.dispose();
    }
  });

  it('an undecodable image fails its task with BAD_INPUT naming the file', async () => {
    const broken = path.join(temp, 'broken.png');
    await writeFile(broken, 'not an image');
    const r = runner();
    runners.push(r);
    r.send({ type: 'init', models: [{ position: 0, path: conv, adapter }], ortThreads: 1, poolWorkers: 1, digests: false });
    expect((await r.next()).type).toBe('ready');
    r.send({ type: 'task', seq: 4, imagePos: 0, imageId: 1, path: broken, corruption: 'fog', conditions: [{ conditionPos: 1, severity: 1, seed: 1, models: [0] }] });
    expect(await r.next()).toMatchObject({ type: 'error', seq: 4, code: 'BAD_INPUT', file: broken, message: expect.stringContaining(`cannot decode image ${broken}`) as string });
  });

  it('an undecodable image of a clean task (decoded by a pool worker) fails its task with BAD_INPUT naming the file, after the good one before it', async () => {
    const broken = path.join(temp, 'broken-clean.jpg');
    await writeFile(broken, 'not a jpeg either');
    const r = runner();
    runners.push(r);
    r.send({ type: 'init', models: [{ position: 0, path: conv, adapter }], ortThreads: 1, poolWorkers: 1, digests: false });
    expect((await r.next()).type).toBe('ready');
    r.send({ type: 'task', seq: 0, imagePos: 0, imageId: 1, path: IMAGE, corruption: null, conditions: [{ conditionPos: 0, severity: 0, seed: 0, models: [0] }] });
    r.send({ type: 'task', seq: 1, imagePos: 1, imageId: 2, path: broken, corruption: null, conditions: [{ conditionPos: 0, severity: 0, seed: 0, models: [0] }] });
    expect(await r.next()).toMatchObject({ type: 'result', seq: 0 });
    const err = await r.next();
    expect(err).toMatchObject({ type: 'error', seq: 1, code: 'BAD_INPUT', file: broken, message: expect.stringContaining(`cannot decode image ${broken}`) as string });
    expect((err as { message: string }).message).not.toMatch(/preprocessing/);
  });

  it('a file that is not a model fails the init naming it', async () => {
    const notModel = path.join(temp, 'model.onnx');
    await writeFile(notModel, 'nope');
    const r = runner();
    runners.push(r);
    r.send({ type: 'init', models: [{ position: 0, path: notModel, adapter }], ortThreads: 1, poolWorkers: 1, digests: false });
    expect(await r.next()).toMatchObject({ type: 'error', seq: null, code: 'BAD_INPUT', file: notModel, message: expect.stringContaining(`cannot load model ${notModel}`) as string });
  });

  it('a model output with a non-finite value is an error naming the model, the output and the image, never a silent AP 0', async () => {
    const outputs = plantedOutputs('yolov8', 64, 64, 2, [{ x1: 8, y1: 8, x2: 40, y2: 40, classIndex: 0, score: 0.9 }]);
    outputs[0].value[5] = Number.NaN;
    const nan = await writeConstantModel({ inputName: 'images', inputShape: [1, 3, 64, 64], outputs, metadata: { names: "{0: 'car', 1: 'person'}" } });
    const nanAdapter = detectAdapter(await inspectModelIO(nan)).config;
    const r = runner();
    runners.push(r);
    r.send({ type: 'init', models: [{ position: 0, path: nan, adapter: nanAdapter }], ortThreads: 1, poolWorkers: 1, digests: false });
    expect((await r.next()).type).toBe('ready');
    r.send({ type: 'task', seq: 0, imagePos: 0, imageId: 1, path: IMAGE, corruption: null, conditions: [{ conditionPos: 0, severity: 0, seed: 0, models: [0] }] });
    const err = await r.next();
    expect(err).toMatchObject({ type: 'error', seq: 0, code: 'BAD_INPUT', file: nan });
    expect((err as { message: string }).message).toMatch(/model\.onnx: output output0 holds 1 NaN value\(s\) of \d+ .*cannot be scored/);
    expect((err as { message: string }).message).toContain(`(on image ${IMAGE}, clean)`);
  });
});
