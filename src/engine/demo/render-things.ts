/**
 * The objects and roadside clutter of a demo scene, drawn far to near so nearer things
 * occlude farther ones: vehicles (as boxes: the face turned to the camera, the visible
 * side, wheels, lamps, a ground shadow), pedestrians, cyclists, traffic signs (the plate
 * is the object; its pole is clutter), trees and streetlight poles.
 *
 * Each annotated object is one Canvas instance; a crowd's members share one. Lamps are
 * recorded as they are drawn and get their glow (and, for street lamps and headlights, a
 * pool of light on the road) afterwards, only when their core is still visible.
 */
import type { Canvas, Point, Rgb, Shader } from './raster';
import { NoiseField } from './raster';
import type { Palette } from './render-background';
import type { Camera, Crowd, Cyclist, ObjectClass, Pedestrian, Person, Pole, ScenePlan, Thing, TrafficSign, Tree, Vehicle } from './scene';

/** One annotated instance on the canvas. */
export interface InstanceRecord {
  id: number;
  category: ObjectClass;
  crowd: boolean;
}

interface Lamp {
  x: number;
  y: number;
  radius: number;
  color: Rgb;
  /** the instance that owns the core (0 = clutter) and a pixel of the core */
  owner: number;
  probe: number;
  pool: { x: number; y: number; rx: number; ry: number; color: Rgb } | null;
}

interface Ctx {
  canvas: Canvas;
  plan: ScenePlan;
  pal: Palette;
  lamps: Lamp[];
  instances: InstanceRecord[];
}

function project(cam: Camera, X: number, Y: number, Z: number): Point {
  return [cam.cx + (cam.focal * X) / Z, cam.horizon + (cam.focal * (cam.height - Y)) / Z];
}

/** Colour seen through the haze at depth Z. */
function hazed(ctx: Ctx, c: Rgb, Z: number, gain = 1): Rgb {
  const t = 1 - Math.exp(-Z / ctx.pal.hazeDistance);
  const h = ctx.pal.haze;
  return [c[0] * gain + (h[0] - c[0] * gain) * t, c[1] * gain + (h[1] - c[1] * gain) * t, c[2] * gain + (h[2] - c[2] * gain) * t];
}

function solid(canvas: Canvas, c: Rgb): Shader {
  return (p) => canvas.set(p, c[0], c[1], c[2]);
}

function glowing(canvas: Canvas, c: Rgb): Shader {
  return (p) => canvas.emit(p, c[0], c[1], c[2]);
}

/** Brighter towards the top: a hint of sky light on rounded bodies. */
function vertical(canvas: Canvas, c: Rgb, yTop: number, yBottom: number, top: number, bottom: number): Shader {
  const span = Math.max(1, yBottom - yTop);
  return (p, _x, y) => {
    const t = Math.min(1, Math.max(0, (y + 0.5 - yTop) / span));
    const g = top + (bottom - top) * t;
    canvas.set(p, c[0] * g, c[1] * g, c[2] * g);
  };
}

/** A flat, camera-facing board at depth Z: local (u right, v up) metres from (X, 0, Z). */
class Board {
  readonly scale: number;
  constructor(
    private readonly ctx: Ctx,
    private readonly X: number,
    readonly Z: number,
    /** horizontal foreshortening and mirroring of u (cyclist profiles); 1 = face-on */
    private readonly squeeze = 1,
  ) {
    this.scale = ctx.plan.camera.focal / Z;
  }
  at(u: number, v: number): Point {
    return project(this.ctx.plan.camera, this.X + u * this.squeeze, v, this.Z);
  }
  poly(pts: readonly (readonly [number, number])[], shade: Shader): void {
    this.ctx.canvas.fillPolygon(
      pts.map(([u, v]) => this.at(u, v)),
      shade,
    );
  }
  rect(u0: number, v0: number, u1: number, v1: number, shade: Shader): void {
    this.poly(
      [
        [u0, v1],
        [u1, v1],
        [u1, v0],
        [u0, v0],
      ],
      shade,
    );
  }
  ellipse(u: number, v: number, ru: number, rv: number, shade: Shader): void {
    const [x, y] = this.at(u, v);
    this.ctx.canvas.fillEllipse(x, y, Math.abs(ru * this.squeeze) * this.scale, rv * this.scale, shade);
  }
  /** A limb or tube from (u0, v0) to (u1, v1), `width` metres across, at least a pixel. */
  line(u0: number, v0: number, u1: number, v1: number, width: number, shade: Shader, sideways = 0): void {
    const [x0, y0] = this.at(u0, v0);
    const [x1, y1] = this.at(u1, v1);
    const len = Math.hypot(x1 - x0, y1 - y0) || 1;
    const half = Math.max(0.5, (width * this.scale) / 2);
    const nx = (-(y1 - y0) / len) * half;
    const ny = ((x1 - x0) / len) * half;
    const canvas = this.ctx.canvas;
    canvas.fillPolygon(
      [
        [x0 + nx, y0 + ny],
        [x1 + nx, y1 + ny],
        [x1 - nx, y1 - ny],
        [x0 - nx, y0 - ny],
      ],
      shade,
    );
    // body thickness seen edge-on (a rider from behind): widen sideways
    const side = (sideways * this.scale) / 2;
    if (side > half) {
      canvas.fillPolygon(
        [
          [x0 - side, y0],
          [x0 + side, y0],
          [x1 + side, y1],
          [x1 - side, y1],
        ],
        shade,
      );
    }
  }
  pixel(u: number, v: number): number {
    const [x, y] = this.at(u, v);
    const c = this.ctx.canvas;
    const xi = Math.min(c.width - 1, Math.max(0, Math.floor(x)));
    const yi = Math.min(c.height - 1, Math.max(0, Math.floor(y)));
    return yi * c.width + xi;
  }
}

