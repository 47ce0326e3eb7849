/**
 * fog, bit for bit ../kernels/fog.ts: the diamond-square plasma map (float32 stores,
 * float64 perturbations wibble * U(-wibble, wibble), the reference's draw order: per
 * level square centres, then top-edge diamonds, then left-edge diamonds, each row-major;
 * draws from the module's BulkRandom stream, one row of uniforms at a time), its minimum
 * and maximum tracked while storing, then y = uint8(clip((x + a m) * M / (M + a), 0, 1)
 * * 255) with m the normalised map value. The map's recurrences read points written at
 * the same level, so they stay scalar; only the arithmetic moves out of JavaScript.
 */
import { unit64 } from './common';
import { fillUniform32 } from './rng';

let mapMin: f32 = 0;
let mapRange: f32 = 0;

function f32add(a: f32, b: f32): f32 {
  return <f32>(<f64>a + <f64>b);
}

/** map (mapsize^2 float32) = the unnormalised plasma; draws: mapsize / 2 float64 of scratch. */
function plasma(map: usize, n: i32, decay: f64, draws: usize): void {
  const mask = n - 1;
  store<f32>(map, 0);
  let mn: f32 = 0;
  let mx: f32 = 0;
  let step = n;
  let wibble: f64 = 100;
  while (step >= 2) {
    const half = step >> 1;
    const perRow = n / step;
    const lo = -wibble;
    const span = wibble - lo;
    for (let r = 0; r < n; r += step) {
      const row = r * n;
      const below = ((r + step) & mask) * n;
      const mid = (r + half) * n;
      fillUniform32(draws, perRow);
      for (let c = 0, k = 0; c < n; c += step, k++) {
        const right = (c + step) & mask;
        const sum = f32add(f32add(at(map, row + c), at(map, below + c)), f32add(at(map, row + right), at(map, below + right)));
        const v = <f32>(<f64>sum / 4 + wibble * (lo + span * load<f64>(draws + (<usize>k << 3))));
        store<f32>(map + (<usize>(mid + c + half) << 2), v);
        if (v < mn) mn = v;
        if (v > mx) mx = v;
      }
    }
    for (let r = 0; r < n; r += step) {
      const row = r * n;
      const centreBelow = (r + half) * n;
      const centreAbove = ((r - half) & mask) * n;
      fillUniform32(draws, perRow);
      for (let c = 0, k = 0; c < n; c += step, k++) {
        const right = (c + step) & mask;
        const sum = f32add(f32add(at(map, centreBelow + c + half), at(map, centreAbove + c + half)), f32add(at(map, row + c), at(map, row + right)));
        const v = <f32>(<f64>sum / 4 + wibble * (lo + span * load<f64>(draws + (<usize>k << 3))));
        store<f32>(map + (<usize>(row + c + half) << 2), v);
        if (v < mn) mn = v;
        if (v > mx) mx = v;
      }
    }
    for (let r = 0; r < n; r += step) {
      const row = r * n;
      const mid = (r + half) * n;
      const below = ((r + step) & mask) * n;
      fillUniform32(draws, perRow);
      for (let c = 0, k = 0; c < n; c += step, k++) {
        const left = (c - half) & mask;
        const sum = f32add(f32add(at(map, mid + c + half), at(map, mid + left)), f32add(at(map, row + c), at(map, below + c)));
        const v = <f32>(<f64>sum / 4 + wibble * (lo + span * load<f64>(draws + (<usize>k << 3))));
        store<f32>(map + (<usize>(mid + c) << 2), v);
        if (v < mn) mn = v;
        if (v > mx) mx = v;
      }
    }
    step = half;
    wibble /= decay;
  }
  mapMin = mn;
  mapRange = <f32>(<f64>mx - <f64>mn);
}

function at(map: usize, i: i32): f32 {
  return load<f32>(map + (<usize>i << 2));
}

/** uint8(clip(x / denom, 0, 1) * 255) with the JavaScript fogByte's shortcut through the inverse. */
function fogByte(x: f64, denom: f64, inverse: f64): u8 {
  const t = x * inverse * 255;
  const k = <i32>t;
  const frac = t - <f64>k;
  if (t > 1e-7 && t < 255 - 1e-7 && frac > 1e-7 && frac < 1 - 1e-7) return <u8>k;
  const v = x / denom;
  return v <= 0 ? 0 : v >= 1 ? 255 : <u8>(<i32>(v * 255.0));
}

/**
 * dst = fog(src) for a width x height RGB image; map: mapsize^2 float32 and draws:
 * mapsize / 2 float64 of scratch. The map is drawn here unless `drawn` (then map holds a
 * normalised map: min 0, range 1).
 */
export function fog(src: usize, dst: usize, width: i32, height: i32, map: usize, mapsize: i32, decay: f64, strength: f64, drawn: bool, draws: usize): void {
  let mn: f32 = 0;
  let range: f32 = 1;
  if (!drawn) {
    plasma(map, mapsize, decay, draws);
    mn = mapMin;
    range = mapRange;
  }
  const n = width * height * 3;
  let maxByte: u8 = 0;
  for (let i = 0; i < n && maxByte < 255; i++) {
    const v = load<u8>(src + i);
    if (v > maxByte) maxByte = v;
  }
  const maxVal = <f64>maxByte / 255.0;
  const denom = maxVal + strength;
  const inverse = 1 / denom;
  const flat = !(range > 0);
  for (let y = 0; y < height; y++) {
    const mrow = map + (<usize>(y * mapsize) << 2);
    let p = y * width * 3;
    for (let x = 0; x < width; x++, p += 3) {
      const m: f32 = flat ? 0 : <f32>(<f64>(<f32>(<f64>load<f32>(mrow + (<usize>x << 2)) - <f64>mn)) / <f64>range);
      const f = <f64>(<f32>(strength * <f64>m));
      store<u8>(dst + p, fogByte((unit64(load<u8>(src + p)) + f) * maxVal, denom, inverse));
      store<u8>(dst + p, fogByte((unit64(load<u8>(src + p, 1)) + f) * maxVal, denom, inverse), 1);
      store<u8>(dst + p, fogByte((unit64(load<u8>(src + p, 2)) + f) * maxVal, denom, inverse), 2);
    }
  }
}
