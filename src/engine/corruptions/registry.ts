/**
 * Every corruption kernel by name, and the one function that applies a corruption for
 * a seed. The seed of the generator is derived by the caller (see corruptionSeed), so
 * the output is a pure function of (image, corruption, severity, seed).
 */
import type { CorruptionName, Severity } from '../../shared/corruptions';
import type { RgbImage } from '../images/rgb-image';
import { Rng } from '../../shared/prng';
import type { CorruptionKernel, KernelOptions } from './kernel';
import { brightness } from './kernels/brightness';
import { contrast } from './kernels/contrast';
import { defocusBlur } from './kernels/defocus_blur';
import { elasticTransform } from './kernels/elastic_transform';
import { fog } from './kernels/fog';
import { frost } from './kernels/frost';
import { gaussianBlur } from './kernels/gaussian_blur';
import { gaussianNoise } from './kernels/gaussian_noise';
import { glassBlur } from './kernels/glass_blur';
import { impulseNoise } from './kernels/impulse_noise';
import { jpegCompression } from './kernels/jpeg_compression';
import { motionBlur } from './kernels/motion_blur';
import { pixelate } from './kernels/pixelate';
import { saturate } from './kernels/saturate';
import { shotNoise } from './kernels/shot_noise';
import { snow } from './kernels/snow';
import { spatter } from './kernels/spatter';
import { speckleNoise } from './kernels/speckle_noise';
import { zoomBlur } from './kernels/zoom_blur';

export const KERNELS: Readonly<Record<CorruptionName, CorruptionKernel>> = {
  gaussian_noise: gaussianNoise,
  shot_noise: shotNoise,
  impulse_noise: impulseNoise,
  defocus_blur: defocusBlur,
  glass_blur: glassBlur,
  motion_blur: motionBlur,
  zoom_blur: zoomBlur,
  snow,
  frost,
  fog,
  brightness,
  contrast,
  elastic_transform: elasticTransform,
  pixelate,
  jpeg_compression: jpegCompression,
  speckle_noise: speckleNoise,
  gaussian_blur: gaussianBlur,
  spatter,
  saturate,
};

type MaybeAsync = CorruptionKernel & { applyAsync?: (image: RgbImage, severity: Severity, rng: Rng, options?: KernelOptions) => Promise<RgbImage> };

/**
 * The corruption of `image` for a seed. options.out: where to write the result (see
 * KernelOptions); options.backend: 'js' or 'wasm' instead of the process default.
 */
export async function applyCorruption(image: RgbImage, name: CorruptionName, severity: Severity, seed: number, options?: KernelOptions): Promise<RgbImage> {
  const kernel: MaybeAsync = KERNELS[name];
  const rng = new Rng(seed);
  return kernel.applyAsync ? kernel.applyAsync(image, severity, rng, options) : kernel.apply(image, severity, rng, options);
}