function glass(ctx: Ctx): Rgb {
  return ctx.plan.time === 'night' ? [14, 15, 20] : ctx.plan.time === 'dusk' ? [70, 60, 70] : [70, 88, 108];
}

function shadowUnder(ctx: Ctx, X: number, Z: number, width: number, length: number): void {
  const cam = ctx.plan.camera;
  const f = ctx.plan.time === 'day' ? 0.45 : ctx.plan.time === 'dusk' ? 0.6 : 0.8;
  const w = width / 2 + 0.15;
  ctx.canvas.fillPolygon(
    [project(cam, X - w, 0, Z - 0.15), project(cam, X + w, 0, Z - 0.15), project(cam, X + w, 0, Z + length), project(cam, X - w, 0, Z + length)],
    (p) => ctx.canvas.darken(p, f),
  );
}

function addLamp(ctx: Ctx, board: Board, u: number, v: number, radius: number, color: Rgb, owner: number, pool: Lamp['pool'] = null): void {
  const [x, y] = board.at(u, v);
  ctx.lamps.push({ x, y, radius: Math.max(0.6, radius * board.scale), color, owner, probe: board.pixel(u, v), pool });
}

/** A wheel in the vehicle's side plane X = Xs, centred at (Y, Z). */
function sideWheel(ctx: Ctx, Xs: number, Y: number, Z: number, r: number): void {
  const cam = ctx.plan.camera;
  const outer: Point[] = [];
  const inner: Point[] = [];
  for (let i = 0; i < 14; i++) {
    const a = (2 * Math.PI * i) / 14;
    outer.push(project(cam, Xs, Y + r * Math.sin(a), Z + r * Math.cos(a)));
    inner.push(project(cam, Xs, Y + 0.55 * r * Math.sin(a), Z + 0.55 * r * Math.cos(a)));
  }
  const tyre = hazed(ctx, [28, 28, 30], Z);
  const rim = hazed(ctx, [120, 122, 126], Z);
  ctx.canvas.fillPolygon(outer, solid(ctx.canvas, tyre));
  ctx.canvas.fillPolygon(inner, solid(ctx.canvas, rim));
}

