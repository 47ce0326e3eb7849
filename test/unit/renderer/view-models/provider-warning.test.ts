import { describe, expect, it } from 'vitest';
import { providerWarningParts } from '../../../../src/renderer/src/view-models/provider-warning';

describe('providerWarningParts', () => {
  it("keeps the runtime's native text out of the headline, for the warning the engine writes", () => {
    const native =
      '/onnxruntime_src/onnxruntime/core/session/provider_bridge_ort.cc:1539 onnxruntime::Provider& onnxruntime::ProviderLibrary::Get() [ONNXRuntimeError] : 1 : FAIL : Failed to load library libonnxruntime_providers_cuda.so with error: libcublasLt.so.12: cannot open shared object file (No such file or directory)';
    // as engine/inference/execution-providers.ts fallbackWarning writes it
    const warning = `execution provider 'cuda' could not be used, running on CPU instead (${native})`;
    expect(providerWarningParts(warning)).toEqual({
      headline: "Execution provider 'cuda' could not be used, running on CPU instead.",
      details: native,
    });
  });

  it('shows any other warning whole, without details', () => {
    expect(providerWarningParts('something else happened')).toEqual({ headline: 'something else happened', details: null });
  });
});
