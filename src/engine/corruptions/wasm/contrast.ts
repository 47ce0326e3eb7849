/**
 * contrast: ../kernels/contrast.ts's two passes over the pixels. channelSums() gives the
 * exact integer sum of each channel (JavaScript then computes the means and the 3 x 256
 * lookup table exactly as before); applyChannelLut() maps every value through the table
 * of its channel.
 *
 * Sums in lanes: 48 bytes (16 pixels, a multiple of 3 and of 16) per step into u16 lane
 * sums, flushed to float64 (exact integers) every 256 steps before a lane can overflow.
 */

const BLOCK: i32 = 48;
const FLUSH: i32 = 256;
const totals: usize = memory.data(BLOCK * 8);
const lanes: usize = memory.data(BLOCK * 2);

/** out[0..3) = the sums of channels R, G, B of n values (n a multiple of 3), as float64. */
export function channelSums(src: usize, n: i32, out: usize): void {
  memory.fill(totals, 0, BLOCK * 8);
  let i = 0;
  while (i + BLOCK <= n) {
    let a0 = i16x8.splat(0);
    let a1 = a0;
    let a2 = a0;
    let a3 = a0;
    let a4 = a0;
    let a5 = a0;
    for (let k = 0; k < FLUSH && i + BLOCK <= n; k++, i += BLOCK) {
      const v0 = v128.load(src + i);
      const v1 = v128.load(src + i, 16);
      const v2 = v128.load(src + i, 32);
      a0 = i16x8.add(a0, i16x8.extend_low_i8x16_u(v0));
      a1 = i16x8.add(a1, i16x8.extend_high_i8x16_u(v0));
      a2 = i16x8.add(a2, i16x8.extend_low_i8x16_u(v1));
      a3 = i16x8.add(a3, i16x8.extend_high_i8x16_u(v1));
      a4 = i16x8.add(a4, i16x8.extend_low_i8x16_u(v2));
      a5 = i16x8.add(a5, i16x8.extend_high_i8x16_u(v2));
    }
    v128.store(lanes, a0);
    v128.store(lanes, a1, 16);
    v128.store(lanes, a2, 32);
    v128.store(lanes, a3, 48);
    v128.store(lanes, a4, 64);
    v128.store(lanes, a5, 80);
    for (let p = 0; p < BLOCK; p++) {
      const t = totals + (<usize>p << 3);
      store<f64>(t, load<f64>(t) + <f64>load<u16>(lanes + (<usize>p << 1)));
    }
  }
  let s0: f64 = 0;
  let s1: f64 = 0;
  let s2: f64 = 0;
  for (let p = 0; p < BLOCK; p += 3) {
    s0 += load<f64>(totals + (<usize>p << 3));
    s1 += load<f64>(totals + (<usize>(p + 1) << 3));
    s2 += load<f64>(totals + (<usize>(p + 2) << 3));
  }
  for (; i + 2 < n; i += 3) {
    s0 += <f64>load<u8>(src + i);
    s1 += <f64>load<u8>(src + i, 1);
    s2 += <f64>load<u8>(src + i, 2);
  }
  store<f64>(out, s0);
  store<f64>(out, s1, 8);
  store<f64>(out, s2, 16);
}

/** dst[i] = lut[(i mod 3) * 256 + src[i]] for n values (n a multiple of 3). */
export function applyChannelLut(src: usize, dst: usize, n: i32, lut: usize): void {
  for (let i = 0; i + 2 < n; i += 3) {
    store<u8>(dst + i, load<u8>(lut + <usize>load<u8>(src + i)));
    store<u8>(dst + i, load<u8>(lut + 256 + <usize>load<u8>(src + i, 1)), 1);
    store<u8>(dst + i, load<u8>(lut + 512 + <usize>load<u8>(src + i, 2)), 2);
  }
}
