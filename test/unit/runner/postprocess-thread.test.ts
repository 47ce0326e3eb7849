/**
 * The post-processing worker gives, for real model outputs, the same packed detections
 * the inference thread computes itself (Detector.finish + packDetections), for several
 * models and batches in flight at once and answered in order; and it fails a run whose
 * model it was never told about with a message, without stopping the runs after it.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { packDetections } from '../../../src/engine/audits/packing';
import { decodeImage } from '../../../src/engine/images/decode';
import { Detector } from '../../../src/engine/inference/detector';
import { detectAdapter } from '../../../src/engine/models/detect-adapter';
import { inspectModelIO } from '../../../src/engine/models/inspect-io';
import { PostprocessThread } from '../../../src/engine/runner/postprocess-thread';
import { sharedPath } from '../../helpers/shared';

const IMAGES = [
  sharedPath('fixtures', 'corruptions', 'kitti_000010', 'input.png'),
  sharedPath('fixtures', 'corruptions', 'coco_val2017_000000011197', 'input.png'),
];
const MODELS = [sharedPath('data', 'models', 'yolox_nano', 'yolox_nano.onnx'), sharedPath('data', 'models', 'nanodet_m', 'nanodet_m.onnx')];

describe('PostprocessThread', () => {
  const thread = new PostprocessThread();
  const detectors: Detector[] = [];
  afterAll(async () => {
    await thread.close();
    await Promise.all(detectors.map((d) => d.dispose()));
  });

  it('packs the same detections as the inference thread, for two models, runs in flight together', async () => {
    const images = await Promise.all(IMAGES.map((f) => decodeImage(f)));
    const expected: Uint8Array[][] = [];
    const pending: Promise<{ packed: Uint8Array[] }>[] = [];
    for (const [position, file] of MODELS.entries()) {
      const adapter = detectAdapter(await inspectModelIO(file)).config;
      const detector = await Detector.load(file, adapter, { threads: 1 });
      detectors.push(detector);
      thread.addModel(position, detector.config);
      for (const image of images) {
        const batch = await detector.prepare([image]);
        const outputs = await detector.infer(batch);
        // computed here first: finish() hands the outputs' buffers to the worker
        const here = detector.finish(batch, outputs).map(packDetections);
        expect(here[0].length, 'the image has detections to compare').toBeGreaterThan(packDetections([]).length);
        expected.push(here);
        pending.push(thread.finish(position, outputs, batch.transforms));
      }
    }
    const got = await Promise.all(pending);
    expect(got.map((g) => g.packed.map((p) => Buffer.from(p).toString('hex')))).toEqual(expected.map((e) => e.map((p) => Buffer.from(p).toString('hex'))));
  });

  it('fails a run of an unknown model with a message, and answers the next run', async () => {
    const detector = detectors[0];
    const image = await decodeImage(IMAGES[0]);
    const batch = await detector.prepare([image]);
    const outputs = [await detector.infer(batch), await detector.infer(batch)];
    const bad = thread.finish(99, outputs[0], batch.transforms);
    const good = thread.finish(0, outputs[1], batch.transforms);
    await expect(bad).rejects.toThrow(/no adapter config for model position 99/);
    expect((await good).packed).toHaveLength(1);
  });
});
