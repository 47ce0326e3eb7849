/**
 * The adapters' preprocessing: RgbImage -> NCHW float32 input tensor and the transform
 * the decoders undo. The implementation is images/model-input.ts (shared with the
 * corruption pool's workers, which make tensors beside the corruption).
 */
export * from '../images/model-input';
