/**
 * defocus_blur, bit for bit ../kernels/defocus_blur.ts (applyDefocusPlan): the disk sum
 * from per-row prefix sums (integers, exact in any order), the separable anti-aliasing
 * gaussian (float64, in the JavaScript order), the sparse correction runs and taps, the
 * final scale and truncation. The plan (disk half-widths, gaussian, runs, scale) is made
 * by JavaScript (defocusPlan) and passed in.
 *
 * Vectorised: disk sums in i32x4 lanes, the gaussian passes, runs and taps in f64x2
 * lanes over the flat row (consecutive values are independent outputs), each lane doing
 * the scalar operations in the scalar order. Rows stream through rings of padded rows,
 * as in JavaScript.
 *
 * runs: records of 4 float64 (dy, dx, length, weight); hRuns, vRuns, taps in that order.
 */
import { MODE_MIRROR, borderIndex, clipByte, clipBytes2, store8Bytes } from './common';
import { alloc } from './arena';

const C: i32 = 3;

export function defocusBlur(
  src: usize,
  dst: usize,
  width: i32,
  height: i32,
  pad: i32,
  rd: i32,
  rg: i32,
  halfWidths: usize,
  g: usize,
  d: f64,
  scale: f64,
  runs: usize,
  hCount: i32,
  vCount: i32,
  tapCount: i32,
): void {
  const pw = width + 2 * pad;
  const ph = height + 2 * pad;
  const colMap = alloc(<usize>pw << 2);
  for (let x = 0; x < pw; x++) store<i32>(colMap + (<usize>x << 2), borderIndex(x - pad, width, MODE_MIRROR));
  const ringRows = 2 * pad + 1;
  const pixLen = pw * C;
  const prefixLen = (pw + 1) * C;
  const pixRing = alloc(<usize>ringRows * pixLen);
  const prefixRing = alloc(<usize>ringRows * prefixLen << 2);
  const needColumns = vCount > 0;
  const colRing = needColumns ? alloc(<usize>ringRows * pixLen << 2) : 0;
  const colRunning = needColumns ? alloc(<usize>pixLen << 2) : 0;
  if (needColumns) memory.fill(colRunning, 0, <usize>pixLen << 2);
  const ew = width + 2 * rg;
  const rowLen = ew * C;
  const dsRows = 2 * rg + 1;
  const dsRing = alloc(<usize>dsRows * rowLen << 2);
  const rows = 2 * rd + 1;
  const his = alloc(<usize>rows << 2);
  const los = alloc(<usize>rows << 2);
  const taps = 2 * rg + 1;
  const dsOffsets = alloc(<usize>taps << 2);
  const gd = alloc(<usize>taps << 3);
  for (let a = 0; a < taps; a++) store<f64>(gd + (<usize>a << 3), load<f64>(g + (<usize>a << 3)) * d);
  const vert = alloc(<usize>rowLen << 3);
  const n = width * C;
  const acc = alloc(<usize>n << 3);
  let generated = 0;

  for (let y = 0; y < height; y++) {
    // ensure(min(ph - 1, y + 2 pad)): padded rows with their exclusive prefix sums
    const want = min(ph - 1, y + 2 * pad);
    while (generated <= want) {
      const slot = generated % ringRows;
      const sy = borderIndex(generated - pad, height, MODE_MIRROR) * width * C;
      const q = pixRing + <usize>slot * pixLen;
      const p = prefixRing + (<usize>slot * prefixLen << 2);
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      for (let x = 0; x < pw; x++) {
        const s = src + <usize>(sy + load<i32>(colMap + (<usize>x << 2)) * C);
        const v0 = <i32>load<u8>(s);
        const v1 = <i32>load<u8>(s, 1);
        const v2 = <i32>load<u8>(s, 2);
        store<u8>(q + x * C, <u8>v0);
        store<u8>(q + x * C + 1, <u8>v1);
        store<u8>(q + x * C + 2, <u8>v2);
        const pp = p + (<usize>(x * C) << 2);
        store<i32>(pp, s0);
        store<i32>(pp, s1, 4);
        store<i32>(pp, s2, 8);
        s0 += v0;
        s1 += v1;
        s2 += v2;
      }
      const pe = p + (<usize>(pw * C) << 2);
      store<i32>(pe, s0);
      store<i32>(pe, s1, 4);
      store<i32>(pe, s2, 8);
      if (needColumns) {
        const cr = colRing + (<usize>slot * pixLen << 2);
        for (let i = 0; i < pixLen; i++) {
          const r = colRunning + (<usize>i << 2);
          const v = load<i32>(r) + <i32>load<u8>(q + i);
          store<i32>(r, v);
          store<i32>(cr + (<usize>i << 2), v);
        }
      }
      generated++;
    }
    if (y == 0) for (let a = 0; a < 2 * rg; a++) diskRow(a, rg, pad, rd, ringRows, prefixRing, prefixLen, halfWidths, his, los, dsRing, dsRows, rowLen);
    diskRow(y + 2 * rg, rg, pad, rd, ringRows, prefixRing, prefixLen, halfWidths, his, los, dsRing, dsRows, rowLen);
    for (let a = 0; a < taps; a++) store<i32>(dsOffsets + (<usize>a << 2), ((y + a) % dsRows) * rowLen);
    // separable gaussian: vertical taps, then horizontal taps
    if (taps == 3) {
      const g0 = load<f64>(g);
      const g1 = load<f64>(g, 8);
      const g2 = load<f64>(g, 16);
      const k0 = dsRing + (<usize>load<i32>(dsOffsets) << 2);
      const k1 = dsRing + (<usize>load<i32>(dsOffsets, 4) << 2);
      const k2 = dsRing + (<usize>load<i32>(dsOffsets, 8) << 2);
      const g0v = f64x2.splat(g0);
      const g1v = f64x2.splat(g1);
      const g2v = f64x2.splat(g2);
      let i = 0;
      for (; i + 4 <= rowLen; i += 4) {
        const o = <usize>i << 2;
        const a = v128.load(k0 + o);
        const b = v128.load(k1 + o);
        const c = v128.load(k2 + o);
        const lo = f64x2.add(
          f64x2.add(f64x2.mul(g0v, f64x2.convert_low_i32x4_s(a)), f64x2.mul(g1v, f64x2.convert_low_i32x4_s(b))),
          f64x2.mul(g2v, f64x2.convert_low_i32x4_s(c)),
        );
        const hi = f64x2.add(
          f64x2.add(
            f64x2.mul(g0v, f64x2.convert_low_i32x4_s(i32x4.shuffle(a, a, 2, 3, 0, 1))),
            f64x2.mul(g1v, f64x2.convert_low_i32x4_s(i32x4.shuffle(b, b, 2, 3, 0, 1))),
          ),
          f64x2.mul(g2v, f64x2.convert_low_i32x4_s(i32x4.shuffle(c, c, 2, 3, 0, 1))),
        );
        v128.store(vert + (<usize>i << 3), lo);
        v128.store(vert + (<usize>i << 3), hi, 16);
      }
      for (; i < rowLen; i++) {
        const o = <usize>i << 2;
        store<f64>(vert + (<usize>i << 3), g0 * <f64>load<i32>(k0 + o) + g1 * <f64>load<i32>(k1 + o) + g2 * <f64>load<i32>(k2 + o));
      }
      const e0 = f64x2.splat(load<f64>(gd));
      const e1 = f64x2.splat(load<f64>(gd, 8));
      const e2 = f64x2.splat(load<f64>(gd, 16));
      i = 0;
      for (; i + 2 <= n; i += 2) {
        const v = vert + (<usize>i << 3);
        v128.store(acc + (<usize>i << 3), f64x2.add(f64x2.add(f64x2.mul(e0, v128.load(v)), f64x2.mul(e1, v128.load(v, 24))), f64x2.mul(e2, v128.load(v, 48))));
      }
      for (; i < n; i++) {
        const v = vert + (<usize>i << 3);
        store<f64>(acc + (<usize>i << 3), load<f64>(gd) * load<f64>(v) + load<f64>(gd, 8) * load<f64>(v, 24) + load<f64>(gd, 16) * load<f64>(v, 48));
      }
    } else {
      for (let i = 0; i < rowLen; i++) {
        let t: f64 = 0;
        for (let a = 0; a < taps; a++) t += load<f64>(g + (<usize>a << 3)) * <f64>load<i32>(dsRing + (<usize>(load<i32>(dsOffsets + (<usize>a << 2)) + i) << 2));
        store<f64>(vert + (<usize>i << 3), t);
      }
      for (let i = 0; i < n; i++) {
        let t: f64 = 0;
        for (let b = 0; b < taps; b++) t += load<f64>(gd + (<usize>b << 3)) * load<f64>(vert + (<usize>(i + b * C) << 3));
        store<f64>(acc + (<usize>i << 3), t);
      }
    }
    // correction runs: horizontal (prefix sums), vertical (column sums), single taps
    for (let r = 0; r < hCount; r++) {
      const rec = runs + (<usize>r << 5);
      const p = prefixRing + (<usize>(((y + pad + <i32>load<f64>(rec)) % ringRows) * prefixLen) << 2);
      const hi = p + (<usize>((pad + <i32>load<f64>(rec, 8) + <i32>load<f64>(rec, 16)) * C) << 2);
      const lo = p + (<usize>((pad + <i32>load<f64>(rec, 8)) * C) << 2);
      addWeighted(acc, n, load<f64>(rec, 24), hi, lo, 0);
    }
    for (let r = hCount; r < hCount + vCount; r++) {
      const rec = runs + (<usize>r << 5);
      const dy = <i32>load<f64>(rec);
      const dx = <i32>load<f64>(rec, 8);
      const len = <i32>load<f64>(rec, 16);
      const first = ((y + pad + dy) % ringRows) * pixLen + (pad + dx) * C;
      const last = ((y + pad + dy + len - 1) % ringRows) * pixLen + (pad + dx) * C;
      addWeighted(acc, n, load<f64>(rec, 24), colRing + (<usize>last << 2), colRing + (<usize>first << 2), pixRing + first);
    }
    for (let r = hCount + vCount; r < hCount + vCount + tapCount; r++) {
      const rec = runs + (<usize>r << 5);
      const s = ((y + pad + <i32>load<f64>(rec)) % ringRows) * pixLen + (pad + <i32>load<f64>(rec, 8)) * C;
      const w = load<f64>(rec, 24);
      for (let i = 0; i < n; i++) {
        const a = acc + (<usize>i << 3);
        store<f64>(a, load<f64>(a) + w * <f64>load<u8>(pixRing + s + i));
      }
    }
    const o = dst + <usize>y * n;
    const sv = f64x2.splat(scale);
    let i = 0;
    for (; i + 8 <= n; i += 8) {
      const a = acc + (<usize>i << 3);
      store8Bytes(
        o + i,
        clipBytes2(f64x2.mul(v128.load(a), sv)),
        clipBytes2(f64x2.mul(v128.load(a, 16), sv)),
        clipBytes2(f64x2.mul(v128.load(a, 32), sv)),
        clipBytes2(f64x2.mul(v128.load(a, 48), sv)),
      );
    }
    for (; i < n; i++) store<u8>(o + i, clipByte(load<f64>(acc + (<usize>i << 3)) * scale));
  }
}

