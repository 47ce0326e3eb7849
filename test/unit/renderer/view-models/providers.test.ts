import { describe, expect, it } from 'vitest';
import { parseCount, providerOptions } from '../../../../src/renderer/src/view-models/providers';

describe('providerOptions', () => {
  it('offers CPU first, the bundled providers plainly and the others with the runtime they need', () => {
    const options = providerOptions(['cpu', 'webgpu', 'cuda', 'tensorrt'], ['cpu', 'webgpu']);
    expect(options.map((o) => [o.value, o.label, o.bundled])).toEqual([
      ['cpu', 'CPU', true],
      ['webgpu', 'WebGPU', true],
      ['cuda', 'CUDA (needs CUDA runtime)', false],
      ['tensorrt', 'TensorRT (needs TensorRT runtime)', false],
    ]);
  });

  it('always has CPU, and names unknown providers as they are', () => {
    expect(providerOptions(['dml'], []).map((o) => [o.value, o.label])).toEqual([
      ['cpu', 'CPU'],
      ['dml', 'DirectML (needs its runtime installed)'],
    ]);
  });
});

describe('parseCount', () => {
  it('empty is the default; whole numbers in range pass; the rest is named', () => {
    expect(parseCount('', 256)).toBeUndefined();
    expect(parseCount(' 8 ', 256)).toBe(8);
    expect(parseCount('0', 256)).toEqual({ error: 'between 1 and 256' });
    expect(parseCount('300', 256)).toEqual({ error: 'between 1 and 256' });
    expect(parseCount('2.5', 256)).toEqual({ error: 'a whole number' });
    expect(parseCount('-1', 256)).toEqual({ error: 'a whole number' });
  });
});
