import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { inspectModelIO, readModelIO } from '../../../src/engine/models/inspect-io';
import { plantedOutputs, writeConstantModel } from '../../helpers/onnx-builder';

describe('inspectModelIO', () => {
  it('reads inputs, outputs (symbolic dims as strings), metadata, opset, producer and the file hash', async () => {
    const file = await writeConstantModel({
      inputName: 'images',
      inputShape: ['batch', 3, 64, 96],
      outputs: plantedOutputs('yolov8', 96, 64, 2, []),
      metadata: { author: 'Ultralytics', names: "{0: 'a', 1: 'b'}" },
      opset: 17,
      producerName: 'pytorch',
      producerVersion: '2.1.0',
    });
    const io = await inspectModelIO(file);
    const bytes = await readFile(file);
    expect(io).toEqual({
      inputs: [{ name: 'images', type: 'float32', shape: ['batch', 3, 64, 96] }],
      outputs: [{ name: 'output0', type: 'float32', shape: ['batch', 6, 126] }],
      metadata: { author: 'Ultralytics', names: "{0: 'a', 1: 'b'}" },
      opset: 17,
      producer: 'pytorch 2.1.0',
      irVersion: 7,
      opTypes: ['Add', 'Mul', 'ReduceMean', 'Reshape'],
      sha256: createHash('sha256').update(bytes).digest('hex'),
      fileSize: bytes.length,
    });
  });

  it('leaves initializers listed as graph inputs (old exporters) out of the inputs, and reads fp16', async () => {
    const file = await writeConstantModel({
      inputName: 'input.1',
      inputShape: [1, 3, 32, 32],
      outputs: plantedOutputs('yolox', 32, 32, 1, []),
      initializersAsInputs: true,
      dtype: 'float16',
    });
    const io = await inspectModelIO(file);
    expect(io.inputs).toEqual([{ name: 'input.1', type: 'float16', shape: [1, 3, 32, 32] }]);
    expect(io.outputs[0].type).toBe('float16');
  });

  it('names the file when it is not an ONNX model', async () => {
    const file = (await writeConstantModel({ inputName: 'x', inputShape: [1, 3, 8, 8], outputs: [] })).replace(/model\.onnx$/, 'bad.onnx');
    await writeFile(file, 'this is not protobuf at all, just text\n');
    await expect(inspectModelIO(file)).rejects.toThrow(/bad\.onnx: not an ONNX model/);
    expect(() => readModelIO(new Uint8Array(0))).toThrow(/no graph/);
  });
});
