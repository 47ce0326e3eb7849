/**
 * The end-to-end families (YOLOv10, torchvision SSD, NMS-in-graph, DETR, RT-DETR) on
 * tiny constant graphs with each family's exact output signature, run by onnxruntime:
 * adapter detection from the file, then decoding of planted boxes back to original
 * pixels (no NMS: the shifted duplicate C survives, as it would from such a model).
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { RgbImage } from '../../../../src/engine/images/rgb-image';
import { Detector, type Detection } from '../../../../src/engine/inference/detector';
import { COCO80_CLASS_NAMES, COCO91_CLASS_NAMES, type AdapterConfig, type ModelFamily } from '../../../../src/engine/models/adapter-config';
import { detectAdapter } from '../../../../src/engine/models/detect-adapter';
import { inspectModelIO } from '../../../../src/engine/models/inspect-io';
import { OdraError } from '../../../../src/shared/errors';
import { plantedEndToEnd, plantedOutputs, writeConstantModel, type ConstantModelSpec, type EndToEndLayout, type EndToEndOptions } from '../../../helpers/onnx-builder';
import { CLASSES, EXPECTED_NO_NMS, IMAGE, INPUT_H, INPUT_W, PLANTED, type Expected } from '../planted-scene';

const NAMES3 = "['car', 'person', 'sign']";

const detectors: Detector[] = [];
afterAll(async () => {
  await Promise.all(detectors.map((d) => d.dispose()));
});

async function load(file: string, config?: AdapterConfig, options?: Parameters<typeof Detector.load>[2]): Promise<Detector> {
  const det = await Detector.load(file, config, options);
  detectors.push(det);
  return det;
}

function expectDetections(got: Detection[], want: Expected[], classShift = 0): void {
  expect(got.map((d) => d.classIndex)).toEqual(want.map((w) => w.classIndex + classShift));
  got.forEach((d, k) => {
    expect(d.score, `det ${k} score`).toBeCloseTo(want[k].score, 5);
    d.bbox.forEach((v, j) => expect(v, `det ${k} bbox[${j}]`).toBeCloseTo(want[k].bbox[j], 3));
  });
}

const scene = (o: Partial<EndToEndOptions> = {}): EndToEndOptions => ({
  inputWidth: INPUT_W,
  inputHeight: INPUT_H,
  classCount: CLASSES,
  boxes: PLANTED,
  slots: 300,
  ...o,
});

interface Case {
  family: ModelFamily;
  layout: EndToEndLayout;
  spec: Partial<ConstantModelSpec>;
  options?: Partial<EndToEndOptions>;
  /** the model's class index of planted class i is i + classShift */
  classShift?: number;
  names: (names: string[]) => void;
  facts: RegExp;
}

const CASES: Case[] = [
  {
    family: 'yolov10',
    layout: 'yolov10',
    spec: { metadata: { author: 'Ultralytics', task: 'detect', names: NAMES3 } },
    names: (n) => expect(n).toEqual(['car', 'person', 'sign']),
    facts: /300 final detections/,
  },
  {
    // torchvision: unbatched [3, H, W] input, boxes [K, 4], labels int64 = COCO category ids (1 = person)
    family: 'ssd',
    layout: 'ssd',
    spec: { inputName: 'images', inputShape: [3, INPUT_H, INPUT_W] },
    options: { slots: 200, labelOffset: 1 },
    classShift: 1,
    names: (n) => expect(n).toEqual(COCO91_CLASS_NAMES),
    facts: /unbatched \[3, H, W\] input/,
  },
  {
    family: 'nms-in-graph',
    layout: 'nms-in-graph',
    spec: { metadata: { names: NAMES3 } },
    options: { slots: 100, junkAfterCount: true },
    names: (n) => expect(n).toEqual(['car', 'person', 'sign']),
    facts: /count num_dets/,
  },
  {
    // DETR COCO head: 91 category ids + "no object"
    family: 'detr',
    layout: 'detr',
    spec: { inputName: 'pixel_values' },
    options: { slots: 100, classCount: 91, labelOffset: 1 },
    classShift: 1,
    names: (n) => expect(n).toEqual(COCO91_CLASS_NAMES),
    facts: /softmax over 91 classes/,
  },
  {
    family: 'rtdetr',
    layout: 'rtdetr',
    spec: {},
    options: { slots: 300, classCount: 80 },
    names: (n) => expect(n).toEqual(COCO80_CLASS_NAMES),
    facts: /sigmoid \(focal\) scores over 80 classes/,
  },
  {
    family: 'rtdetr',
    layout: 'rtdetr-combined',
    spec: { metadata: { author: 'Ultralytics', description: 'Ultralytics RT-DETR-l model', task: 'detect', names: NAMES3 } },
    names: (n) => expect(n).toEqual(['car', 'person', 'sign']),
    facts: /one output output0 \[B, 300, 4 \+ 3\]/,
  },
  {
    family: 'rtdetr',
    layout: 'rtdetr-deploy',
    spec: { extraInputs: [{ name: 'orig_target_sizes', type: 'int64', shape: [1, 2] }] },
    names: (n) => expect(n).toEqual(COCO80_CLASS_NAMES),
    facts: /RT-DETR deploy export/,
  },
];