function drawVehicle(ctx: Ctx, v: Vehicle): void {
  const { canvas, plan } = ctx;
  const cam = plan.camera;
  const { X, Z, width: W, height: H, length: L } = v;
  const day = plan.time === 'day';
  shadowUnder(ctx, X, Z, W, L);
  const id = canvas.beginInstance();
  ctx.instances.push({ id, category: v.kind, crowd: false });
  const body = hazed(ctx, v.color, Z);
  const sideGain = day ? 0.74 : 0.85;
  const dark = hazed(ctx, [32, 32, 35], Z);
  const gl = hazed(ctx, glass(ctx), Z);
  // the side facing the camera's axis is visible when the vehicle is off-centre
  if (Math.abs(X) > W / 2) {
    const Xs = X - Math.sign(X) * (W / 2);
    const side = hazed(ctx, v.color, Z, sideGain);
    const P = (Y: number, z: number): Point => project(cam, Xs, Y, z);
    if (v.kind === 'car') {
      canvas.fillPolygon([P(0.28, Z), P(0.6 * H, Z), P(0.6 * H, Z + L), P(0.28, Z + L)], solid(canvas, side));
      canvas.fillPolygon([P(0.6 * H, Z + 0.2 * L), P(H, Z + 0.36 * L), P(H, Z + 0.76 * L), P(0.6 * H, Z + 0.9 * L)], solid(canvas, side));
      canvas.fillPolygon(
        [P(0.64 * H, Z + 0.25 * L), P(0.95 * H, Z + 0.38 * L), P(0.95 * H, Z + 0.74 * L), P(0.64 * H, Z + 0.86 * L)],
        solid(canvas, hazed(ctx, glass(ctx), Z, 0.9)),
      );
      sideWheel(ctx, Xs, 0.33, Z + 0.17 * L, 0.33);
      sideWheel(ctx, Xs, 0.33, Z + 0.82 * L, 0.33);
    } else {
      const cabLen = 2.3;
      const [box0, box1, cab0] = v.facing === 'front' ? [Z + cabLen, Z + L, Z] : [Z, Z + L - cabLen, Z + L - cabLen];
      const cabSide = hazed(ctx, v.cabColor, Z, sideGain);
      canvas.fillPolygon([P(0.45, cab0), P(2.9, cab0), P(2.9, cab0 + cabLen), P(0.45, cab0 + cabLen)], solid(canvas, cabSide));
      canvas.fillPolygon([P(1.9, cab0 + 0.2), P(2.7, cab0 + 0.2), P(2.7, cab0 + 1.2), P(1.9, cab0 + 1.2)], solid(canvas, gl));
      canvas.fillPolygon([P(1.0, box0), P(H, box0), P(H, box1), P(1.0, box1)], solid(canvas, side));
      const stripe = hazed(ctx, v.cabColor, Z, sideGain * 0.9);
      canvas.fillPolygon([P(1.6, box0), P(1.9, box0), P(1.9, box1), P(1.6, box1)], solid(canvas, stripe));
      canvas.fillPolygon([P(0.45, box0), P(1.0, box0), P(1.0, box1), P(0.45, box1)], solid(canvas, dark));
      const wheelZ = v.facing === 'front' ? [Z + 1.2, Z + L - 2.2, Z + L - 1.1] : [Z + 1.1, Z + 2.2, Z + L - 1.2];
      for (const wz of wheelZ) sideWheel(ctx, Xs, 0.5, wz, 0.5);
    }
  }
  // roof, seen from above when the camera is higher than the vehicle
  if (cam.height > H && v.kind === 'car') {
    const r = hazed(ctx, v.color, Z, day ? 1.08 : 1);
    const hw = 0.36 * W;
    canvas.fillPolygon([project(cam, X - hw, H, Z), project(cam, X + hw, H, Z), project(cam, X + hw, H, Z + 0.45 * L), project(cam, X - hw, H, Z + 0.45 * L)], solid(canvas, r));
  }
  const b = new Board(ctx, X, Z);
  const [, yTop] = b.at(0, H);
  const [, yBottom] = b.at(0, 0);
  const bodyShade = vertical(canvas, body, yTop, yBottom, day ? 1.08 : 1, day ? 0.8 : 0.9);
  const lampsOn = v.lightsOn;
  if (v.kind === 'car') {
    b.rect(-W / 2 + 0.08, 0, -W / 2 + 0.42, 0.38, solid(canvas, dark));
    b.rect(W / 2 - 0.42, 0, W / 2 - 0.08, 0.38, solid(canvas, dark));
    b.poly(
      [
        [-W / 2, 0.26],
        [W / 2, 0.26],
        [W / 2, 0.57 * H],
        [W / 2 - 0.1, 0.62 * H],
        [-W / 2 + 0.1, 0.62 * H],
        [-W / 2, 0.57 * H],
      ],
      bodyShade,
    );
    b.poly(
      [
        [-0.46 * W, 0.6 * H],
        [0.46 * W, 0.6 * H],
        [0.36 * W, H],
        [-0.36 * W, H],
      ],
      bodyShade,
    );
    b.poly(
      [
        [-0.4 * W, 0.64 * H],
        [0.4 * W, 0.64 * H],
        [0.32 * W, 0.95 * H],
        [-0.32 * W, 0.95 * H],
      ],
      vertical(canvas, gl, b.at(0, 0.95 * H)[1], b.at(0, 0.64 * H)[1], day ? 1.35 : 1, 0.8),
    );
    b.rect(-W / 2, 0.26, W / 2, 0.34, solid(canvas, dark));
    if (v.facing === 'rear') {
      const red: Rgb = lampsOn ? [255, 70, 50] : hazed(ctx, [170, 25, 25], Z);
      const shade = lampsOn ? glowing(canvas, red) : solid(canvas, red);
      b.rect(-W / 2 + 0.05, 0.44 * H, -W / 2 + 0.36, 0.54 * H, shade);
      b.rect(W / 2 - 0.36, 0.44 * H, W / 2 - 0.05, 0.54 * H, shade);
      b.rect(-0.26, 0.34, 0.26, 0.45, solid(canvas, hazed(ctx, [215, 215, 205], Z)));
      if (lampsOn) {
        addLamp(ctx, b, -W / 2 + 0.2, 0.49 * H, 0.25, [160, 25, 15], id);
        addLamp(ctx, b, W / 2 - 0.2, 0.49 * H, 0.25, [160, 25, 15], id);
      }
    } else {
      b.rect(-0.3 * W, 0.36 * H, 0.3 * W, 0.5 * H, solid(canvas, dark));
      const white: Rgb = lampsOn ? [255, 250, 228] : hazed(ctx, [205, 205, 195], Z);
      const shade = lampsOn ? glowing(canvas, white) : solid(canvas, white);
      b.rect(-W / 2 + 0.08, 0.42 * H, -W / 2 + 0.4, 0.52 * H, shade);
      b.rect(W / 2 - 0.4, 0.42 * H, W / 2 - 0.08, 0.52 * H, shade);
      if (lampsOn) {
        const zp = Math.max(2.5, Z - 7);
        const [px, py] = project(cam, X, 0, zp);
        const pool = { x: px, y: py, rx: (cam.focal * 1.8) / zp, ry: (cam.focal * cam.height * 3.5) / (zp * zp), color: [0.35, 0.35, 0.32] as Rgb };
        addLamp(ctx, b, -W / 2 + 0.24, 0.47 * H, 0.45, [170, 165, 145], id, pool);
        addLamp(ctx, b, W / 2 - 0.24, 0.47 * H, 0.45, [170, 165, 145], id);
      }
    }
  } else {
    if (v.facing === 'front') {
      // the box behind the cab shows above it
      const box = new Board(ctx, X, Z + 2.3);
      box.rect(-W / 2, 1.0, W / 2, H, solid(canvas, body));
      const cab = hazed(ctx, v.cabColor, Z);
      b.rect(-W / 2 + 0.1, 0, -W / 2 + 0.55, 0.95, solid(canvas, dark));
      b.rect(W / 2 - 0.55, 0, W / 2 - 0.1, 0.95, solid(canvas, dark));
      b.rect(-W / 2, 0.45, W / 2, 2.9, vertical(canvas, cab, b.at(0, 2.9)[1], b.at(0, 0.45)[1], day ? 1.06 : 1, 0.85));
      b.rect(-0.45 * W, 1.9, 0.45 * W, 2.7, vertical(canvas, gl, b.at(0, 2.7)[1], b.at(0, 1.9)[1], day ? 1.35 : 1, 0.8));
      b.rect(-0.3 * W, 0.7, 0.3 * W, 1.55, solid(canvas, dark));
      const white: Rgb = lampsOn ? [255, 250, 228] : hazed(ctx, [205, 205, 195], Z);
      const shade = lampsOn ? glowing(canvas, white) : solid(canvas, white);
      b.rect(-W / 2 + 0.1, 0.75, -W / 2 + 0.45, 0.95, shade);
      b.rect(W / 2 - 0.45, 0.75, W / 2 - 0.1, 0.95, shade);
      if (lampsOn) {
        const zp = Math.max(2.5, Z - 8);
        const [px, py] = project(cam, X, 0, zp);
        const pool = { x: px, y: py, rx: (cam.focal * 2) / zp, ry: (cam.focal * cam.height * 4) / (zp * zp), color: [0.38, 0.38, 0.35] as Rgb };
        addLamp(ctx, b, -W / 2 + 0.28, 0.85, 0.5, [170, 165, 145], id, pool);
        addLamp(ctx, b, W / 2 - 0.28, 0.85, 0.5, [170, 165, 145], id);
      }
    } else {
      b.rect(-W / 2 + 0.1, 0, -W / 2 + 0.75, 0.95, solid(canvas, dark));
      b.rect(W / 2 - 0.75, 0, W / 2 - 0.1, 0.95, solid(canvas, dark));
      b.rect(-W / 2 + 0.2, 0.45, W / 2 - 0.2, 1.0, solid(canvas, dark));
      b.rect(-W / 2, 1.0, W / 2, H, vertical(canvas, body, yTop, b.at(0, 1.0)[1], day ? 1.05 : 1, 0.88));
      b.rect(-0.02, 1.05, 0.02, H - 0.1, solid(canvas, hazed(ctx, v.color, Z, 0.6)));
      b.rect(-W / 2, 0.62, W / 2, 0.78, solid(canvas, hazed(ctx, [60, 60, 62], Z)));
      const red: Rgb = lampsOn ? [255, 70, 50] : hazed(ctx, [170, 25, 25], Z);
      const shade = lampsOn ? glowing(canvas, red) : solid(canvas, red);
      b.rect(-W / 2 + 0.05, 0.62, -W / 2 + 0.35, 0.78, shade);
      b.rect(W / 2 - 0.35, 0.62, W / 2 - 0.05, 0.78, shade);
      b.rect(-0.26, 0.45, 0.26, 0.6, solid(canvas, hazed(ctx, [215, 215, 205], Z)));
      if (lampsOn) {
        addLamp(ctx, b, -W / 2 + 0.2, 0.7, 0.3, [160, 25, 15], id);
        addLamp(ctx, b, W / 2 - 0.2, 0.7, 0.3, [160, 25, 15], id);
      }
    }
  }
  canvas.endInstance();
}