/** acc[i] += w * (hi[i] - lo[i]) (int32 arrays), plus bytes[i] when bytes != 0 (vertical runs). */
function addWeighted(acc: usize, n: i32, w: f64, hi: usize, lo: usize, bytes: usize): void {
  for (let i = 0; i < n; i++) {
    let v = load<i32>(hi + (<usize>i << 2)) - load<i32>(lo + (<usize>i << 2));
    if (bytes) v += <i32>load<u8>(bytes + i);
    const a = acc + (<usize>i << 3);
    store<f64>(a, load<f64>(a) + w * <f64>v);
  }
}

/** Disk sums of extended row ye into its ring slot (see the JavaScript diskRow). */
function diskRow(
  ye: i32,
  rg: i32,
  pad: i32,
  rd: i32,
  ringRows: i32,
  prefixRing: usize,
  prefixLen: i32,
  halfWidths: usize,
  his: usize,
  los: usize,
  dsRing: usize,
  dsRows: i32,
  rowLen: i32,
): void {
  const o = dsRing + (<usize>((ye % dsRows) * rowLen) << 2);
  const py = ye - rg + pad;
  for (let dy = -rd; dy <= rd; dy++) {
    const w = load<i32>(halfWidths + (<usize>(dy + rd) << 2));
    const p = ((py + dy) % ringRows) * prefixLen;
    store<i32>(his + (<usize>(dy + rd) << 2), p + (pad - rg + w + 1) * C);
    store<i32>(los + (<usize>(dy + rd) << 2), p + (pad - rg - w) * C);
  }
  const rows = 2 * rd + 1;
  let i = 0;
  for (; i + 8 <= rowLen; i += 8) {
    let t0 = i32x4.splat(0);
    let t1 = i32x4.splat(0);
    for (let k = 0; k < rows; k++) {
      const h = prefixRing + (<usize>(load<i32>(his + (<usize>k << 2)) + i) << 2);
      const l = prefixRing + (<usize>(load<i32>(los + (<usize>k << 2)) + i) << 2);
      t0 = i32x4.add(t0, i32x4.sub(v128.load(h), v128.load(l)));
      t1 = i32x4.add(t1, i32x4.sub(v128.load(h, 16), v128.load(l, 16)));
    }
    v128.store(o + (<usize>i << 2), t0);
    v128.store(o + (<usize>i << 2), t1, 16);
  }
  for (; i < rowLen; i++) {
    let t = 0;
    for (let k = 0; k < rows; k++) {
      t += load<i32>(prefixRing + (<usize>(load<i32>(his + (<usize>k << 2)) + i) << 2)) - load<i32>(prefixRing + (<usize>(load<i32>(los + (<usize>k << 2)) + i) << 2));
    }
    store<i32>(o + (<usize>i << 2), t);
  }
}
