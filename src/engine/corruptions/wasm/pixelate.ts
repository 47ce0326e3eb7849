/**
 * pixelate, bit for bit ../kernels/pixelate.ts (Pillow 9.x): BOX resample to w x h
 * (horizontal pass into an 8-bit intermediate, then vertical; 22-bit fixed-point weights
 * from JavaScript's resampleCoefficients, accumulators starting at the 0.5 bias,
 * clip8), then NEAREST back to width x height (source indices from nearestIndices). A
 * pass is skipped when its dimension keeps its size.
 *
 * Integer arithmetic throughout (sums below 2^31, as in Pillow), so lanes change nothing:
 * the horizontal pass keeps a pixel's three channels in one i32x4 (the fourth lane reads
 * the next byte and is discarded), the vertical pass sums sixteen values per step, and
 * clip8 is min(max(acc, 0), 2^30 - 1) >> 22.
 */

const PRECISION_BITS: i32 = 32 - 8 - 2;
const BIAS: i32 = 1 << (PRECISION_BITS - 1);
const TOP: i32 = (1 << (PRECISION_BITS + 8)) - 1;

function clip8(v: v128): v128 {
  return i32x4.shr_s(i32x4.min_s(i32x4.max_s(v, i32x4.splat(0)), i32x4.splat(TOP)), PRECISION_BITS);
}

/** Horizontal pass: src width x height RGB -> dst outW x height (dst has 1 byte of slack). */
function resampleRows(src: usize, width: i32, height: i32, outW: i32, start: usize, count: usize, weights: usize, ksize: i32, dst: usize): void {
  for (let y = 0; y < height; y++) {
    const row = src + <usize>(y * width * 3);
    let o = dst + <usize>(y * outW * 3);
    for (let xx = 0; xx < outW; xx++, o += 3) {
      let acc = i32x4.splat(BIAS);
      const k0 = weights + (<usize>(xx * ksize) << 2);
      const n = load<i32>(count + (<usize>xx << 2));
      let p = row + <usize>(load<i32>(start + (<usize>xx << 2)) * 3);
      for (let x = 0; x < n; x++, p += 3) {
        const px = i32x4.extend_low_i16x8_u(i16x8.extend_low_i8x16_u(v128.load32_zero(p)));
        acc = i32x4.add(acc, i32x4.mul(px, i32x4.splat(load<i32>(k0 + (<usize>x << 2)))));
      }
      const b = clip8(acc);
      v128.store32_lane(o, i8x16.narrow_i16x8_u(i16x8.narrow_i32x4_s(b, b), i16x8.splat(0)), 0);
    }
  }
}

/** Vertical pass: src rows of `stride` bytes -> outH rows. */
function resampleColumns(src: usize, stride: i32, outH: i32, start: usize, count: usize, weights: usize, ksize: i32, dst: usize): void {
  for (let yy = 0; yy < outH; yy++) {
    const k0 = weights + (<usize>(yy * ksize) << 2);
    const n = load<i32>(count + (<usize>yy << 2));
    const first = src + <usize>(load<i32>(start + (<usize>yy << 2)) * stride);
    const o = dst + <usize>(yy * stride);
    let i = 0;
    for (; i + 16 <= stride; i += 16) {
      let a0 = i32x4.splat(BIAS);
      let a1 = a0;
      let a2 = a0;
      let a3 = a0;
      for (let y = 0; y < n; y++) {
        const w = i32x4.splat(load<i32>(k0 + (<usize>y << 2)));
        const v = v128.load(first + <usize>(y * stride + i));
        const lo = i16x8.extend_low_i8x16_u(v);
        const hi = i16x8.extend_high_i8x16_u(v);
        a0 = i32x4.add(a0, i32x4.mul(i32x4.extend_low_i16x8_u(lo), w));
        a1 = i32x4.add(a1, i32x4.mul(i32x4.extend_high_i16x8_u(lo), w));
        a2 = i32x4.add(a2, i32x4.mul(i32x4.extend_low_i16x8_u(hi), w));
        a3 = i32x4.add(a3, i32x4.mul(i32x4.extend_high_i16x8_u(hi), w));
      }
      v128.store(o + i, i8x16.narrow_i16x8_u(i16x8.narrow_i32x4_s(clip8(a0), clip8(a1)), i16x8.narrow_i32x4_s(clip8(a2), clip8(a3))));
    }
    for (; i < stride; i++) {
      let a = BIAS;
      for (let y = 0; y < n; y++) a += <i32>load<u8>(first + <usize>(y * stride + i)) * load<i32>(k0 + (<usize>y << 2));
      store<u8>(o + i, a >= 1 << (PRECISION_BITS + 8) ? 255 : a <= 0 ? 0 : <u8>(a >> PRECISION_BITS));
    }
  }
}

/** NEAREST upscale of small (w x h RGB) to width x height; each distinct output row built once. */
function upscaleNearest(small: usize, w: i32, width: i32, height: i32, xIndex: usize, yIndex: usize, dst: usize): void {
  const rowLen = width * 3;
  for (let y = 0; y < height; y++) {
    const o = dst + <usize>(y * rowLen);
    const sy = load<i32>(yIndex + (<usize>y << 2));
    if (y > 0 && sy == load<i32>(yIndex + (<usize>(y - 1) << 2))) {
      memory.copy(o, o - rowLen, <usize>rowLen);
      continue;
    }
    const row = small + <usize>(sy * w * 3);
    for (let x = 0; x < width; x++) {
      const p = row + <usize>(load<i32>(xIndex + (<usize>x << 2)) * 3);
      const q = o + <usize>(x * 3);
      store<u8>(q, load<u8>(p));
      store<u8>(q, load<u8>(p, 1), 1);
      store<u8>(q, load<u8>(p, 2), 2);
    }
  }
}

/**
 * dst = pixelate(src). Horizontal coefficients (hStart, hCount, hWeights, hK) when
 * w != width, vertical ones when h != height (else pointers are 0); xIndex (width) and
 * yIndex (height) the NEAREST source indices. Scratch: across (w x height x 3 + 4 bytes)
 * and small (w x h x 3 + 4).
 */
export function pixelate(
  src: usize,
  dst: usize,
  width: i32,
  height: i32,
  w: i32,
  h: i32,
  hStart: usize,
  hCount: usize,
  hWeights: usize,
  hK: i32,
  vStart: usize,
  vCount: usize,
  vWeights: usize,
  vK: i32,
  xIndex: usize,
  yIndex: usize,
  across: usize,
  small: usize,
): void {
  let a = src;
  if (w != width) {
    resampleRows(src, width, height, w, hStart, hCount, hWeights, hK, across);
    a = across;
  }
  let s = a;
  if (h != height) {
    resampleColumns(a, w * 3, h, vStart, vCount, vWeights, vK, small);
    s = small;
  }
  if (w == width && h == height) memory.copy(dst, src, <usize>(width * height * 3));
  else upscaleNearest(s, w, width, height, xIndex, yIndex, dst);
}