/** One person on a board at (p.X, p.Z); the caller owns the instance. */
function drawPerson(ctx: Ctx, p: Person): void {
  const { canvas } = ctx;
  const b = new Board(ctx, p.X, p.Z);
  const H = p.height;
  const k = H / 1.75;
  const hip = 0.5 * H;
  const shoulder = 0.81 * H;
  const headC = H - 0.115 * k;
  const skin = solid(canvas, hazed(ctx, p.skin, p.Z));
  const top = hazed(ctx, p.top, p.Z);
  const topShade = solid(canvas, top);
  const bottom = solid(canvas, hazed(ctx, p.bottom, p.Z));
  const shoe = solid(canvas, hazed(ctx, [25, 22, 20], p.Z));
  const back = solid(canvas, hazed(ctx, p.top, p.Z, 0.75));
  const s = Math.sin(p.phase);
  if (p.heading === 'across') {
    const stride = s * 0.27 * k;
    const swing = s * 0.2 * k;
    b.line(0, shoulder - 0.04 * k, -swing, 0.47 * H, 0.08 * k, back);
    b.line(-0.03 * k, hip, 0.03 * k + stride, 0.05 * k, 0.13 * k, bottom);
    b.line(0.03 * k, hip, -0.03 * k - stride, 0.05 * k, 0.13 * k, bottom);
    b.rect(stride - 0.02 * k, 0, stride + 0.13 * k, 0.06 * k, shoe);
    b.rect(-stride - 0.02 * k, 0, -stride + 0.13 * k, 0.06 * k, shoe);
    b.poly(
      [
        [-0.12 * k, hip - 0.03 * k],
        [0.12 * k, hip - 0.03 * k],
        [0.13 * k, shoulder],
        [0.05 * k, shoulder + 0.04 * k],
        [-0.09 * k, shoulder + 0.04 * k],
        [-0.12 * k, shoulder],
      ],
      topShade,
    );
    if (p.bag) b.rect(-0.24 * k, 0.55 * H, -0.1 * k, 0.75 * H, solid(canvas, hazed(ctx, [60, 45, 35], p.Z)));
    b.line(0, shoulder - 0.04 * k, swing, 0.47 * H, 0.085 * k, topShade);
  } else {
    const lift = Math.max(0, s) * 0.06 * k;
    b.line(-0.085 * k, hip, -0.09 * k, 0.05 * k + lift, 0.13 * k, bottom);
    b.line(0.085 * k, hip, 0.09 * k, 0.05 * k + Math.max(0, -s) * 0.06 * k, 0.13 * k, bottom);
    b.rect(-0.16 * k, lift, -0.02 * k, 0.06 * k + lift, shoe);
    b.rect(0.02 * k, 0, 0.16 * k, 0.06 * k, shoe);
    b.poly(
      [
        [-0.16 * k, hip - 0.03 * k],
        [0.16 * k, hip - 0.03 * k],
        [0.2 * k, shoulder],
        [0.14 * k, shoulder + 0.045 * k],
        [-0.14 * k, shoulder + 0.045 * k],
        [-0.2 * k, shoulder],
      ],
      topShade,
    );
    b.line(-0.2 * k, shoulder - 0.02 * k, -0.24 * k, 0.48 * H, 0.085 * k, topShade);
    b.line(0.2 * k, shoulder - 0.02 * k, 0.24 * k, 0.48 * H, 0.085 * k, topShade);
    if (p.bag) b.rect(0.22 * k, 0.5 * H, 0.34 * k, 0.62 * H, solid(canvas, hazed(ctx, [60, 45, 35], p.Z)));
  }
  b.rect(-0.035 * k, shoulder, 0.035 * k, shoulder + 0.07 * k, skin);
  b.ellipse(0, headC + 0.03 * k, 0.09 * k, 0.085 * k, solid(canvas, hazed(ctx, p.hair, p.Z)));
  b.ellipse(0, headC - 0.012 * k, 0.078 * k, 0.095 * k, skin);
}

