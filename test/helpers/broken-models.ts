/**
 * ONNX models that onnxruntime or Odra must refuse, built in memory from one tiny valid
 * detector (a YOLOv10-style constant model: image [1, 3, 64, 64] -> [1, 5, 6]) by one
 * edit each, plus the shared NanoDet with one of its six outputs removed. Each builder
 * returns the model's bytes; the cases say what the refusal must say in words.
 */
import { readFileSync } from 'node:fs';
import onnxProto from 'onnx-proto';
import { buildConstantModel } from './onnx-builder';
import { sharedPath } from './shared';

const { onnx } = onnxProto;
type Model = onnxProto.onnx.ModelProto;

/**
 * A valid end-to-end detector: ORT loads it and Odra detects it as yolov10. Its five
 * output rows are `row` (x1, y1, x2, y2, score, class in 64x64 canvas pixels), or every
 * value is the one number given.
 */
export function tinyDetectorBytes(row: number | readonly number[] = 0): Uint8Array {
  const value = typeof row === 'number' ? new Float32Array(30).fill(row) : Float32Array.from({ length: 30 }, (_, i) => row[i % 6]);
  return buildConstantModel({
    inputName: 'images',
    inputShape: [1, 3, 64, 64],
    outputs: [{ name: 'output0', declared: [1, 5, 6], dims: [1, 5, 6], value }],
  });
}

function edited(edit: (m: Model) => void, bytes = tinyDetectorBytes()): Uint8Array {
  const m = onnx.ModelProto.decode(bytes);
  edit(m);
  return onnx.ModelProto.encode(m).finish();
}

function imageDims(m: Model): onnxProto.onnx.TensorShapeProto.IDimension[] {
  const dims = m.graph?.input?.[0]?.type?.tensorType?.shape?.dim;
  if (!dims) throw new Error('the tiny detector has no input shape');
  return dims;
}

export interface BrokenModel {
  name: string;
  bytes: () => Uint8Array;
  /** what the message must say, in words (never protobuf or C++ source locations) */
  problem: RegExp;
}

export const BROKEN_MODELS: readonly BrokenModel[] = [
  {
    name: 'an operator onnxruntime does not know',
    bytes: () =>
      edited((m) => {
        m.graph!.node![0].opType = 'FrobnicateXYZ';
      }),
    problem: /uses an operator onnxruntime does not know: FrobnicateXYZ \(opset 13\)/,
  },
  {
    name: 'opset 9999',
    bytes: () =>
      edited((m) => {
        m.opsetImport![0].version = 9999;
      }),
    problem: /declares opset 9999, which this onnxruntime \([\d.]+\) does not support/,
  },
  {
    name: 'a graph with a cycle',
    bytes: () =>
      edited((m) => {
        const nodes = m.graph!.node!;
        nodes[0].input = [nodes[nodes.length - 1].output![0]];
      }),
    problem: /its graph has a cycle/,
  },
  {
    name: 'an image input of height 0',
    bytes: () =>
      edited((m) => {
        imageDims(m)[2] = { dimValue: 0 };
      }),
    problem: /image input images \[1, 3, 0, 64\] has a height of 0 pixels/,
  },
  {
    name: 'an image input 4e12 pixels high',
    bytes: () =>
      edited((m) => {
        imageDims(m)[2] = { dimValue: 4_000_000_000_000 };
      }),
    problem: /is 4000000000000 pixels in height; Odra takes image inputs of at most 16384 pixels a side/,
  },
  {
    name: 'a NanoDet with one output removed',
    bytes: () =>
      edited(
        (m) => {
          m.graph!.output = m.graph!.output!.filter((o) => o.name !== 'cls_pred_stride_32');
        },
        readFileSync(sharedPath('data', 'models', 'nanodet_m', 'nanodet_m.onnx')),
      ),
    problem: /No detector adapter matches this model[\s\S]*rtdetr: would fit \(\d+%\) but leaves 3 of 5 outputs unread/,
  },
];