function modelFor(c: Case, o: Partial<EndToEndOptions> = {}, spec: Partial<ConstantModelSpec> = {}): Promise<string> {
  return writeConstantModel({
    inputName: 'images',
    inputShape: [1, 3, INPUT_H, INPUT_W],
    outputs: plantedEndToEnd(c.layout, scene({ ...c.options, ...o })),
    ...c.spec,
    ...spec,
  });
}

describe.each(CASES)('$layout', (c) => {
  it('is detected from the graph and decodes planted boxes through both letterbox alignments, without NMS', async () => {
    const file = await modelFor(c);
    const detection = detectAdapter(await inspectModelIO(file));
    expect(detection.config.family).toBe(c.family);
    expect(detection.reason).toMatch(c.facts);
    expect(detection.confidence).toBeGreaterThanOrEqual(0.6);
    c.names(detection.config.classNames);
    for (const align of ['top-left', 'center'] as const) {
      // normalized boxes (DETR family) are fractions of the whole canvas here: no pixel_mask input
      const config: AdapterConfig = { ...detection.config, preprocessing: { ...detection.config.preprocessing, resize: 'letterbox', align } };
      const det = await load(file, config);
      const [dets] = await det.detect([IMAGE]);
      expectDetections(dets, EXPECTED_NO_NMS[align], c.classShift);
    }
  });
});