function drawPedestrian(ctx: Ctx, t: Pedestrian): void {
  const id = ctx.canvas.beginInstance();
  ctx.instances.push({ id, category: 'pedestrian', crowd: false });
  drawPerson(ctx, t.person);
  ctx.canvas.endInstance();
}

function drawCrowd(ctx: Ctx, t: Crowd): void {
  const id = ctx.canvas.beginInstance();
  ctx.instances.push({ id, category: 'pedestrian', crowd: true });
  for (const m of t.members) {
    ctx.canvas.resumeInstance(id);
    drawPerson(ctx, m);
  }
  ctx.canvas.endInstance();
}

function drawCyclist(ctx: Ctx, t: Cyclist): void {
  const { canvas } = ctx;
  const id = canvas.beginInstance();
  ctx.instances.push({ id, category: 'cyclist', crowd: false });
  const p = t.person;
  const b = new Board(ctx, t.X, t.Z, t.profile * t.direction);
  const k = p.height / 1.75;
  const thick = 1 - t.profile; // how much of the body's width shows (seen from behind)
  const tyre = hazed(ctx, [25, 25, 27], t.Z);
  const frame = solid(canvas, hazed(ctx, t.frame, t.Z));
  const wheel = (u: number): void => {
    const [x, y] = b.at(u, 0.34);
    const rx = Math.max(0.6, 0.34 * t.profile * b.scale);
    const ry = 0.34 * b.scale;
    const tw = Math.max(0.7, 0.05 * b.scale);
    const outer: Point[] = [];
    const inner: Point[] = [];
    for (let i = 0; i < 18; i++) {
      const a = (2 * Math.PI * i) / 18;
      outer.push([x + (rx + 0.02 * b.scale) * Math.cos(a), y + ry * Math.sin(a)]);
      inner.push([x + Math.max(0, rx - tw) * Math.cos(a), y + Math.max(0, ry - tw) * Math.sin(a)]);
    }
    canvas.fillRings(rx > tw * 1.5 ? [outer, inner] : [outer], solid(canvas, tyre));
  };
  wheel(-0.52);
  wheel(0.52);
  const bb: [number, number] = [0, 0.3];
  const seat: [number, number] = [-0.12, 0.84];
  const head: [number, number] = [0.42, 0.86];
  b.line(-0.52, 0.34, bb[0], bb[1], 0.04, frame);
  b.line(bb[0], bb[1], seat[0], seat[1], 0.04, frame);
  b.line(-0.52, 0.34, seat[0], seat[1], 0.035, frame);
  b.line(seat[0], seat[1] - 0.06, head[0], head[1] - 0.04, 0.04, frame);
  b.line(bb[0], bb[1], head[0], head[1] - 0.08, 0.045, frame);
  b.line(head[0], head[1], 0.52, 0.34, 0.04, frame);
  b.line(head[0] - 0.05, head[1] + 0.06, head[0] + 0.08, head[1] + 0.06, 0.04, frame, 0.5 * thick);
  const hip: [number, number] = [-0.1 * k, 0.92 * k];
  const shoulder: [number, number] = [0.2 * k, 1.38 * k];
  const bottom = solid(canvas, hazed(ctx, p.bottom, t.Z));
  const top = solid(canvas, hazed(ctx, p.top, t.Z));
  const skin = solid(canvas, hazed(ctx, p.skin, t.Z));
  for (const phase of [p.phase + Math.PI, p.phase]) {
    const pedal: [number, number] = [0.17 * Math.cos(phase), 0.3 + 0.17 * Math.sin(phase)];
    const knee: [number, number] = [(hip[0] + pedal[0]) / 2 + 0.2 * k, (hip[1] + pedal[1]) / 2 + 0.08 * k];
    b.line(hip[0], hip[1], knee[0], knee[1], 0.14 * k, bottom, 0.2 * thick);
    b.line(knee[0], knee[1], pedal[0], pedal[1], 0.11 * k, bottom, 0.15 * thick);
  }
  b.line(hip[0], hip[1], shoulder[0], shoulder[1], 0.3 * k, top, 0.4 * k * thick);
  b.line(shoulder[0], shoulder[1], head[0], head[1] + 0.06, 0.08 * k, top, 0.45 * k * thick);
  const [hx, hy] = b.at(shoulder[0] + 0.09 * k, shoulder[1] + 0.2 * k);
  canvas.fillEllipse(hx, hy, Math.max(0.6, 0.085 * k * b.scale), 0.1 * k * b.scale, skin);
  canvas.fillEllipse(hx, hy - 0.04 * k * b.scale, Math.max(0.6, 0.1 * k * b.scale), 0.075 * k * b.scale, solid(canvas, hazed(ctx, t.helmet, t.Z)));
  canvas.endInstance();
}

