import type { CorruptionName, Severity } from '../../shared/corruptions';
import type { RgbImage } from '../images/rgb-image';
import type { Rng } from '../../shared/prng';

/**
 * One corruption: a pure function of (image, severity, rng). Deterministic kernels
 * ignore rng. The output has the input's size (the reference crops or resizes back
 * where its math changes the size).
 */
export interface CorruptionKernel {
  name: CorruptionName;
  apply(image: RgbImage, severity: Severity, rng: Rng): RgbImage;
}
