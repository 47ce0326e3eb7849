/**
 * The corruption catalogue: every name, family and role that the UI, the CLI and
 * reports share. Parameters live with the kernels (src/engine/corruptions); this file
 * only carries the human-readable summary of what each severity does.
 *
 * Names and roles follow Michaelis et al. 2019 ("Benchmarking Robustness in Object
 * Detection", the `imagecorruptions` package): 15 benchmark corruptions, 4 held out.
 */
export const BENCHMARK_CORRUPTIONS = [
  'gaussian_noise',
  'shot_noise',
  'impulse_noise',
  'defocus_blur',
  'glass_blur',
  'motion_blur',
  'zoom_blur',
  'snow',
  'frost',
  'fog',
  'brightness',
  'contrast',
  'elastic_transform',
  'pixelate',
  'jpeg_compression',
] as const;

/**
 * Version of the corruption outputs. Recorded with every audit: bump it whenever any
 * kernel's output bytes change for some (image, severity, seed), so two audits with
 * different versions are known not to have seen the same pixels.
 */
export const CORRUPTION_CATALOGUE_VERSION = '1';

export const HELD_OUT_CORRUPTIONS = ['speckle_noise', 'gaussian_blur', 'spatter', 'saturate'] as const;

export const CORRUPTION_NAMES = [...BENCHMARK_CORRUPTIONS, ...HELD_OUT_CORRUPTIONS] as const;

export type CorruptionName = (typeof CORRUPTION_NAMES)[number];
export type CorruptionFamily = 'noise' | 'blur' | 'weather' | 'digital';
export type Severity = 1 | 2 | 3 | 4 | 5;
export const SEVERITIES: readonly Severity[] = [1, 2, 3, 4, 5];

export interface CorruptionInfo {
  name: CorruptionName;
  label: string;
  family: CorruptionFamily;
  role: 'benchmark' | 'held-out';
  /** True when the output depends on the seed. */
  stochastic: boolean;
  /** What the severity parameter controls, in one line, for tooltips and reports. */
  parameter: string;
}

const info = (
  name: CorruptionName,
  label: string,
  family: CorruptionFamily,
  stochastic: boolean,
  parameter: string,
): CorruptionInfo => ({
  name,
  label,
  family,
  role: (BENCHMARK_CORRUPTIONS as readonly string[]).includes(name) ? 'benchmark' : 'held-out',
  stochastic,
  parameter,
});

export const CORRUPTIONS: readonly CorruptionInfo[] = [
  info('gaussian_noise', 'Gaussian noise', 'noise', true, 'std of additive noise 0.08-0.38 (of full scale)'),
  info('shot_noise', 'Shot noise', 'noise', true, 'Poisson photon count 60 down to 3 per unit intensity'),
  info('impulse_noise', 'Impulse noise', 'noise', true, 'salt-and-pepper fraction 0.03-0.27'),
  info('defocus_blur', 'Defocus blur', 'blur', false, 'disk radius 3-10 px, aliasing blur 0.1-0.5'),
  info('glass_blur', 'Glass blur', 'blur', true, 'gaussian sigma 0.7-1.5, local pixel shuffles of 1-2 px, 1-2 iterations'),
  info('motion_blur', 'Motion blur', 'blur', true, 'kernel radius 10-15, sigma 3-12, random angle'),
  info('zoom_blur', 'Zoom blur', 'blur', false, 'averaged zooms up to 1.11-1.33x'),
  info('snow', 'Snow', 'weather', true, 'flake density, size and motion-blurred streaks'),
  info('frost', 'Frost', 'weather', true, 'frost texture blended at 0.35-0.70 over the image'),
  info('fog', 'Fog', 'weather', true, 'plasma fractal haze of strength 1.5-3.0'),
  info('brightness', 'Brightness', 'digital', false, 'HSV value raised by 0.1-0.5'),
  info('contrast', 'Contrast', 'digital', false, 'contrast scaled to 0.4-0.05 of the original'),
  info('elastic_transform', 'Elastic transform', 'digital', true, 'affine jitter plus smoothed displacement field'),
  info('pixelate', 'Pixelate', 'digital', false, 'downscale to 0.6-0.25 of the size, box upscale'),
  info('jpeg_compression', 'JPEG compression', 'digital', false, 'JPEG quality 25 down to 7'),
  info('speckle_noise', 'Speckle noise', 'noise', true, 'multiplicative noise std 0.15-0.60'),
  info('gaussian_blur', 'Gaussian blur', 'blur', false, 'gaussian sigma 1-6 px'),
  info('spatter', 'Spatter', 'weather', true, 'water or mud splashes'),
  info('saturate', 'Saturate', 'digital', false, 'HSV saturation scaled 0.3x to 20x'),
];

export function isCorruptionName(name: string): name is CorruptionName {
  return (CORRUPTION_NAMES as readonly string[]).includes(name);
}

export function corruptionInfo(name: CorruptionName): CorruptionInfo {
  const found = CORRUPTIONS.find((c) => c.name === name);
  if (!found) throw new Error(`unknown corruption ${name}`);
  return found;
}
