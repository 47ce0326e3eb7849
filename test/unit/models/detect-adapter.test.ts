import { describe, expect, it } from 'vitest';
import { OdraError } from '../../../src/shared/errors';
import { COCO80_CLASS_NAMES, MODEL_FAMILIES } from '../../../src/engine/models/adapter-config';
import { detectAdapter } from '../../../src/engine/models/detect-adapter';
import type { Dim, ModelIO } from '../../../src/engine/models/inspect-io';

function io(inputs: [string, Dim[]][], outputs: [string, Dim[]][], metadata: Record<string, string> = {}): ModelIO {
  return {
    inputs: inputs.map(([name, shape]) => ({ name, type: 'float32', shape })),
    outputs: outputs.map(([name, shape]) => ({ name, type: 'float32', shape })),
    metadata,
    opset: 17,
    producer: 'test',
    irVersion: 8,
    opTypes: [],
    sha256: '0'.repeat(64),
    fileSize: 1,
  };
}

const coco80Dict = `{${COCO80_CLASS_NAMES.map((n, i) => `${i}: '${n}'`).join(', ')}}`;

const nanodetOutputs = (w: number, h: number, c: number): [string, Dim[]][] => {
  const strides = [8, 16, 32];
  return [
    ...strides.map((s): [string, Dim[]] => [`cls_pred_stride_${s}`, [1, Math.ceil(w / s) * Math.ceil(h / s), c]]),
    ...strides.map((s): [string, Dim[]] => [`dis_pred_stride_${s}`, [1, Math.ceil(w / s) * Math.ceil(h / s), 4]]),
  ];
};

