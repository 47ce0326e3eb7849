/**
 * The demo scenes' software rasteriser: pure TypeScript on typed arrays, so a scene renders
 * to the same bytes on every run (no GPU, no font or anti-aliasing library in the loop).
 *
 * Layers, all width x height, row-major:
 *   albedo    RGB float, 0..255: surface colour before lighting;
 *   light     RGB float, extra light on top of the scene's ambient (street lamps, headlight
 *             beams); the pixel's colour is albedo x (ambient + light) + emissive;
 *   emissive  RGB float, 0..255 added after lighting: the sky, lamps, lit windows, glows.
 *             Writing a surface pixel clears it, so a lamp hidden behind a nearer object
 *             stays hidden;
 *   ids       Uint16: which annotated instance owns the pixel (0 = background, an occluder that
 *             is not an object, e.g. a sign's pole or a tree); the last writer wins, so drawing
 *             far to near leaves exactly the visible pixels of each instance.
 * `fullArea[k]` counts the distinct pixels instance k covered when drawn (inside the image),
 * so visible / full is the instance's unoccluded fraction.
 *
 * Coverage is binary (a pixel is in a shape when its centre is), except where a shape is
 * thinner than a pixel: lines are widened to one pixel so far poles and lane marks do not
 * flicker in and out. The sensor model (blur, noise) softens the edges afterwards.
 */

export type Rgb = readonly [number, number, number];

/** A point in image pixels (x right, y down). */
export type Point = readonly [number, number];

/** Called once per covered pixel (p = y * width + x); writes through Canvas.set / emit. */
export type Shader = (p: number, x: number, y: number) => void;

export class Canvas {
  readonly width: number;
  readonly height: number;
  readonly albedo: Float32Array;
  readonly light: Float32Array;
  readonly emissive: Float32Array;
  readonly ids: Uint16Array;
  readonly fullArea: number[] = [0];
  /** instance id that fills write to (0 = background) */
  private currentId = 0;

  /** per instance: [minX, minY, maxX, maxY] of everything drawn for it, unclipped (truncation) */
  readonly extent: number[][] = [[0, 0, 0, 0]];

  constructor(width: number, height: number) {
    this.width = width;
    this.height = height;
    const n = width * height;
    this.albedo = new Float32Array(3 * n);
    this.light = new Float32Array(3 * n);
    this.emissive = new Float32Array(3 * n);
    this.ids = new Uint16Array(n);
  }

  /** Starts a new annotated instance; later fills belong to it until `endInstance`. */
  beginInstance(): number {
    const id = this.fullArea.length;
    if (id > 0xfffe) throw new Error('too many instances in one scene');
    this.fullArea.push(0);
    this.extent.push([Infinity, Infinity, -Infinity, -Infinity]);
    this.currentId = id;
    return id;
  }

  /** Continues an instance begun earlier (a crowd's members share one id). */
  resumeInstance(id: number): void {
    this.currentId = id;
  }

  endInstance(): void {
    this.currentId = 0;
  }

  /** Writes one surface pixel: albedo and ownership; clears what was emitted there. */
  set(p: number, r: number, g: number, b: number): void {
    const id = this.currentId;
    if (id !== 0 && this.ids[p] !== id) this.fullArea[id]++;
    this.ids[p] = id;
    const q = 3 * p;
    this.albedo[q] = r;
    this.albedo[q + 1] = g;
    this.albedo[q + 2] = b;
    this.emissive[q] = 0;
    this.emissive[q + 1] = 0;
    this.emissive[q + 2] = 0;
  }

  /** Writes one self-lit pixel (sky, lamp): no albedo, the colour as emitted. */
  emit(p: number, r: number, g: number, b: number): void {
    this.set(p, 0, 0, 0);
    const q = 3 * p;
    this.emissive[q] = r;
    this.emissive[q + 1] = g;
    this.emissive[q + 2] = b;
  }

  /** Adds emitted colour to a pixel just written (a lit window over its frame). */
  addEmit(p: number, r: number, g: number, b: number): void {
    const q = 3 * p;
    this.emissive[q] += r;
    this.emissive[q + 1] += g;
    this.emissive[q + 2] += b;
  }

  /** Multiplies albedo (shadows); ownership unchanged. */
  darken(p: number, f: number): void {
    this.albedo[3 * p] *= f;
    this.albedo[3 * p + 1] *= f;
    this.albedo[3 * p + 2] *= f;
  }

