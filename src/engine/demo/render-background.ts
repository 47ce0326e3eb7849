/**
 * The static part of a demo scene: sky, distant skyline or hills, the ground plane (road
 * with lane marks, crosswalk, sidewalks, verges) and building facades along both sides.
 *
 * The ground and facades are shaded per pixel by inverting the projection (each ground
 * row is one depth Z; each facade column is one Z), so textures and marks live in metres
 * and shrink with distance. Marks thinner than a pixel are blended by their exact
 * coverage of the pixel's footprint (the `coverage` integral below), so far lane marks
 * fade instead of flickering.
 */
import type { Canvas, Rgb } from './raster';
import { hash01, NoiseField } from './raster';
import type { Building, ScenePlan, Side } from './scene';

export interface Palette {
  skyTop: Rgb;
  skyHorizon: Rgb;
  haze: Rgb;
  /** distance (m) at which haze reaches 63% */
  hazeDistance: number;
}

export function paletteFor(plan: ScenePlan): Palette {
  switch (plan.time) {
    case 'day':
      return { skyTop: [72, 128, 205], skyHorizon: [190, 212, 232], haze: [185, 200, 215], hazeDistance: 420 };
    case 'dusk':
      return { skyTop: [55, 60, 115], skyHorizon: [245, 150, 95], haze: [190, 130, 110], hazeDistance: 300 };
    case 'night':
      return { skyTop: [4, 6, 16], skyHorizon: [28, 30, 48], haze: [22, 24, 36], hazeDistance: 250 };
  }
}

/** Share of [a, b] covered by a periodic pattern "on for `on` metres every `period`" (phase 0 at 0). */
export function coverage(a: number, b: number, on: number, period: number): number {
  if (b - a <= 1e-9) return ((a % period) + period) % period < on ? 1 : 0;
  return (onLength(b, on, period) - onLength(a, on, period)) / (b - a);
}

/** Metres of pattern "on" in [0, z] (an antiderivative of the pattern). */
function onLength(z: number, on: number, period: number): number {
  const k = Math.floor(z / period);
  return k * on + Math.min(z - k * period, on);
}

/** Share of [a, b] inside the band [lo, hi]. */
function bandCoverage(a: number, b: number, lo: number, hi: number): number {
  const overlap = Math.min(b, hi) - Math.max(a, lo);
  return overlap > 0 ? overlap / (b - a) : 0;
}

function mix(a: Rgb, b: Rgb, t: number): [number, number, number] {
  return [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t];
}

export function drawSky(canvas: Canvas, plan: ScenePlan, pal: Palette): void {
  const { width } = canvas;
  const horizon = plan.camera.horizon;
  const last = Math.min(canvas.height - 1, Math.floor(horizon + 2));
  const cloudy = plan.time !== 'night';
  const clouds = new NoiseField(plan.seed + 7);
  for (let y = 0; y <= last; y++) {
    const t = Math.min(1, Math.max(0, y / Math.max(1, horizon)));
    const base = mix(pal.skyTop, pal.skyHorizon, Math.pow(t, 1.6));
    for (let x = 0; x < width; x++) {
      let [r, g, b] = base;
      if (cloudy) {
        const c = Math.max(0, clouds.fractal(x / 90, y / 28) - 0.15) * (1 - t * 0.6);
        const white = plan.time === 'day' ? 245 : 200;
        r += (white - r) * c;
        g += (white - g) * c;
        b += (white - b) * c;
      } else if (hash01(x, y, plan.seed + 3) < 0.0012 && t < 0.8) {
        r = g = b = 160;
      }
      canvas.emit(y * width + x, r, g, b);
    }
  }
}

