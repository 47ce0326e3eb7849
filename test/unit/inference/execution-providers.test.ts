import type * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import {
  baseSessionOptions,
  createSessionWithFallback,
  fallbackWarning,
  listExecutionProviders,
  normaliseProviderName,
} from '../../../src/engine/inference/execution-providers';
import { plantedOutputs, writeConstantModel } from '../../helpers/onnx-builder';

const model = () => writeConstantModel({ inputName: 'images', inputShape: [1, 3, 32, 32], outputs: plantedOutputs('yolox', 32, 32, 1, []) });

describe('execution providers', () => {
  it('lists what this onnxruntime-node build can load, CPU always', () => {
    const list = listExecutionProviders();
    expect(list.find((p) => p.name === 'cpu')).toEqual({ name: 'cpu', bundled: true });
    for (const p of list) expect(p.name).toBe(p.name.toLowerCase());
  });

  it('normalises the names users type', () => {
    expect(['DirectML', ' CUDA ', 'TRT', 'cpu'].map(normaliseProviderName)).toEqual(['dml', 'cuda', 'tensorrt', 'cpu']);
  });

  it('falls back to CPU with a warning for a provider this build does not have', async () => {
    const known = listExecutionProviders().map((p) => p.name);
    const missing = ['dml', 'coreml', 'no-such-ep'].find((p) => !known.includes(p)) as string;
    const choice = await createSessionWithFallback(await model(), missing, baseSessionOptions({ threads: 1 }));
    expect(choice.executionProvider).toBe('cpu');
    expect(choice.requested).toBe(missing);
    expect(choice.fallbackReason).toMatch(new RegExp(`^${missing} unavailable: not supported by this onnxruntime-node build \\(supported: cpu`));
    expect(fallbackWarning(choice)).toMatch(new RegExp(`^execution provider '${missing}' could not be used, running on CPU instead`));
    await choice.session.release();
  });

  it('falls back to CPU when a listed provider fails to load, and says why', async () => {
    const tried: string[][] = [];
    const fake = { release: async () => undefined } as unknown as ort.InferenceSession;
    const create = async (_m: string, o: ort.InferenceSession.SessionOptions) => {
      const eps = (o.executionProviders ?? []).map(String);
      tried.push(eps);
      if (eps[0] !== 'cpu') throw new Error('OrtSessionOptionsAppendExecutionProvider_Cuda: Failed to load shared library\nmore detail');
      return fake;
    };
    const listed = listExecutionProviders().find((p) => p.name !== 'cpu')?.name ?? 'cpu';
    const choice = await createSessionWithFallback('m.onnx', listed, {}, create);
    if (listed === 'cpu') return; // a CPU-only build has nothing to fall back from
    expect(tried).toEqual([[listed, 'cpu'], ['cpu']]);
    expect(choice).toMatchObject({ executionProvider: 'cpu', requested: listed });
    expect(choice.fallbackReason).toBe(`${listed} unavailable: OrtSessionOptionsAppendExecutionProvider_Cuda: Failed to load shared library`);
  });

  it('reports the provider that ran when the requested one loads, and throws a CPU failure', async () => {
    const fake = {} as ort.InferenceSession;
    const ok = await createSessionWithFallback('m.onnx', 'cpu', {}, async () => fake);
    expect([ok.executionProvider, ok.fallbackReason, fallbackWarning(ok)]).toEqual(['cpu', null, null]);
    await expect(createSessionWithFallback('/nonexistent/model.onnx', 'cpu', baseSessionOptions())).rejects.toThrow();
  });

  it('builds the session options every Odra session uses', () => {
    expect(baseSessionOptions({ threads: 2, spinning: false })).toMatchObject({
      intraOpNumThreads: 2,
      interOpNumThreads: 1,
      extra: { session: { intra_op: { allow_spinning: '0' } } },
    });
    expect(baseSessionOptions()).not.toHaveProperty('intraOpNumThreads');
    expect(() => baseSessionOptions({ threads: 0 })).toThrow(/threads must be a positive integer/);
  });
});