function regular(n: number, r: number, rotation: number): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i < n; i++) {
    const a = rotation + (2 * Math.PI * i) / n;
    out.push([r * Math.cos(a), r * Math.sin(a)]);
  }
  return out;
}

function drawSign(ctx: Ctx, t: TrafficSign): void {
  const { canvas } = ctx;
  const b = new Board(ctx, t.X, t.Z);
  const s = t.size;
  const c = t.centre;
  b.rect(-0.035, 0, 0.035, c, solid(canvas, hazed(ctx, [120, 122, 125], t.Z)));
  const id = canvas.beginInstance();
  ctx.instances.push({ id, category: 'traffic sign', crowd: false });
  const at = (pts: [number, number][], scale: number): [number, number][] => pts.map(([u, v]) => [u * scale, c + v * scale]);
  const red = solid(canvas, hazed(ctx, [200, 28, 32], t.Z));
  const white = solid(canvas, hazed(ctx, [238, 238, 235], t.Z));
  const blue = solid(canvas, hazed(ctx, [28, 78, 168], t.Z));
  const black = solid(canvas, hazed(ctx, [25, 25, 25], t.Z));
  const rim = solid(canvas, hazed(ctx, [150, 150, 150], t.Z));
  const circle = regular(24, 0.5, 0);
  switch (t.shape) {
    case 'prohibitory':
      b.poly(at(circle, s * 1.04), rim);
      b.poly(at(circle, s), red);
      b.poly(at(circle, s * 0.74), white);
      b.rect(-0.17 * s, c - 0.17 * s, -0.03 * s, c + 0.17 * s, black);
      b.rect(0.03 * s, c - 0.17 * s, 0.17 * s, c + 0.17 * s, black);
      b.rect(0.07 * s, c - 0.1 * s, 0.13 * s, c + 0.1 * s, white);
      break;
    case 'warning': {
      const tri = regular(3, 0.55, Math.PI / 2);
      b.poly(at(tri, s * 1.05), rim);
      b.poly(at(tri, s), red);
      b.poly(at(tri, s * 0.62), white);
      b.rect(-0.04 * s, c - 0.08 * s, 0.04 * s, c + 0.14 * s, black);
      break;
    }
    case 'mandatory':
      b.poly(at(circle, s * 1.03), rim);
      b.poly(at(circle, s), blue);
      b.poly(
        at(
          [
            [-0.06, -0.3],
            [0.06, -0.3],
            [0.06, 0.05],
            [0.18, 0.05],
            [0, 0.3],
            [-0.18, 0.05],
            [-0.06, 0.05],
          ],
          s,
        ),
        white,
      );
      break;
    case 'stop':
      b.poly(at(regular(8, 0.52, Math.PI / 8), s * 1.03), rim);
      b.poly(at(regular(8, 0.52, Math.PI / 8), s), red);
      b.rect(-0.34 * s, c - 0.08 * s, 0.34 * s, c + 0.08 * s, white);
      break;
    case 'info':
      b.rect(-0.47 * s, c - 0.47 * s, 0.47 * s, c + 0.47 * s, rim);
      b.rect(-0.45 * s, c - 0.45 * s, 0.45 * s, c + 0.45 * s, blue);
      b.rect(-0.1 * s, c - 0.3 * s, 0.1 * s, c + 0.3 * s, white);
      b.rect(-0.1 * s, c + 0.05 * s, 0.25 * s, c + 0.3 * s, white);
      break;
    case 'priority': {
      const diamond = regular(4, 0.52, 0);
      b.poly(at(diamond, s), white);
      b.poly(at(diamond, s * 0.68), solid(canvas, hazed(ctx, [232, 190, 30], t.Z)));
      break;
    }
  }
  canvas.endInstance();
}

