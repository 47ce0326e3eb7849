/**
 * glass_blur, bit for bit ../kernels/glass_blur.ts: gaussian blur (./gaussian_blur.ts),
 * the reference's local pixel "shuffle" (copy semantics, bottom-right to top-left, a
 * pixel may read one already moved), gaussian blur again. The shuffle is sequential by
 * definition (each copy may depend on the previous ones), so it runs as scalar code; the
 * blurs are vectorised.
 *
 * Offsets: per swept row, 2 (width - 2 delta) values in [0, 2 delta) (dx, then dy per
 * pixel), either drawn here from the module's BulkRandom stream exactly as
 * uniformOffsets() draws them (chunks of ceil(log2 span) bits of each 32-bit draw,
 * rejection of chunks >= span), or read from a buffer JavaScript filled (replays).
 */
import { gaussianBlurBytes } from './gaussian_blur';
import { nextInt32 } from './rng';

/** out[0..n) = offsets in [0, span) (uniformOffsets' per-row call). */
function drawOffsets(out: usize, n: i32, span: i32): void {
  let bits = 1;
  while (1 << bits < span) bits++;
  const mask = (1 << bits) - 1;
  const perDraw = 32 / bits;
  const exact = 1 << bits == span;
  let word = 0;
  let left = 0;
  let i = 0;
  if (exact) {
    for (; i + perDraw <= n; ) {
      word = nextInt32();
      for (let k = 0; k < perDraw; k++) {
        store<u8>(out + i++, <u8>(word & mask));
        word >>>= bits;
      }
    }
  }
  while (i < n) {
    if (left == 0) {
      word = nextInt32();
      left = perDraw;
    }
    const v = word & mask;
    word >>>= bits;
    left--;
    if (v < span) store<u8>(out + i++, <u8>v);
  }
}

/**
 * The shuffle, in place on x (width x height RGB). offsets: 0 to draw them, else
 * iterations x (height - 2 delta) rows of 2 (width - 2 delta) bytes in sweep order.
 * Scratch: row (2 (width - 2 delta) bytes), move ((2 delta)^2 int32).
 */
export function glassShuffle(x: usize, width: i32, height: i32, delta: i32, iterations: i32, offsets: usize, row: usize, move: usize): void {
  const count = width - 2 * delta;
  if (count <= 0) return;
  const span = 2 * delta;
  for (let i = 0; i < span; i++) {
    for (let j = 0; j < span; j++) store<i32>(move + (<usize>(i * span + j) << 2), ((j - delta) * width + (i - delta)) * 3);
  }
  let next = offsets;
  for (let it = 0; it < iterations; it++) {
    for (let h = height - delta; h > delta; h--) {
      let buf = row;
      if (offsets) {
        buf = next;
        next += <usize>(2 * count);
      } else {
        drawOffsets(row, 2 * count, span);
      }
      let dst = x + <usize>((h * width + width - delta) * 3);
      for (let k = 0; k < 2 * count; k += 2, dst -= 3) {
        const src = dst + <usize>load<i32>(move + (<usize>(<i32>load<u8>(buf + k) * span + <i32>load<u8>(buf + k + 1)) << 2));
        store<u8>(dst, load<u8>(src));
        store<u8>(dst, load<u8>(src, 1), 1);
        store<u8>(dst, load<u8>(src, 2), 2);
      }
    }
  }
}

/** glass_blur: dst = blur(shuffle(blur(src))); tmp: width x height x 3 bytes of scratch; see glassShuffle. */
export function glassBlur(
  src: usize,
  dst: usize,
  width: i32,
  height: i32,
  weights: usize,
  radius: i32,
  delta: i32,
  iterations: i32,
  offsets: usize,
  tmp: usize,
  row: usize,
  move: usize,
): void {
  gaussianBlurBytes(src, tmp, width, height, weights, radius);
  glassShuffle(tmp, width, height, delta, iterations, offsets, row, move);
  gaussianBlurBytes(tmp, dst, width, height, weights, radius);
}