describe('end-to-end decoding', () => {
  it('applies the score threshold and maxDetections (no NMS) to YOLOv10 rows', async () => {
    const c = CASES[0];
    const base = detectAdapter(await inspectModelIO(await modelFor(c))).config;
    const file = await modelFor(c);
    const run = async (p: Partial<AdapterConfig['postprocessing']>) => {
      const det = await load(file, { ...base, preprocessing: { ...base.preprocessing, align: 'top-left' }, postprocessing: { ...base.postprocessing, ...p } });
      return (await det.detect([IMAGE]))[0].map((d) => `${d.classIndex}:${d.score.toFixed(2)}`);
    };
    expect(await run({ scoreThreshold: 0.65 })).toEqual(['1:0.80', '2:0.70']);
    expect(await run({ maxDetections: 3 })).toEqual(['1:0.80', '2:0.70', '0:0.60']);
    // nmsIou has no effect: the graph did NMS, Odra does not do it again
    expect(await run({ nmsIou: 0.1 })).toEqual(['1:0.80', '2:0.70', '0:0.60', '1:0.50']);
  });

  it('reads only num_dets rows of an NMS-in-graph model and batches a dynamic batch', async () => {
    const c = CASES[2];
    const file = await modelFor(c, {}, { inputShape: ['batch', 3, INPUT_H, INPUT_W] });
    const d = detectAdapter(await inspectModelIO(file));
    expect(d.config.outputs).toEqual({ boxes: 'det_boxes', scores: 'det_scores', classes: 'det_classes', count: 'num_dets' });
    const det = await load(file, { ...d.config, preprocessing: { ...d.config.preprocessing, align: 'center' } });
    expect(det.batchSize).toBe(8);
    const other: RgbImage = { width: 150, height: 50, data: new Uint8Array(150 * 50 * 3) };
    const out = await det.detect([IMAGE, other, IMAGE]);
    expect(det.timings.runs).toBe(1);
    expectDetections(out[0], EXPECTED_NO_NMS.center);
    expectDetections(out[2], EXPECTED_NO_NMS.center);
    // the 150x50 image has the same letterbox at half the scale: every box halves
    expectDetections(out[1], EXPECTED_NO_NMS.center.map((e) => ({ ...e, bbox: e.bbox.map((v) => v / 2) as Expected['bbox'] })));
  });

  it('feeds RT-DETR deploy exports the canvas size per image (boxes come back in canvas pixels), batched', async () => {
    const c = CASES[6];
    const file = await modelFor(c, {}, { inputShape: ['N', 3, INPUT_H, INPUT_W], extraInputs: [{ name: 'orig_target_sizes', type: 'int64', shape: ['N', 2] }] });
    const d = detectAdapter(await inspectModelIO(file));
    expect(d.config.extraInputs).toEqual([{ name: 'orig_target_sizes', fill: 'canvas-size-wh', type: 'int64' }]);
    expect(d.config.decoding).toMatchObject({ boxFormat: 'xyxy', boxUnits: 'pixels', scoreActivation: 'none' });
    const det = await load(file, { ...d.config, preprocessing: { ...d.config.preprocessing, resize: 'letterbox', align: 'top-left' } });
    const out = await det.detect([IMAGE, IMAGE]);
    expect(det.timings.runs).toBe(1);
    for (const dets of out) expectDetections(dets, EXPECTED_NO_NMS['top-left']);
  });

  it('normalizes DETR boxes to the image region when the model takes a pixel_mask', async () => {
    // centred letterbox of 300x100 into 96x64: image rows 16..48
    const region = { x0: 0, y0: 16, width: 96, height: 32 };
    const c = CASES[3];
    const file = await modelFor(c, { region }, { extraInputs: [{ name: 'pixel_mask', type: 'int64', shape: [1, INPUT_H, INPUT_W] }] });
    const d = detectAdapter(await inspectModelIO(file));
    expect(d.config.family).toBe('detr');
    expect(d.config.extraInputs).toEqual([{ name: 'pixel_mask', fill: 'valid-mask', type: 'int64' }]);
    const det = await load(file, { ...d.config, preprocessing: { ...d.config.preprocessing, align: 'center' } });
    expectDetections((await det.detect([IMAGE]))[0], EXPECTED_NO_NMS.center, 1);
  });

  it('reads TensorFlow-style detection_* outputs: normalized [ymin, xmin, ymax, xmax], 1-based COCO ids', async () => {
    const k = 10;
    const boxes = new Float32Array(k * 4);
    const scores = new Float32Array(k);
    const classes = new Float32Array(k);
    PLANTED.forEach((b, i) => {
      boxes.set([b.y1 / INPUT_H, b.x1 / INPUT_W, b.y2 / INPUT_H, b.x2 / INPUT_W], i * 4);
      scores[i] = b.score;
      classes[i] = b.classIndex + 1;
    });
    const file = await writeConstantModel({
      inputName: 'image_tensor',
      inputShape: [1, 3, INPUT_H, INPUT_W],
      outputs: [
        { name: 'num_detections', declared: [1], dims: [1], value: new Float32Array([PLANTED.length]) },
        { name: 'detection_boxes', declared: [1, k, 4], dims: [1, k, 4], value: boxes },
        { name: 'detection_scores', declared: [1, k], dims: [1, k], value: scores },
        { name: 'detection_classes', declared: [1, k], dims: [1, k], value: classes },
      ],
    });
    const d = detectAdapter(await inspectModelIO(file));
    expect(d.config.family).toBe('nms-in-graph');
    expect(d.config.decoding).toMatchObject({ boxFormat: 'yxyx', boxUnits: 'normalized' });
    expect(d.config.classNames).toEqual(COCO91_CLASS_NAMES);
    const det = await load(file, { ...d.config, preprocessing: { ...d.config.preprocessing, align: 'top-left' } });
    expectDetections((await det.detect([IMAGE]))[0], EXPECTED_NO_NMS['top-left'], 1);
  });

  it('takes a dynamic input size from Ultralytics imgsz (lower confidence) and decodes the same', async () => {
    const c = CASES[0];
    const file = await modelFor(c, {}, {
      inputShape: ['batch', 3, 'height', 'width'],
      metadata: { author: 'Ultralytics', task: 'detect', names: NAMES3, imgsz: `[${INPUT_H}, ${INPUT_W}]` },
    });
    const fixed = detectAdapter(await inspectModelIO(await modelFor(c)));
    const d = detectAdapter(await inspectModelIO(file));
    expect(d.config.input).toEqual({ name: 'images', width: INPUT_W, height: INPUT_H, layout: 'NCHW' });
    expect(d.confidence).toBeLessThan(fixed.confidence);
    expect(d.reason).toMatch(/imgsz/);
    const det = await load(file, d.config);
    const out = await det.detect([IMAGE, IMAGE]);
    for (const dets of out) expectDetections(dets, EXPECTED_NO_NMS.center);
  });

  it('runs a dynamic-size torchvision SSD at its 300x300 default, stretched', async () => {
    // image 300x100 stretched into 300x300: x unchanged, y / 3
    const boxes = [{ x1: 30, y1: 30, x2: 60, y2: 90, classIndex: 2, score: 0.9 }];
    const file = await writeConstantModel({
      inputName: 'images',
      inputShape: [3, 'height', 'width'],
      outputs: plantedEndToEnd('ssd', { inputWidth: 300, inputHeight: 300, classCount: 91, boxes, slots: 5 }),
    });
    const d = detectAdapter(await inspectModelIO(file));
    expect(d.config).toMatchObject({ family: 'ssd', input: { width: 300, height: 300, layout: 'CHW' }, preprocessing: { resize: 'stretch', scale: 1 / 255 } });
    expect(d.reason).toMatch(/assumed 300x300/);
    const det = await load(file, d.config);
    expect(det.batchSize).toBe(1);
    const [dets] = await det.detect([IMAGE]);
    expect(dets).toHaveLength(1);
    expect(d.config.classNames[dets[0].classIndex]).toBe('bicycle');
    dets[0].bbox.forEach((v, j) => expect(v).toBeCloseTo([30, 10, 30, 20][j], 3));
  });

  it('refuses a class label outside the names list instead of dropping it', async () => {
    const c = CASES[0];
    const file = await modelFor(c, { labelOffset: 5 });
    const det = await load(file);
    await expect(det.detect([IMAGE])).rejects.toThrow(/class label 6 is outside the adapter's 3 class names/);
  });
});

describe('end-to-end adapter detection', () => {
  it('prefers a one-class YOLOX over YOLOv10 when K is exactly the grid cell count', async () => {
    const file = await writeConstantModel({ inputName: 'images', inputShape: [1, 3, 64, 96], outputs: plantedOutputs('yolox', 96, 64, 1, []) });
    const io = await inspectModelIO(file);
    expect(detectAdapter(io).config.family).toBe('yolox');
    const forced = detectAdapter(io, 'yolov10');
    expect(forced.confidence).toBeLessThan(0.5);
    expect(forced.reason).toMatch(/also a grid cell count/);
  });

  it('tells DETR from RT-DETR by the head (92 columns = 91 ids + no object) and by provenance', async () => {
    const detr = await inspectModelIO(await modelFor(CASES[3]));
    expect(detectAdapter(detr).config.family).toBe('detr');
    const rt = await inspectModelIO(await modelFor(CASES[4]));
    expect(detectAdapter(rt).config.family).toBe('rtdetr');
    // the same 92-column head from a model whose metadata says RT-DETR
    const named = await inspectModelIO(await modelFor(CASES[3], {}, { metadata: { description: 'RT-DETR r18vd' } }));
    expect(detectAdapter(named).config.family).toBe('rtdetr');
  });

  it('rejects an RT-DETR deploy export with an unknown extra input, naming it', async () => {
    const file = await modelFor(CASES[6], {}, { extraInputs: [{ name: 'scale_factor', type: 'float32', shape: [1, 2] }] });
    const io = await inspectModelIO(file);
    let err: unknown;
    try {
      detectAdapter(io);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(OdraError);
    expect((err as OdraError).message).toMatch(/scale_factor float32 \[1, 2\]/);
  });

  it('replaces class names from a names file, refusing a count the graph contradicts', async () => {
    const io = await inspectModelIO(await modelFor(CASES[4]));
    expect(() => detectAdapter(io, undefined, { classNames: ['a', 'b'] })).toThrow(/2 names but the model has 80 classes/);
    const names = COCO80_CLASS_NAMES.map((n) => n.toUpperCase());
    expect(detectAdapter(io, undefined, { classNames: names }).config.classNames).toEqual(names);
    // label outputs carry no class count: any list is taken
    const ssd = await inspectModelIO(await modelFor(CASES[1]));
    expect(detectAdapter(ssd, undefined, { classNames: ['bg', 'x'] }).config.classNames).toEqual(['bg', 'x']);
  });
});