/** Far city blocks or a hilly tree line just above the horizon, hazed. */
export function drawSkyline(canvas: Canvas, plan: ScenePlan, pal: Palette): void {
  const horizon = plan.camera.horizon;
  const night = plan.time === 'night';
  const scale = plan.camera.focal / 500;
  if (plan.skyline.length > 0) {
    for (const b of plan.skyline) {
      const top = horizon + 2 - b.height * scale;
      const tone = mix([90, 92, 100], pal.haze, b.shade);
      canvas.fillPolygon(
        [
          [b.x0, top],
          [b.x1, top],
          [b.x1, horizon + 3],
          [b.x0, horizon + 3],
        ],
        (p, x, y) => {
          canvas.set(p, tone[0], tone[1], tone[2]);
          if (night && hash01(x >> 1, y >> 1, plan.seed + 11) < 0.08) canvas.addEmit(p, 120, 100, 60);
        },
      );
    }
    return;
  }
  const hills = new NoiseField(plan.seed + 21);
  const canopy = new NoiseField(plan.seed + 22);
  const leaves = new NoiseField(plan.seed + 23);
  for (let x = 0; x < canvas.width; x++) {
    const h = (6 + 16 * (0.5 + 0.5 * hills.fractal(x / 140, 0.5))) * scale + 5 * scale * (0.5 + 0.5 * canopy.value(x / 5, 1.5));
    const y0 = Math.max(0, Math.floor(horizon + 2 - h));
    for (let y = y0; y <= Math.min(canvas.height - 1, Math.floor(horizon + 2)); y++) {
      const tone = mix([45, 70, 40], pal.haze, 0.55 + 0.1 * leaves.value(x / 3, y / 3));
      canvas.set(y * canvas.width + x, tone[0], tone[1], tone[2]);
    }
  }
}

