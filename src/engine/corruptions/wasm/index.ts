/**
 * The WebAssembly SIMD corruption kernels (AssemblyScript; built to
 * out/node/corruption-kernels.wasm by vite.node.config.ts, loaded by
 * ../wasm-backend.ts, which declares these exports' types). Every export takes pointers
 * into this module's memory, allocated with alloc() by the JavaScript side; each kernel
 * reproduces its JavaScript twin in ../kernels bit for bit (see the headers).
 */
export { alloc, keep, reset } from './arena';
export { setZiggurat, randomSeed, randomState, fillNormals, fillUniform32, fillUniform53, fillInt32 } from './rng';
export { gaussianBlurBytes } from './gaussian_blur';
export { gaussianNoise, speckleNoise, shotNoise, impulseNoise } from './noise';
export { motionBlurBytes } from './motion';
export { zoomBlur } from './zoom_blur';
export { defocusBlur } from './defocus_blur';
export { elasticField, elasticWarp } from './elastic_transform';
export { glassBlur } from './glass_blur';
export { adjustHsv } from './hsv';
export { pixelate } from './pixelate';
export { channelSums, applyChannelLut } from './contrast';
export { fog } from './fog';
export { snow } from './snow';
export { spatter } from './spatter';
export { jpegTables, jpegRoundTrip } from './jpeg';