describe('detectAdapter', () => {
  it('recognises YOLOX-Nano: one row per grid cell, 85 columns, COCO-80 assumed', () => {
    const d = detectAdapter(io([['images', [1, 3, 416, 416]]], [['output', [1, 3549, 85]]]));
    expect(d.config.family).toBe('yolox');
    expect(d.config.input).toEqual({ name: 'images', width: 416, height: 416, layout: 'NCHW' });
    expect(d.config.preprocessing).toEqual({ resize: 'letterbox', align: 'top-left', padValue: 114, channelOrder: 'BGR', scale: 1, mean: [0, 0, 0], std: [1, 1, 1] });
    expect(d.config.postprocessing).toEqual({ scoreThreshold: 0.001, nmsIou: 0.65, classAware: true, maxDetections: 100 });
    expect(d.config.strides).toEqual([8, 16, 32]);
    expect(d.config.classNames).toEqual(COCO80_CLASS_NAMES);
    expect(d.confidence).toBeGreaterThanOrEqual(0.85);
    expect(d.reason).toMatch(/3549/);
  });

  it('recognises YOLOv5 by its 3x rows, RGB/255 centred, names from metadata', () => {
    const d = detectAdapter(io([['images', [1, 3, 640, 640]]], [['output0', [1, 25200, 8]]], { stride: '32', names: "{0: 'car', 1: 'van', 2: 'truck'}" }));
    expect(d.config.family).toBe('yolov5');
    expect(d.config.classNames).toEqual(['car', 'van', 'truck']);
    expect(d.config.preprocessing).toMatchObject({ align: 'center', padValue: 114, channelOrder: 'RGB', scale: 1 / 255 });
    expect(d.confidence).toBeGreaterThan(0.9);
    // the same layout without metadata is still YOLOv5, less sure
    const bare = detectAdapter(io([['images', [1, 3, 640, 640]]], [['output0', [1, 25200, 85]]]));
    expect(bare.config.family).toBe('yolov5');
    expect(bare.confidence).toBeLessThan(d.confidence);
    expect(bare.config.classNames).toEqual(COCO80_CLASS_NAMES);
  });

  it('tells YOLOX from YOLOv5 on the same [1, N, 85] layout by N', () => {
    expect(detectAdapter(io([['x', [1, 3, 640, 640]]], [['y', [1, 8400, 85]]])).config.family).toBe('yolox');
    expect(detectAdapter(io([['x', [1, 3, 640, 640]]], [['y', [1, 25200, 85]]])).config.family).toBe('yolov5');
    // P6 (strides 8..64): 6400 + 1600 + 400 + 100 cells
    const p6 = detectAdapter(io([['x', [1, 3, 640, 640]]], [['y', [1, 8500, 85]]]));
    expect([p6.config.family, p6.config.strides]).toEqual(['yolox', [8, 16, 32, 64]]);
  });

  it('recognises YOLOv8/11 [1, 4+C, N] on a non-square input with Ultralytics metadata', () => {
    const meta = { author: 'Ultralytics', task: 'detect', names: "{0: 'person', 1: \"driver's cab\"}", imgsz: '[384, 640]' };
    const d = detectAdapter(io([['images', [1, 3, 384, 640]]], [['output0', [1, 6, 5040]]], meta));
    expect(d.config.family).toBe('yolov8');
    expect(d.config.input).toMatchObject({ width: 640, height: 384 });
    expect(d.config.classNames).toEqual(['person', "driver's cab"]);
    expect(d.config.strides).toBeUndefined();
    expect(d.confidence).toBeGreaterThan(0.95);
  });

  it('takes a dynamic input size from metadata imgsz, with lower confidence', () => {
    const meta = { author: 'Ultralytics', task: 'detect', names: coco80Dict, imgsz: '[384, 640]' };
    const d = detectAdapter(io([['images', ['batch', 3, 'height', 'width']]], [['output0', ['batch', 84, 5040]]], meta));
    expect(d.config.family).toBe('yolov8');
    expect(d.config.input).toMatchObject({ width: 640, height: 384 });
    expect(d.confidence).toBeLessThan(0.8);
    expect(d.reason).toMatch(/imgsz/);
  });

  it('recognises NanoDet from its per-stride output names', () => {
    const d = detectAdapter(io([['input.1', [1, 3, 320, 320]]], nanodetOutputs(320, 320, 80)));
    expect(d.config.family).toBe('nanodet');
    expect(d.config.input.name).toBe('input.1');
    expect(d.config.preprocessing).toEqual({ resize: 'letterbox', align: 'center', padValue: 0, channelOrder: 'BGR', scale: 1, mean: [103.53, 116.28, 123.675], std: [57.375, 57.12, 58.395] });
    expect(d.config.classNames[0]).toBe('person');
    const small = detectAdapter(io([['in', [1, 3, 320, 416]]], nanodetOutputs(416, 320, 3)));
    expect(small.config.classNames).toEqual(['class_0', 'class_1', 'class_2']);
    expect(small.config.input).toMatchObject({ width: 416, height: 320 });
  });

  it('falls back when metadata names do not fit the class count, and says so', () => {
    const d = detectAdapter(io([['images', [1, 3, 416, 416]]], [['output', [1, 3549, 85]]], { names: "{0: 'a', 1: 'b'}" }));
    expect(d.config.classNames).toEqual(COCO80_CLASS_NAMES);
    expect(d.reason).toMatch(/2 entries for 80 classes/);
    const g = detectAdapter(io([['images', [1, 3, 416, 416]]], [['output', [1, 3549, 9]]], { names: 'not a dict' }));
    expect(g.config.classNames).toEqual(['class_0', 'class_1', 'class_2', 'class_3']);
    expect(g.reason).toMatch(/could not be parsed/);
  });

  it('rejects Ultralytics pose/segment models instead of misreading their keypoint channels', () => {
    const meta = { author: 'Ultralytics', task: 'pose', names: "{0: 'person'}" };
    expect(() => detectAdapter(io([['images', [1, 3, 640, 640]]], [['output0', [1, 56, 8400]]], meta))).toThrow(/task is 'pose'/);
  });

  it('throws UNSUPPORTED listing the inputs, outputs and every adapter tried', () => {
    const model = io([['image', [1, 3, 300, 300]]], [['boxes', [1, 100, 4]], ['scores', [1, 100]]]);
    let err: unknown;
    try {
      detectAdapter(model);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(OdraError);
    const e = err as OdraError;
    expect(e.code).toBe('UNSUPPORTED');
    expect(e.message).toContain('image float32 [1, 3, 300, 300]');
    expect(e.message).toContain('boxes float32 [1, 100, 4]');
    expect(e.message).toContain('scores float32 [1, 100]');
    for (const f of MODEL_FAMILIES) expect(e.message).toMatch(new RegExp(`\\n  ${f}: `));
    expect(e.details?.problems).toHaveLength(MODEL_FAMILIES.length);
  });

  it('rejects models with extra inputs and says what it expected', () => {
    const model = io([['image', [1, 3, 640, 640]], ['scale_factor', [1, 2]]], [['output', [1, 8400, 85]]]);
    expect(() => detectAdapter(model)).toThrow(/exactly one NCHW image input.*scale_factor float32 \[1, 2\]/s);
  });

  it('honours a forced family and explains a mismatch', () => {
    const model = io([['images', [1, 3, 416, 416]]], [['output', [1, 3549, 85]]]);
    expect(() => detectAdapter(model, 'yolov5')).toThrow(/as yolov5[\s\S]*not 3 x grid cells/);
  });

  it('claims a family only when it reads every output: a NanoDet missing one output is refused with the candidates', () => {
    const outputs = nanodetOutputs(320, 320, 80).filter(([name]) => name !== 'cls_pred_stride_32');
    const model = io([['input.1', [1, 3, 320, 320]]], outputs);
    let err: unknown;
    try {
      detectAdapter(model);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(OdraError);
    const message = (err as OdraError).message;
    expect(message).toMatch(/nanodet: dis_pred outputs without matching cls_pred outputs/);
    expect(message).toMatch(/rtdetr: would fit \(\d+%\) but leaves 3 of 5 outputs unread \(cls_pred_stride_16, dis_pred_stride_16, dis_pred_stride_32\)/);
    // forced, the family is used, and its reason names what it does not read
    const forced = detectAdapter(model, 'rtdetr');
    expect(forced.config.family).toBe('rtdetr');
    expect(forced.reason).toMatch(/outputs not read: cls_pred_stride_16, dis_pred_stride_16, dis_pred_stride_32$/);
  });

  it('refuses zero and absurd input sizes in words', () => {
    const zero = () => detectAdapter(io([['images', [1, 3, 0, 640]]], [['output', [1, 8400, 85]]]));
    expect(zero).toThrow(/image input images \[1, 3, 0, 640\] has a height of 0 pixels/);
    const huge = () => detectAdapter(io([['images', [1, 3, 640, 100000]]], [['output', [1, 8400, 85]]]));
    expect(huge).toThrow(/is 100000 pixels in width; Odra takes image inputs of at most 16384 pixels a side/);
  });
});
