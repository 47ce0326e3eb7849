import { describe, expect, it } from 'vitest';
import { explainLoadError } from '../../../src/engine/inference/load-check';

describe('explainLoadError', () => {
  it('turns onnxruntime 1.2x load errors into words', () => {
    expect(explainLoadError('This is an invalid model. Error: the graph is not acyclic.')).toBe('its graph has a cycle (a node depends on its own output)');
    expect(explainLoadError('Unsupported model IR version: 99, max supported IR version: 10')).toBe(
      'its IR version 99 is newer than this onnxruntime supports (up to 10)',
    );
    expect(
      explainLoadError("Could not find an implementation for ConvInteger(10) node with name 'conv'"),
    ).toBe('onnxruntime has no CPU implementation of its operator ConvInteger (opset 10) for the types it uses');
  });

  it('keeps the first line of a message it does not know, without the C++ source location', () => {
    const raw =
      '/onnxruntime_src/onnxruntime/core/session/inference_session.cc:123 void onnxruntime::InferenceSession::Load(int) Something odd happened\nstack';
    expect(explainLoadError(raw)).toBe('onnxruntime cannot load it: Something odd happened');
  });
});