/** The ground plane, row by row (one depth per row). */
export function drawGround(canvas: Canvas, plan: ScenePlan, pal: Palette): void {
  const { width, height } = canvas;
  const { focal: f, cx, horizon, height: camH } = plan.camera;
  const road = plan.road;
  const seed = plan.seed;
  const markWhite = plan.time === 'night' ? 170 : 215;
  const centre = road.oncoming > 0 ? road.left + road.oncoming * road.laneWidth : null;
  const centreColor: Rgb = road.centreLineYellow ? [215, 175, 40] : [markWhite, markWhite, markWhite];
  const lines: { X: number; half: number; dashed: boolean; color: Rgb }[] = [
    { X: road.left + 0.25, half: 0.075, dashed: false, color: [markWhite, markWhite, markWhite] },
    { X: road.right - 0.25, half: 0.075, dashed: false, color: [markWhite, markWhite, markWhite] },
  ];
  for (let i = 1; i < road.lanes; i++) {
    const X = road.left + i * road.laneWidth;
    if (centre !== null && Math.abs(X - centre) < 1e-6) {
      lines.push({ X: X - 0.1, half: 0.06, dashed: false, color: centreColor }, { X: X + 0.1, half: 0.06, dashed: false, color: centreColor });
    } else {
      lines.push({ X, half: 0.07, dashed: true, color: [markWhite, markWhite, markWhite] });
    }
  }
  const sideColor = (ground: Side['ground']): Rgb => (ground === 'paved' ? [150, 146, 138] : [72, 100, 48]);
  const leftGround = sideColor(plan.sides[0].ground);
  const rightGround = sideColor(plan.sides[1].ground);
  const asphaltTex = new NoiseField(seed + 31);
  const patches = new NoiseField(seed + 33);
  const paint = new NoiseField(seed + 34);
  const paving = new NoiseField(seed + 35);
  const grass = new NoiseField(seed + 37);
  const yStart = Math.max(0, Math.ceil(horizon + 0.5));
  for (let y = yStart; y < height; y++) {
    const d = y + 0.5 - horizon;
    const Z = (f * camH) / d;
    const footX = Z / f; // metres per pixel across
    const z0 = (f * camH) / (d + 0.5);
    const z1 = (f * camH) / Math.max(0.05, d - 0.5);
    const detail = Math.min(1, 0.35 / footX); // world textures fade before they alias
    const haze = 1 - Math.exp(-Z / pal.hazeDistance);
    const dashCov = coverage(z0 + road.dashPhase, z1 + road.dashPhase, 3, 9);
    const inCrosswalk = road.crosswalkZ !== null ? bandCoverage(z0, z1, road.crosswalkZ, road.crosswalkZ + 3) : 0;
    const tileCov = coverage(z0, z1, 0.04, 1.5);
    const row = y * width;
    for (let x = 0; x < width; x++) {
      const X = (x + 0.5 - cx) * footX;
      const xa = X - footX / 2;
      const xb = X + footX / 2;
      let r: number;
      let g: number;
      let b: number;
      if (X >= road.left && X <= road.right) {
        const n = asphaltTex.fractal(X * 1.7, Z * 1.7) * detail;
        const grain = (hash01(x, y, seed + 32) - 0.5) * 10;
        const patch = patches.value(X * 0.15, Z * 0.08) * 8;
        r = road.asphalt[0] + n * 10 + grain + patch;
        g = road.asphalt[1] + n * 10 + grain + patch;
        b = road.asphalt[2] + n * 10 + grain + patch;
        if (road.shadowWidth > 0 && X < road.left + road.shadowWidth) {
          r *= 0.55;
          g *= 0.57;
          b *= 0.65;
        }
        for (const line of lines) {
          const c = bandCoverage(xa, xb, line.X - line.half, line.X + line.half) * (line.dashed ? dashCov : 1);
          if (c > 0) {
            const wear = 0.85 + 0.15 * paint.value(X * 3, Z * 0.7);
            r += (line.color[0] * wear - r) * c;
            g += (line.color[1] * wear - g) * c;
            b += (line.color[2] * wear - b) * c;
          }
        }
        if (inCrosswalk > 0 && X > road.left + 0.5 && X < road.right - 0.5) {
          const c = inCrosswalk * coverage(xa, xb, 0.5, 1.0);
          r += (markWhite - r) * c;
          g += (markWhite - g) * c;
          b += (markWhite - b) * c;
        }
      } else {
        const right = X > road.right;
        const beyond = right ? X - road.right : road.left - X;
        if (beyond < road.sidewalk) {
          const n = paving.fractal(X * 2.5, Z * 2.5) * detail;
          const curb = beyond < 0.18 ? 25 : 0;
          const joint = tileCov * 0.35;
          const v = 138 + n * 8 + curb + (hash01(x, y, seed + 36) - 0.5) * 8;
          r = v * (1 - joint);
          g = (v - 2) * (1 - joint);
          b = (v - 6) * (1 - joint);
        } else {
          const base = right ? rightGround : leftGround;
          const n = grass.fractal(X * 0.9, Z * 0.9) * (0.3 + 0.7 * detail);
          const grain = (hash01(x, y, seed + 38) - 0.5) * 14;
          r = base[0] * (1 + 0.22 * n) + grain;
          g = base[1] * (1 + 0.22 * n) + grain;
          b = base[2] * (1 + 0.22 * n) + grain;
        }
      }
      r += (pal.haze[0] - r) * haze;
      g += (pal.haze[1] - g) * haze;
      b += (pal.haze[2] - b) * haze;
      canvas.set(row + x, r, g, b);
    }
  }
}

