/**
 * brightness and saturate: ../common/color.ts adjustHsv bit for bit, i.e. skimage 0.19
 * rgb2hsv, the affine edit x' = clip(x * factor + offset, 0, 1) of V (channel 2) or S
 * (channel 1), hsv2rgb, uint8(clip(., 0, 1) * 255), in float64, operation for operation.
 * A pixel equal to the previous one reuses its result (flat regions), as in JavaScript.
 */
import { unit64 } from './common';

export function adjustHsv(src: usize, dst: usize, n: i32, onValue: bool, factor: f64, offset: f64): void {
  let lastKey = -1;
  let o0: u8 = 0;
  let o1: u8 = 0;
  let o2: u8 = 0;
  for (let i = 0; i + 2 < n; i += 3) {
    const k0 = load<u8>(src + i);
    const k1 = load<u8>(src + i, 1);
    const k2 = load<u8>(src + i, 2);
    const key = <i32>k0 | (<i32>k1 << 8) | (<i32>k2 << 16);
    if (key != lastKey) {
      lastKey = key;
      const r = unit64(k0);
      const g = unit64(k1);
      const b = unit64(k2);
      let v = r > g ? (r > b ? r : b) : g > b ? g : b;
      const mn = r < g ? (r < b ? r : b) : g < b ? g : b;
      const delta = v - mn;
      let h: f64 = 0;
      let s: f64 = 0;
      if (delta != 0) {
        let h6: f64;
        if (b == v) h6 = 4 + (r - g) / delta;
        else if (g == v) h6 = 2 + (b - r) / delta;
        else h6 = (g - b) / delta;
        h = h6 / 6;
        if (h < 0) h += 1;
        s = delta / v;
      }
      if (onValue) {
        const e = v * factor + offset;
        v = e < 0 ? 0 : e > 1 ? 1 : e;
      } else {
        const e = s * factor + offset;
        s = e < 0 ? 0 : e > 1 ? 1 : e;
      }
      const hi = Math.floor(h * 6);
      const f = h * 6 - hi;
      const p = v * (1 - s);
      const q = v * (1 - f * s);
      const t = v * (1 - (1 - f) * s);
      const sector = <i32>hi == 6 ? 0 : <i32>hi;
      let x0: f64;
      let x1: f64;
      let x2: f64;
      if (sector == 0) {
        x0 = v;
        x1 = t;
        x2 = p;
      } else if (sector == 1) {
        x0 = q;
        x1 = v;
        x2 = p;
      } else if (sector == 2) {
        x0 = p;
        x1 = v;
        x2 = t;
      } else if (sector == 3) {
        x0 = p;
        x1 = q;
        x2 = v;
      } else if (sector == 4) {
        x0 = t;
        x1 = p;
        x2 = v;
      } else {
        x0 = v;
        x1 = p;
        x2 = q;
      }
      o0 = x0 <= 0 ? 0 : x0 >= 1 ? 255 : <u8>(<i32>(x0 * 255.0));
      o1 = x1 <= 0 ? 0 : x1 >= 1 ? 255 : <u8>(<i32>(x1 * 255.0));
      o2 = x2 <= 0 ? 0 : x2 >= 1 ? 255 : <u8>(<i32>(x2 * 255.0));
    }
    store<u8>(dst + i, o0);
    store<u8>(dst + i, o1, 1);
    store<u8>(dst + i, o2, 2);
  }
}