function drawTree(ctx: Ctx, t: Tree): void {
  const { canvas } = ctx;
  const b = new Board(ctx, t.X, t.Z);
  b.rect(-0.14, 0, 0.14, t.trunk + t.radius * 0.4, solid(canvas, hazed(ctx, [75, 58, 42], t.Z)));
  const R = t.radius;
  const [cx, cy] = b.at(0, t.trunk + R * 0.85);
  const scale = b.scale;
  const rx = R * scale;
  const ry = 1.1 * R * scale;
  const leaf = hazed(ctx, t.leaf, t.Z);
  const day = ctx.plan.time === 'day';
  const outline = new NoiseField(t.seed);
  const foliage = new NoiseField(t.seed + 1);
  canvas.fillPixels(Math.floor(cx - rx * 1.35), Math.floor(cy - ry * 1.35), Math.ceil(cx + rx * 1.35), Math.ceil(cy + ry * 1.35), (p, x, y) => {
    const du = (x + 0.5 - cx) / scale;
    const dv = (cy - (y + 0.5)) / scale;
    const rr = (du * du) / (R * R) + (dv * dv) / (1.21 * R * R);
    const edge = 1 + 0.38 * outline.value(du * 2.4, dv * 2.4);
    if (rr >= edge) return;
    const n = foliage.fractal(du * 3.2, dv * 3.2);
    const light = (day ? 0.7 + 0.25 * (dv / R) : 0.85) + 0.3 * n;
    canvas.set(p, leaf[0] * light, leaf[1] * light, leaf[2] * light);
  });
}