  /**
   * Fills a polygon (even-odd rule, pixel centres) with a shader called per pixel; the
   * shader writes through `set`. Polygons thinner than a pixel are widened to one pixel
   * around their centre line.
   */
  fillPolygon(points: readonly Point[], shade: Shader): void {
    this.fillRings([points], shade);
  }

  /** Even-odd fill of several closed rings at once: a ring inside another is a hole (a tyre). */
  fillRings(rings: readonly (readonly Point[])[], shade: Shader): void {
    let minY = Infinity;
    let maxY = -Infinity;
    let minX = Infinity;
    let maxX = -Infinity;
    for (const ring of rings) {
      for (const [x, y] of ring) {
        if (y < minY) minY = y;
        if (y > maxY) maxY = y;
        if (x < minX) minX = x;
        if (x > maxX) maxX = x;
      }
    }
    if (!(maxX >= minX)) return;
    const id = this.currentId;
    if (id !== 0) {
      const e = this.extent[id];
      e[0] = Math.min(e[0], minX);
      e[1] = Math.min(e[1], minY);
      e[2] = Math.max(e[2], maxX);
      e[3] = Math.max(e[3], maxY);
    }
    if (!(maxY >= 0 && minY < this.height && maxX >= 0 && minX < this.width)) return;
    const thinX = maxX - minX < 1;
    const thinY = maxY - minY < 1;
    if (thinX || thinY) {
      // A sliver: one pixel wide along its short side, so far objects keep their silhouette.
      const x0 = thinX ? Math.floor((minX + maxX) / 2) : Math.round(minX);
      const x1 = thinX ? x0 : Math.max(x0, Math.round(maxX) - 1);
      const y0 = thinY ? Math.floor((minY + maxY) / 2) : Math.round(minY);
      const y1 = thinY ? y0 : Math.max(y0, Math.round(maxY) - 1);
      this.fillPixels(x0, y0, x1, y1, shade);
      return;
    }
    const yStart = Math.max(0, Math.ceil(minY - 0.5));
    const yEnd = Math.min(this.height - 1, Math.floor(maxY - 0.5));
    const xs: number[] = [];
    for (let y = yStart; y <= yEnd; y++) {
      const cy = y + 0.5;
      xs.length = 0;
      for (const ring of rings) {
        const n = ring.length;
        for (let i = 0, j = n - 1; i < n; j = i++) {
          const [xi, yi] = ring[i];
          const [xj, yj] = ring[j];
          if (yi <= cy !== yj <= cy) xs.push(xi + ((cy - yi) / (yj - yi)) * (xj - xi));
        }
      }
      xs.sort((a, b) => a - b);
      const row = y * this.width;
      for (let k = 0; k + 1 < xs.length; k += 2) {
        const x0 = Math.max(0, Math.ceil(xs[k] - 0.5));
        const x1 = Math.min(this.width - 1, Math.floor(xs[k + 1] - 0.5));
        for (let x = x0; x <= x1; x++) shade(row + x, x, y);
      }
    }
  }

  /** Fills the inclusive pixel rectangle, clipped to the image. */
  fillPixels(x0: number, y0: number, x1: number, y1: number, shade: Shader): void {
    const xa = Math.max(0, x0);
    const xb = Math.min(this.width - 1, x1);
    const ya = Math.max(0, y0);
    const yb = Math.min(this.height - 1, y1);
    for (let y = ya; y <= yb; y++) {
      const row = y * this.width;
      for (let x = xa; x <= xb; x++) shade(row + x, x, y);
    }
  }

  /** Ellipse (centre, radii in pixels) as a polygon; at least one pixel. */
  fillEllipse(cx: number, cy: number, rx: number, ry: number, shade: Shader): void {
    this.fillPolygon(ellipsePoints(cx, cy, rx, ry), shade);
  }

  /** Adds light (multiplier) with a Gaussian falloff around (cx, cy), radii in pixels. */
  addLight(cx: number, cy: number, rx: number, ry: number, color: Rgb): void {
    this.addBlob(this.light, cx, cy, rx, ry, color);
  }

  /** Adds emitted colour (0..255 units) with a Gaussian falloff: lamps and their glow. */
  addGlow(cx: number, cy: number, rx: number, ry: number, color: Rgb): void {
    this.addBlob(this.emissive, cx, cy, rx, ry, color);
  }

