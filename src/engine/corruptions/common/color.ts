/**
 * RGB <-> HSV exactly as scikit-image 0.19 `rgb2hsv` / `hsv2rgb` compute them in
 * float64, so that kernels built on them (brightness, saturate) reproduce the reference
 * bit for bit before the final uint8 truncation. Channels are in [0, 1].
 *
 * Points where skimage's vectorised code fixes the result and a textbook formula would
 * differ:
 * - hue when several channels tie for the maximum: the red, green and blue formulas are
 *   applied in that order, each overwriting the previous, so blue wins over green over red;
 * - h = (h6 / 6) mod 1 with numpy's floored remainder (a tiny negative h6 / 6 becomes
 *   1 - tiny, which may round to exactly 1.0; hsv2rgb then maps sector 6 to 0);
 * - grey (max == min) has h = 0 and s = 0, black included (0/0 is replaced by 0);
 * - hsv2rgb takes the sector as floor(6h) cast to uint8, modulo 6.
 *
 * The functions write into a caller-owned 3-element array so that per-pixel loops
 * allocate nothing.
 */

/** numpy's np.remainder(a, 1.0) for finite a: the result has the sign of the divisor. */
function floorMod1(a: number): number {
  let m = a % 1;
  if (m !== 0 && m < 0) m += 1;
  return m;
}

/** skimage rgb2hsv for one pixel: out = [h, s, v], all in [0, 1]. */
export function rgbToHsv(r: number, g: number, b: number, out: Float64Array | number[]): void {
  const v = r > g ? (r > b ? r : b) : g > b ? g : b;
  const min = r < g ? (r < b ? r : b) : g < b ? g : b;
  const delta = v - min;
  if (delta === 0) {
    out[0] = 0;
    out[1] = 0;
    out[2] = v;
    return;
  }
  let h6: number;
  if (b === v) h6 = 4 + (r - g) / delta;
  else if (g === v) h6 = 2 + (b - r) / delta;
  else h6 = (g - b) / delta;
  out[0] = floorMod1(h6 / 6);
  out[1] = delta / v;
  out[2] = v;
}

/** skimage hsv2rgb for one pixel: out = [r, g, b]. */
export function hsvToRgb(h: number, s: number, v: number, out: Float64Array | number[]): void {
  const hi = Math.floor(h * 6);
  const f = h * 6 - hi;
  const p = v * (1 - s);
  const q = v * (1 - f * s);
  const t = v * (1 - (1 - f) * s);
  switch (hi % 6) {
    case 0:
      out[0] = v;
      out[1] = t;
      out[2] = p;
      break;
    case 1:
      out[0] = q;
      out[1] = v;
      out[2] = p;
      break;
    case 2:
      out[0] = p;
      out[1] = v;
      out[2] = t;
      break;
    case 3:
      out[0] = p;
      out[1] = q;
      out[2] = v;
      break;
    case 4:
      out[0] = t;
      out[1] = p;
      out[2] = v;
      break;
    default:
      out[0] = v;
      out[1] = p;
      out[2] = q;
      break;
  }
}

/** x' = clip(x * factor + offset, 0, 1) on one HSV channel (1 = saturation, 2 = value). */
export interface HsvEdit {
  channel: 1 | 2;
  factor: number;
  offset: number;
}

/**
 * mapHsv for the affine edits brightness and saturate use, written out in one loop:
 * the same float64 operations in the same order as rgbToHsv, the edit, hsvToRgb and
 * unitToByte (so the same bytes), without the per-pixel calls and temporary arrays.
 * A pixel equal to the previous one reuses its result (common in flat regions).
 * (x * 1 is x exactly, so brightness's V + c is the edit with factor 1.)
 */
export function adjustHsv(src: Uint8Array, edit: HsvEdit, out: Uint8Array = new Uint8Array(src.length)): Uint8Array {
  const unit = UNIT;
  const onValue = edit.channel === 2;
  const { factor, offset } = edit;
  let lastKey = -1;
  let o0 = 0;
  let o1 = 0;
  let o2 = 0;
  for (let i = 0; i + 2 < src.length; i += 3) {
    const k0 = src[i];
    const k1 = src[i + 1];
    const k2 = src[i + 2];
    const key = k0 | (k1 << 8) | (k2 << 16);
    if (key !== lastKey) {
      lastKey = key;
      const r = unit[k0];
      const g = unit[k1];
      const b = unit[k2];
      // rgbToHsv
      let v = r > g ? (r > b ? r : b) : g > b ? g : b;
      const min = r < g ? (r < b ? r : b) : g < b ? g : b;
      const delta = v - min;
      let h = 0;
      let s = 0;
      if (delta !== 0) {
        let h6: number;
        if (b === v) h6 = 4 + (r - g) / delta;
        else if (g === v) h6 = 2 + (b - r) / delta;
        else h6 = (g - b) / delta;
        // floorMod1(h6 / 6): h6 is in [-1, 5], so h6 / 6 is in (-1, 1) where % 1 is the
        // identity (and fmod, a C call in V8, is the loop's slowest operation).
        h = h6 / 6;
        if (h < 0) h += 1;
        s = delta / v;
      }
      // the edit
      if (onValue) {
        const e = v * factor + offset;
        v = e < 0 ? 0 : e > 1 ? 1 : e;
      } else {
        const e = s * factor + offset;
        s = e < 0 ? 0 : e > 1 ? 1 : e;
      }
      // hsvToRgb; h is in [0, 1], so floor(6 h) is 0..6 and sector 6 is sector 0.
      const hi = Math.floor(h * 6);
      const f = h * 6 - hi;
      const p = v * (1 - s);
      const q = v * (1 - f * s);
      const t = v * (1 - (1 - f) * s);
      let x0: number;
      let x1: number;
      let x2: number;
      switch (hi === 6 ? 0 : hi) {
        case 0:
          x0 = v;
          x1 = t;
          x2 = p;
          break;
        case 1:
          x0 = q;
          x1 = v;
          x2 = p;
          break;
        case 2:
          x0 = p;
          x1 = v;
          x2 = t;
          break;
        case 3:
          x0 = p;
          x1 = q;
          x2 = v;
          break;
        case 4:
          x0 = t;
          x1 = p;
          x2 = v;
          break;
        default:
          x0 = v;
          x1 = p;
          x2 = q;
          break;
      }
      // unitToByte (x * 255 < 255 in the last branch, so |0 truncates)
      o0 = x0 <= 0 ? 0 : x0 >= 1 ? 255 : (x0 * 255) | 0;
      o1 = x1 <= 0 ? 0 : x1 >= 1 ? 255 : (x1 * 255) | 0;
      o2 = x2 <= 0 ? 0 : x2 >= 1 ? 255 : (x2 * 255) | 0;
    }
    out[i] = o0;
    out[i + 1] = o1;
    out[i + 2] = o2;
  }
  return out;
}

const UNIT = Float64Array.from({ length: 256 }, (_, v) => v / 255);

/** uint8(clip(x, 0, 1) * 255), truncating like numpy. */
export function unitToByte(x: number): number {
  return x <= 0 ? 0 : x >= 1 ? 255 : Math.trunc(x * 255);
}
