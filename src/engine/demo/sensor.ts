/**
 * From the rendered layers to the 8-bit image a dashcam would record:
 *   colour = albedo x (ambient + light) + emissive     (lighting, lamps)
 *   x exposure x white balance x vignette (1 - 0.22 r^2, r = 1 at the corners)
 *   -> separable binomial blur ([1 2 1]/4, sigma ~0.7 px, or [1 4 6 4 1]/16, sigma 1 px: optics)
 *   -> + Gaussian read noise (sigma from the plan, 0..255 units), per channel
 *   -> rounded and clamped to 0..255.
 */
import type { Canvas, Rgb } from './raster';
import { Rng } from '../../shared/prng';
import { hash3 } from './raster';
import type { ScenePlan } from './scene';

export function ambientFor(plan: ScenePlan): Rgb {
  switch (plan.time) {
    case 'day':
      return [1, 1, 1];
    case 'dusk':
      return [0.7, 0.6, 0.52];
    case 'night':
      return [0.17, 0.18, 0.24];
  }
}

/** Standard normal samples (Box-Muller over a fixed-seed stream), shared by every image. */
const NOISE_TABLE_BITS = 18;
const NOISE_TABLE: Float32Array = (() => {
  const rng = new Rng(0x0d7a5e45);
  const t = new Float32Array(1 << NOISE_TABLE_BITS);
  for (let i = 0; i < t.length; i++) t[i] = rng.normal();
  return t;
})();

/**
 * One pass of the binomial blur over interleaved RGB, along rows (step 3) or columns
 * (step 3 * width); samples past the border repeat the edge pixel.
 */
function blurPass(src: Float32Array, dst: Float32Array, width: number, height: number, taps: 3 | 5, horizontal: boolean): void {
  const lines = horizontal ? height : width;
  const length = horizontal ? width : height;
  const step = horizontal ? 3 : 3 * width;
  const lineStep = horizontal ? 3 * width : 3;
  const r = (taps - 1) / 2;
  const w = taps === 3 ? [0.25, 0.5, 0.25] : [1 / 16, 4 / 16, 6 / 16, 4 / 16, 1 / 16];
  for (let l = 0; l < lines; l++) {
    const base = l * lineStep;
    for (let c = 0; c < 3; c++) {
      const o = base + c;
      for (let i = 0; i < length; i++) {
        let v: number;
        if (i >= r && i < length - r) {
          const q = o + i * step;
          v =
            taps === 3
              ? 0.25 * src[q - step] + 0.5 * src[q] + 0.25 * src[q + step]
              : 0.0625 * (src[q - 2 * step] + src[q + 2 * step]) + 0.25 * (src[q - step] + src[q + step]) + 0.375 * src[q];
        } else {
          v = 0;
          for (let k = -r; k <= r; k++) v += w[k + r] * src[o + Math.min(length - 1, Math.max(0, i + k)) * step];
        }
        dst[o + i * step] = v;
      }
    }
  }
}

/** The final interleaved RGB bytes of the scene. */
export function develop(canvas: Canvas, plan: ScenePlan): Uint8Array {
  const { width, height, albedo, light, emissive } = canvas;
  const n = width * height;
  const [a0, a1, a2] = ambientFor(plan);
  const g0 = plan.exposure * plan.whiteBalance[0];
  const g1 = plan.exposure * plan.whiteBalance[1];
  const g2 = plan.exposure * plan.whiteBalance[2];
  const lit = new Float32Array(3 * n);
  const cxv = width / 2;
  const cyv = height / 2;
  const k = 0.22 / (cxv * cxv + cyv * cyv);
  for (let y = 0; y < height; y++) {
    const dy = y + 0.5 - cyv;
    for (let x = 0; x < width; x++) {
      const dx = x + 0.5 - cxv;
      const vignette = 1 - k * (dx * dx + dy * dy);
      const q = 3 * (y * width + x);
      lit[q] = (albedo[q] * (a0 + light[q]) + emissive[q]) * g0 * vignette;
      lit[q + 1] = (albedo[q + 1] * (a1 + light[q + 1]) + emissive[q + 1]) * g1 * vignette;
      lit[q + 2] = (albedo[q + 2] * (a2 + light[q + 2]) + emissive[q + 2]) * g2 * vignette;
    }
  }
  const tmp = new Float32Array(3 * n);
  blurPass(lit, tmp, width, height, plan.blur, true);
  blurPass(tmp, lit, width, height, plan.blur, false);
  const out = new Uint8Array(3 * n);
  // Read noise: consecutive samples walk the shared table with an odd stride from a
  // per-image start, so images do not share a noise pattern.
  const mask = (1 << NOISE_TABLE_BITS) - 1;
  let at = hash3(plan.seed, 3, 0x11) & mask;
  const stride = (hash3(plan.seed, 4, 0x11) & 0xffe) | 1;
  const sigma = plan.noise;
  for (let q = 0; q < 3 * n; q++) {
    const v = Math.round(lit[q] + sigma * NOISE_TABLE[at]);
    at = (at + stride) & mask;
    out[q] = v < 0 ? 0 : v > 255 ? 255 : v;
  }
  return out;
}
