/**
 * A small real detector for tests: three strided convolutions with seeded random
 * weights in the YOLOv8 output layout ([batch, 4 + 2, 84] for a 64 x 64 input: cx, cy,
 * w, h in input pixels and two class scores, over the 64 + 16 + 4 cells of strides
 * 8/16/32), with a DYNAMIC batch dimension. Its detections depend on every pixel, so a
 * test can check that batching, worker counts and interruptions change no number (the
 * shared models have a fixed batch of 1). Classes: car, person (Ultralytics-style
 * `names` metadata, so Odra detects the adapter and the class names).
 */
import { Rng } from '../../src/shared/prng';
import { float32Bytes, modelProto, node, rawTensor, DT, valueInfo, writeModel, ELEM } from './onnx-builder';

const SIZE = 64;
const CHANNELS = 6;

export async function writeConvDetector(seed = 1): Promise<string> {
  const rng = new Rng(seed);
  const initializers = [];
  const nodes = [];
  const flat: string[] = [];
  for (const stride of [8, 16, 32]) {
    const fan = 3 * stride * stride;
    const w = new Float32Array(CHANNELS * fan);
    for (let i = 0; i < w.length; i++) w[i] = (rng.uniform() * 2 - 1) * (3 / Math.sqrt(fan));
    const b = new Float32Array(CHANNELS).map(() => rng.uniform() - 0.5);
    initializers.push(rawTensor(`w${stride}`, DT.FLOAT, [CHANNELS, 3, stride, stride], float32Bytes(w)));
    initializers.push(rawTensor(`b${stride}`, DT.FLOAT, [CHANNELS], float32Bytes(b)));
    nodes.push(
      node('Conv', ['images', `w${stride}`, `b${stride}`], [`c${stride}`], [
        { name: 'kernel_shape', type: 7, ints: [stride, stride] },
        { name: 'strides', type: 7, ints: [stride, stride] },
      ]),
    );
    nodes.push(node('Reshape', [`c${stride}`, 'flat_shape'], [`f${stride}`]));
    flat.push(`f${stride}`);
  }
  initializers.push(rawTensor('flat_shape', DT.INT64, [3], new Uint8Array(BigInt64Array.from([0n, BigInt(CHANNELS), -1n]).buffer)));
  initializers.push(rawTensor('scale', DT.FLOAT, [1, CHANNELS, 1], float32Bytes([SIZE, SIZE, SIZE / 2, SIZE / 2, 1, 1])));
  nodes.push(node('Concat', flat, ['cat'], [{ name: 'axis', type: 2, i: 2 }]));
  nodes.push(node('Sigmoid', ['cat'], ['sig']));
  nodes.push(node('Mul', ['sig', 'scale'], ['output0']));
  const graph = {
    name: 'conv-detector',
    node: nodes,
    initializer: initializers,
    input: [valueInfo('images', ELEM.float32, ['batch', 3, SIZE, SIZE])],
    output: [valueInfo('output0', ELEM.float32, ['batch', CHANNELS, 84])],
  };
  const model = modelProto(graph, 13);
  model.metadataProps = [
    { key: 'names', value: "{0: 'car', 1: 'person'}" },
    { key: 'imgsz', value: `[${SIZE}, ${SIZE}]` },
    { key: 'task', value: 'detect' },
  ];
  return writeModel(model);
}