function drawFacade(canvas: Canvas, plan: ScenePlan, pal: Palette, side: Side, bld: Building): void {
  const { focal: f, cx, horizon, height: camH } = plan.camera;
  const X = side.sign * (side.buildingLine + bld.setback);
  const night = plan.time === 'night';
  const dusk = plan.time === 'dusk';
  const xNear = cx + (f * X) / bld.z0;
  const xFar = cx + (f * X) / bld.z1;
  const xa = Math.max(0, Math.floor(Math.min(xNear, xFar)));
  const xb = Math.min(canvas.width - 1, Math.ceil(Math.max(xNear, xFar)));
  const glass: Rgb = night ? [18, 20, 26] : dusk ? [90, 75, 80] : [95, 115, 135];
  const weathering = new NoiseField(bld.seed);
  for (let x = xa; x <= xb; x++) {
    const u = x + 0.5 - cx;
    if (u * side.sign <= 0) continue;
    const Z = (f * X) / u;
    if (Z < bld.z0 || Z > bld.z1) continue;
    const za = (f * X) / (u + 0.5 * side.sign);
    const zb = (f * X) / (u - 0.5 * side.sign);
    const [zlo, zhi] = za < zb ? [za, zb] : [zb, za];
    const top = horizon + (f * (camH - bld.height)) / Z;
    const bottom = horizon + (f * camH) / Z;
    const y0 = Math.max(0, Math.ceil(top - 0.5));
    const y1 = Math.min(canvas.height - 1, Math.floor(bottom - 0.5));
    const metresPerRow = Z / f;
    const haze = 1 - Math.exp(-Z / pal.hazeDistance);
    const colCov = coverage(zlo - bld.z0 - (bld.windowSpacing - bld.windowWidth) / 2, zhi - bld.z0 - (bld.windowSpacing - bld.windowWidth) / 2, bld.windowWidth, bld.windowSpacing);
    const column = Math.floor((Z - bld.z0) / bld.windowSpacing);
    const shade = 0.92 + 0.08 * weathering.value(Z * 0.5, 0);
    for (let y = y0; y <= y1; y++) {
      const Y = camH - (y + 0.5 - horizon) * metresPerRow;
      const ya = Y - metresPerRow / 2;
      const yb = Y + metresPerRow / 2;
      let r = bld.color[0] * shade;
      let g = bld.color[1] * shade;
      let b = bld.color[2] * shade;
      if (Y > bld.height - 0.45) {
        r *= 0.7;
        g *= 0.7;
        b *= 0.7;
      }
      let lit = 0;
      if (Y < 3) {
        // ground floor: shop windows between 0.4 and 2.6 m
        const c = bandCoverage(ya, yb, 0.4, 2.6) * coverage(zlo - bld.z0, zhi - bld.z0, bld.windowSpacing * 0.8, bld.windowSpacing);
        r += (glass[0] - r) * c;
        g += (glass[1] - g) * c;
        b += (glass[2] - b) * c;
        if ((night || dusk) && hash01(column, 0, bld.seed) < 0.5) lit = c;
      } else if (Y < bld.height - 0.8) {
        const fy = coverage(ya - 3 - 0.9, yb - 3 - 0.9, 1.4, bld.floorHeight);
        const c = fy * colCov;
        if (c > 0) {
          r += (glass[0] - r) * c;
          g += (glass[1] - g) * c;
          b += (glass[2] - b) * c;
          const floor = Math.floor((Y - 3) / bld.floorHeight);
          if ((night || dusk) && hash01(column, floor, bld.seed) < bld.litShare * (dusk ? 0.5 : 1)) lit = c;
        }
      }
      r += (pal.haze[0] - r) * haze;
      g += (pal.haze[1] - g) * haze;
      b += (pal.haze[2] - b) * haze;
      const p = y * canvas.width + x;
      canvas.set(p, r, g, b);
      if (lit > 0) canvas.addEmit(p, 210 * lit, 160 * lit, 90 * lit);
    }
  }
  // the near end wall, when the building starts in view
  if (bld.z0 > 2) {
    const depth = 10;
    const Xo = X + side.sign * depth;
    const top = horizon + (f * (camH - bld.height)) / bld.z0;
    const bottom = horizon + (f * camH) / bld.z0;
    const x0 = cx + (f * X) / bld.z0;
    const x1 = cx + (f * Xo) / bld.z0;
    const haze = 1 - Math.exp(-bld.z0 / pal.hazeDistance);
    const tone = mix([bld.color[0] * 0.72, bld.color[1] * 0.72, bld.color[2] * 0.74], pal.haze, haze);
    canvas.fillPolygon(
      [
        [x0, top],
        [x1, top],
        [x1, bottom],
        [x0, bottom],
      ],
      (p) => canvas.set(p, tone[0], tone[1], tone[2]),
    );
  }
}

export function drawBuildings(canvas: Canvas, plan: ScenePlan, pal: Palette): void {
  const all: { side: Side; bld: Building }[] = [];
  for (const side of plan.sides) for (const bld of side.buildings) all.push({ side, bld });
  all.sort((a, b) => b.bld.z0 - a.bld.z0);
  for (const { side, bld } of all) drawFacade(canvas, plan, pal, side, bld);
}