  private addBlob(layer: Float32Array, cx: number, cy: number, rx: number, ry: number, color: Rgb): void {
    const sx = Math.max(0.5, rx);
    const sy = Math.max(0.5, ry);
    const x0 = Math.max(0, Math.floor(cx - 3 * sx));
    const x1 = Math.min(this.width - 1, Math.ceil(cx + 3 * sx));
    const y0 = Math.max(0, Math.floor(cy - 3 * sy));
    const y1 = Math.min(this.height - 1, Math.ceil(cy + 3 * sy));
    for (let y = y0; y <= y1; y++) {
      const dy = (y + 0.5 - cy) / sy;
      for (let x = x0; x <= x1; x++) {
        const dx = (x + 0.5 - cx) / sx;
        const w = Math.exp(-0.5 * (dx * dx + dy * dy));
        if (w < 0.004) continue;
        const p = 3 * (y * this.width + x);
        layer[p] += color[0] * w;
        layer[p + 1] += color[1] * w;
        layer[p + 2] += color[2] * w;
      }
    }
  }
}

/** Points of an ellipse outline; more points for larger ellipses. */
export function ellipsePoints(cx: number, cy: number, rx: number, ry: number): Point[] {
  const k = Math.max(8, Math.min(40, Math.ceil(Math.max(rx, ry) * 1.5)));
  const out: Point[] = [];
  for (let i = 0; i < k; i++) {
    const a = (2 * Math.PI * i) / k;
    out.push([cx + rx * Math.cos(a), cy + ry * Math.sin(a)]);
  }
  return out;
}

/** 32-bit integer hash of (x, y, seed): the demo's per-pixel randomness, order-independent. */
export function hash3(x: number, y: number, seed: number): number {
  let h = Math.imul(x | 0, 0x27d4eb2d) ^ Math.imul(y | 0, 0x165667b1) ^ Math.imul(seed | 0, 0x9e3779b1);
  h = Math.imul(h ^ (h >>> 15), 0x85ebca77);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae3d);
  return (h ^ (h >>> 16)) >>> 0;
}

/** Uniform in [0, 1) from the hash. */
export function hash01(x: number, y: number, seed: number): number {
  return hash3(x, y, seed) / 4294967296;
}

/**
 * Smooth value noise in [-1, 1] (bilinear over a lattice, smoothstep weights): one shared
 * 256 x 256 lattice of hashed values, generated once per process from a constant, so it is
 * the same everywhere; a field's seed picks where in it (and so which texture) a surface
 * reads. Table lookups instead of hashing per pixel: the ground, sky and foliage shade
 * about a quarter million pixels per image.
 */
const LATTICE = 256;
const LATTICE_MASK = LATTICE - 1;
const LATTICE_VALUES: Float32Array = (() => {
  const t = new Float32Array(LATTICE * LATTICE);
  for (let i = 0; i < t.length; i++) t[i] = 2 * hash01(i, 0x51, 0x0d7a) - 1;
  return t;
})();

export class NoiseField {
  private readonly ox: number;
  private readonly oy: number;

  constructor(seed: number) {
    this.ox = (hash3(seed, 1, 0x6f) & 0xffff) / 256;
    this.oy = (hash3(seed, 2, 0x6f) & 0xffff) / 256;
  }

  /** Value noise at lattice scale 1, in [-1, 1]. */
  value(x: number, y: number): number {
    const px = x + this.ox;
    const py = y + this.oy;
    const xi = Math.floor(px);
    const yi = Math.floor(py);
    const fx = px - xi;
    const fy = py - yi;
    const sx = fx * fx * (3 - 2 * fx);
    const sy = fy * fy * (3 - 2 * fy);
    const x0 = xi & LATTICE_MASK;
    const x1 = (xi + 1) & LATTICE_MASK;
    const r0 = (yi & LATTICE_MASK) * LATTICE;
    const r1 = ((yi + 1) & LATTICE_MASK) * LATTICE;
    const a = LATTICE_VALUES[r0 + x0];
    const b = LATTICE_VALUES[r0 + x1];
    const c = LATTICE_VALUES[r1 + x0];
    const d = LATTICE_VALUES[r1 + x1];
    const top = a + (b - a) * sx;
    const bottom = c + (d - c) * sx;
    return top + (bottom - top) * sy;
  }

  /** Two octaves, in [-1, 1]. */
  fractal(x: number, y: number): number {
    return 0.65 * this.value(x, y) + 0.35 * this.value(2.03 * x + 17.1, 2.03 * y + 5.3);
  }
}
