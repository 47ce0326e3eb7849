import { writeFile } from 'node:fs/promises';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { inspectCommand, inspectModel, INSPECT_USAGE } from '../../../../src/cli/commands/inspect';
import { OdraError } from '../../../../src/shared/errors';
import { plantedOutputs, writeConstantModel } from '../../../helpers/onnx-builder';

function captureStdout(): { text: () => string } {
  let out = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += typeof chunk === 'string' ? chunk : new TextDecoder().decode(chunk);
    return true;
  });
  return { text: () => out };
}

afterEach(() => {
  vi.restoreAllMocks();
});

const model = () =>
  writeConstantModel({
    inputName: 'images',
    inputShape: [1, 3, 64, 96],
    outputs: plantedOutputs('yolov8', 96, 64, 2, []),
    metadata: { author: 'Ultralytics', task: 'detect', names: "{0: 'a', 1: 'b'}" },
  });

describe('odra inspect', () => {
  it('prints the fingerprint, I/O and detected adapter as one JSON line', async () => {
    const file = await model();
    const out = captureStdout();
    await inspectCommand([file, '--json']);
    const r = JSON.parse(out.text()) as Awaited<ReturnType<typeof inspectModel>>;
    expect(r.file).toBe(file);
    expect(r.opHistogram).toEqual({ Add: 1, Mul: 1, ReduceMean: 1, Reshape: 1 });
    expect(r.outputs).toEqual([{ name: 'output0', type: 'float32', shape: [1, 6, 126] }]);
    expect(r.adapter).toMatchObject({ family: 'yolov8' });
  });

  it('prints a readable summary without --json', async () => {
    const out = captureStdout();
    await inspectCommand([await model()]);
    expect(out.text()).toMatch(/parameters {3}\d+ \(\d+ initializers\)/);
    expect(out.text()).toMatch(/adapter {6}yolov8 \(confidence 0\.97\)/);
  });

  it('reports a model no adapter fits instead of failing', async () => {
    const file = await writeConstantModel({ inputName: 'x', inputShape: [1, 3, 64, 96], outputs: [{ name: 'y', declared: [1, 7], dims: [1, 7], value: new Float32Array(7) }] });
    const r = await inspectModel(file);
    expect(r.parameterCount).toBeGreaterThan(7);
    expect('error' in r.adapter && r.adapter.error).toMatch(/No detector adapter matches this model[\s\S]*outputs: y float32 \[1, 7\][\s\S]*yolov10: /);
  });

  it('fails with BAD_INPUT naming the file for garbage, and with usage for no file', async () => {
    const file = (await model()).replace(/model\.onnx$/, 'junk.onnx');
    await writeFile(file, 'not a model');
    const err = await inspectCommand([file]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OdraError);
    expect((err as OdraError).code).toBe('BAD_INPUT');
    expect((err as OdraError).message).toContain(file);
    await expect(inspectCommand([])).rejects.toThrow(INSPECT_USAGE);
  });
});