function drawPole(ctx: Ctx, t: Pole): void {
  const { canvas, plan } = ctx;
  const b = new Board(ctx, t.X, t.Z);
  const grey = solid(canvas, hazed(ctx, [105, 108, 112], t.Z));
  b.rect(-0.08, 0, 0.08, t.height, grey);
  if (t.arm === 0) return;
  b.line(0, t.height - 0.1, t.arm, t.height - 0.1, 0.08, grey);
  const head: Rgb = t.lit ? [255, 235, 190] : hazed(ctx, [150, 150, 140], t.Z);
  b.rect(t.arm - 0.3, t.height - 0.3, t.arm + 0.3, t.height - 0.12, t.lit ? glowing(canvas, head) : solid(canvas, head));
  if (t.lit) {
    const cam = plan.camera;
    const [px, py] = project(cam, t.X + t.arm, 0, t.Z);
    const R = 6;
    addLamp(ctx, b, t.arm, t.height - 0.21, 0.35, [150, 125, 80], 0, {
      x: px,
      y: py,
      rx: (cam.focal * R) / t.Z,
      ry: (cam.focal * cam.height * R) / (t.Z * t.Z),
      color: [0.8, 0.68, 0.45],
    });
  }
}

function drawThing(ctx: Ctx, t: Thing): void {
  switch (t.kind) {
    case 'car':
    case 'truck':
      return drawVehicle(ctx, t);
    case 'pedestrian':
      return drawPedestrian(ctx, t);
    case 'crowd':
      return drawCrowd(ctx, t);
    case 'cyclist':
      return drawCyclist(ctx, t);
    case 'traffic sign':
      return drawSign(ctx, t);
    case 'tree':
      return drawTree(ctx, t);
    case 'pole':
      return drawPole(ctx, t);
  }
}

/** Draws every thing far to near, then the glows and light pools of lamps still in view. */
export function drawThings(canvas: Canvas, plan: ScenePlan, pal: Palette): InstanceRecord[] {
  const ctx: Ctx = { canvas, plan, pal, lamps: [], instances: [] };
  const order = plan.things
    .map((t, i) => ({ t, i }))
    .filter(({ t }) => t.Z > 0.5)
    .sort((a, b) => b.t.Z - a.t.Z || a.i - b.i);
  for (const { t } of order) drawThing(ctx, t);
  for (const lamp of ctx.lamps) {
    const visible = lamp.owner !== 0 ? canvas.ids[lamp.probe] === lamp.owner : canvas.emissive[3 * lamp.probe] > 0;
    if (lamp.pool) canvas.addLight(lamp.pool.x, lamp.pool.y, lamp.pool.rx, lamp.pool.ry, lamp.pool.color);
    if (!visible) continue;
    canvas.addGlow(lamp.x, lamp.y, lamp.radius * 1.6, lamp.radius * 1.6, lamp.color);
  }
  return ctx.instances;
}
