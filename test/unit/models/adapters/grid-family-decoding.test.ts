/**
 * Every family end to end through onnxruntime on tiny constant graphs: adapter
 * detection from the file, then decode + NMS of planted boxes back to original pixels.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Detector, type Detection } from '../../../../src/engine/inference/detector';
import type { AdapterConfig } from '../../../../src/engine/models/adapter-config';
import { detectAdapter } from '../../../../src/engine/models/detect-adapter';
import { inspectModelIO } from '../../../../src/engine/models/inspect-io';
import { plantedOutputs, writeConstantModel } from '../../../helpers/onnx-builder';
import { CLASSES, EXPECTED, IMAGE, INPUT_H, INPUT_W, PLANTED, type Expected } from '../planted-scene';

type GridFamily = 'yolox' | 'nanodet' | 'yolov5' | 'yolov8';

const INPUT_NAME: Record<GridFamily, string> = { yolox: 'images', nanodet: 'input.1', yolov5: 'images', yolov8: 'images' };
const METADATA: Record<GridFamily, Record<string, string>> = {
  yolox: {},
  nanodet: {},
  yolov5: { stride: '32', names: "{0: 'car', 1: 'person', 2: 'sign'}" },
  yolov8: { author: 'Ultralytics', task: 'detect', names: "{0: 'car', 1: 'person', 2: 'sign'}" },
};

function modelFor(family: GridFamily): Promise<string> {
  return writeConstantModel({
    inputName: INPUT_NAME[family],
    inputShape: [1, 3, INPUT_H, INPUT_W],
    outputs: plantedOutputs(family, INPUT_W, INPUT_H, CLASSES, PLANTED),
    metadata: METADATA[family],
  });
}

function expectDetections(got: Detection[], want: Expected[]): void {
  expect(got.map((d) => d.classIndex)).toEqual(want.map((w) => w.classIndex));
  got.forEach((d, k) => {
    expect(d.score).toBeCloseTo(want[k].score, 5);
    d.bbox.forEach((v, j) => expect(v, `det ${k} bbox[${j}]`).toBeCloseTo(want[k].bbox[j], 3));
  });
}

const detectors: Detector[] = [];
afterAll(async () => {
  await Promise.all(detectors.map((d) => d.dispose()));
});

describe.each(['yolox', 'nanodet', 'yolov5', 'yolov8'] as const)('%s', (family) => {
  it('is detected from the graph and decodes planted boxes through both letterbox alignments', async () => {
    const file = await modelFor(family);
    const detection = detectAdapter(await inspectModelIO(file));
    expect(detection.config.family).toBe(family);
    expect(detection.config.input).toEqual({ name: INPUT_NAME[family], width: INPUT_W, height: INPUT_H, layout: 'NCHW' });
    if (family === 'yolov5' || family === 'yolov8') expect(detection.config.classNames).toEqual(['car', 'person', 'sign']);
    else expect(detection.config.classNames).toEqual(['class_0', 'class_1', 'class_2']);

    for (const align of ['top-left', 'center'] as const) {
      const config: AdapterConfig = { ...detection.config, preprocessing: { ...detection.config.preprocessing, align } };
      const det = await Detector.load(file, config);
      detectors.push(det);
      const [dets] = await det.detect([IMAGE]);
      expectDetections(dets, EXPECTED[align]);
    }
  });
});

describe('decoding options', () => {
  it('auto-loads with the detected adapter (YOLOX: top-left) and records it', async () => {
    const det = await Detector.load(await modelFor('yolox'));
    detectors.push(det);
    expect(det.detection?.config.family).toBe('yolox');
    expect(det.detection?.io.sha256).toMatch(/^[0-9a-f]{64}$/);
    expectDetections((await det.detect([IMAGE]))[0], EXPECTED['top-left']);
  });

  it('undoes a stretch resize per axis', async () => {
    const file = await modelFor('yolov8');
    const base = detectAdapter(await inspectModelIO(file)).config;
    const det = await Detector.load(file, { ...base, preprocessing: { ...base.preprocessing, resize: 'stretch' } });
    detectors.push(det);
    const [dets] = await det.detect([IMAGE]);
    // scaleX 0.32, scaleY 0.64: A (24,20,56,36) -> (75, 31.25, 175, 56.25)
    expect(dets[0].bbox.map((v) => Number(v.toFixed(3)))).toEqual([75, 31.25, 100, 25]);
  });

  it('applies score threshold, NMS IoU and maxDetections from the config', async () => {
    const file = await modelFor('nanodet');
    const base = detectAdapter(await inspectModelIO(file)).config;
    const post = (p: Partial<AdapterConfig['postprocessing']>) => ({ ...base, postprocessing: { ...base.postprocessing, ...p } });
    const run = async (config: AdapterConfig) => {
      const det = await Detector.load(file, config);
      detectors.push(det);
      return (await det.detect([IMAGE]))[0].map((d) => `${d.classIndex}:${d.score.toFixed(2)}`);
    };
    expect(await run(post({ scoreThreshold: 0.65 }))).toEqual(['1:0.80']);
    expect(await run(post({ nmsIou: 0.9 }))).toEqual(['1:0.80', '0:0.60', '1:0.50']);
    expect(await run(post({ maxDetections: 1 }))).toEqual(['1:0.80']);
  });
});
