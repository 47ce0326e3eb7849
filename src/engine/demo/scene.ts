/**
 * The plan of one demo road scene, drawn from a seeded stream: camera, road, roadside,
 * lighting and the objects with their world positions. Pure data; render.ts draws it.
 *
 * World frame: X lateral (metres, right positive), Y up from the road surface, Z forward
 * from the camera. The road runs straight along Z; a pinhole camera at (0, camera.height, 0)
 * looks along Z with focal length `focal` pixels, horizon row `horizon` and the road's
 * vanishing point at column `cx` (a small yaw), so a point projects to
 *   x = cx + focal * X / Z,   y = horizon + focal * (camera.height - Y) / Z.
 * Sizes are real-world (car 1.7-1.9 m wide, pedestrian 1.5-1.95 m tall), so scale follows
 * distance the way it does in a dashcam image.
 *
 * Class frequencies: each scene holds 2..12 placed objects whose class is drawn with the
 * weights in CLASS_WEIGHTS (car >> pedestrian > truck > cyclist > traffic sign, roughly the
 * order of KITTI's and BDD100K's box counts), plus, in some scenes, a crowd: a dense group
 * of distant pedestrians annotated as one `iscrowd` region.
 */
import type { Rng } from '../../shared/prng';
import type { Rgb } from './raster';

export const DEMO_WIDTH = 640;
export const DEMO_HEIGHT = 384;

export type TimeOfDay = 'day' | 'dusk' | 'night';
export type SceneKind = 'urban' | 'suburban' | 'rural';
export type ObjectClass = 'car' | 'pedestrian' | 'truck' | 'cyclist' | 'traffic sign';

/** Draw weights per placed object; realised counts also depend on occlusion and size limits. */
export const CLASS_WEIGHTS: Readonly<Record<ObjectClass, number>> = {
  car: 0.58,
  pedestrian: 0.2,
  truck: 0.1,
  cyclist: 0.07,
  'traffic sign': 0.05,
};

/** Probability that a scene holds a crowd region. */
export const CROWD_PROBABILITY = 0.15;

export interface Camera {
  focal: number;
  cx: number;
  horizon: number;
  /** camera height above the road, metres */
  height: number;
}

export interface Road {
  left: number;
  right: number;
  lanes: number;
  laneWidth: number;
  /** lanes 0..oncoming-1 carry traffic towards the camera */
  oncoming: number;
  sidewalk: number;
  verge: number;
  dashPhase: number;
  centreLineYellow: boolean;
  crosswalkZ: number | null;
  asphalt: Rgb;
  /** day only: buildings' shadow over the road's left part, metres wide (0 = none) */
  shadowWidth: number;
}

export interface Building {
  z0: number;
  z1: number;
  /** lateral offset of the facade beyond the building line, metres */
  setback: number;
  height: number;
  color: Rgb;
  floorHeight: number;
  windowWidth: number;
  windowSpacing: number;
  /** share of windows lit at night */
  litShare: number;
  seed: number;
}

export interface Side {
  /** +1 right, -1 left */
  sign: 1 | -1;
  /** |X| of the building line (0 = no buildings on this side) */
  buildingLine: number;
  buildings: Building[];
  ground: 'grass' | 'paved';
}

interface Placed {
  X: number;
  /** nearest depth (sorting key) */
  Z: number;
}

export interface Vehicle extends Placed {
  kind: 'car' | 'truck';
  width: number;
  height: number;
  length: number;
  color: Rgb;
  /** the face turned to the camera */
  facing: 'rear' | 'front';
  lightsOn: boolean;
  /** truck cab colour */
  cabColor: Rgb;
}

export interface Person {
  X: number;
  Z: number;
  height: number;
  /** 'across': walking across the view (legs spread in profile); 'along': towards or away */
  heading: 'across' | 'along';
  phase: number;
  skin: Rgb;
  hair: Rgb;
  top: Rgb;
  bottom: Rgb;
  bag: boolean;
}

export interface Pedestrian extends Placed {
  kind: 'pedestrian';
  person: Person;
}

export interface Crowd extends Placed {
  kind: 'crowd';
  members: Person[];
}

export interface Cyclist extends Placed {
  kind: 'cyclist';
  person: Person;
  /** horizontal foreshortening of the bike's profile: 1 side view, ~0.25 seen from behind */
  profile: number;
  direction: 1 | -1;
  frame: Rgb;
  helmet: Rgb;
}

export type SignShape = 'prohibitory' | 'warning' | 'mandatory' | 'stop' | 'info' | 'priority';

export interface TrafficSign extends Placed {
  kind: 'traffic sign';
  shape: SignShape;
  size: number;
  /** height of the plate's centre, metres */
  centre: number;
}

export interface Tree extends Placed {
  kind: 'tree';
  trunk: number;
  radius: number;
  leaf: Rgb;
  seed: number;
}

export interface Pole extends Placed {
  kind: 'pole';
  height: number;
  /** lamp arm towards the road (streetlight), metres; 0 = plain pole */
  arm: number;
  lit: boolean;
}

export type Thing = Vehicle | Pedestrian | Crowd | Cyclist | TrafficSign | Tree | Pole;

export interface ScenePlan {
  seed: number;
  time: TimeOfDay;
  kind: SceneKind;
  camera: Camera;
  road: Road;
  sides: [Side, Side];
  things: Thing[];
  skyline: { x0: number; x1: number; height: number; shade: number }[];
  /** sensor: noise sigma (0..255 units) and blur taps (3: sigma ~0.7 px, 5: ~1 px) */
  noise: number;
  blur: 3 | 5;
  exposure: number;
  whiteBalance: Rgb;
}

/** Picks a key of `weights` with probability proportional to its weight. */
export function pickWeighted<K extends string>(rng: Rng, weights: Readonly<Record<K, number>>): K {
  const entries = Object.entries(weights) as [K, number][];
  const total = entries.reduce((s, [, w]) => s + w, 0);
  let u = rng.uniform() * total;
  for (const [k, w] of entries) {
    if (u < w) return k;
    u -= w;
  }
  return entries[entries.length - 1][0];
}

function pick<T>(rng: Rng, items: readonly T[]): T {
  return items[rng.int(0, items.length)];
}

function jitter(rng: Rng, c: Rgb, amount: number): Rgb {
  return [c[0] + rng.normal() * amount, c[1] + rng.normal() * amount, c[2] + rng.normal() * amount];
}

const CAR_COLORS: readonly Rgb[] = [
  [235, 235, 232], [190, 192, 196], [150, 152, 156], [40, 40, 44], [25, 27, 32], [160, 25, 28],
  [30, 60, 140], [20, 35, 80], [45, 90, 60], [200, 185, 150], [225, 190, 40], [110, 70, 40],
];
const TRUCK_COLORS: readonly Rgb[] = [
  [240, 240, 238], [235, 235, 230], [200, 40, 35], [40, 80, 160], [230, 190, 30], [90, 120, 90], [150, 150, 155],
];
const CLOTHES: readonly Rgb[] = [
  [30, 30, 35], [60, 60, 70], [200, 200, 205], [150, 30, 40], [40, 70, 140], [70, 110, 60], [190, 150, 90],
  [230, 120, 40], [120, 50, 120], [240, 240, 240], [90, 60, 40], [200, 170, 40],
];
const TROUSERS: readonly Rgb[] = [[35, 45, 75], [25, 25, 30], [70, 70, 75], [120, 100, 70], [50, 60, 90], [150, 140, 120]];
const SKIN: readonly Rgb[] = [[235, 195, 165], [210, 160, 125], [170, 120, 85], [120, 80, 55], [90, 60, 45]];
const HAIR: readonly Rgb[] = [[30, 22, 18], [70, 45, 30], [150, 110, 60], [200, 170, 110], [120, 120, 120]];
const FACADES: readonly Rgb[] = [
  [190, 170, 145], [160, 140, 120], [200, 195, 185], [150, 90, 70], [120, 115, 110], [210, 200, 170], [175, 160, 150], [110, 95, 85],
];

function makePerson(rng: Rng, heading: Person['heading']): Person {
  const child = rng.uniform() < 0.1;
  return {
    X: 0,
    Z: 0,
    height: child ? rng.uniformRange(1.05, 1.4) : rng.uniformRange(1.55, 1.95),
    heading,
    phase: rng.uniformRange(0, 2 * Math.PI),
    skin: jitter(rng, pick(rng, SKIN), 6),
    hair: jitter(rng, pick(rng, HAIR), 6),
    top: jitter(rng, pick(rng, CLOTHES), 12),
    bottom: jitter(rng, pick(rng, TROUSERS), 8),
    bag: rng.uniform() < 0.25,
  };
}

/** Depth drawn between lo and hi, denser near (u^1.15 leans slightly towards lo). */
function depth(rng: Rng, lo: number, hi: number): number {
  return lo + (hi - lo) * Math.pow(rng.uniform(), 1.15);
}

/** Occupied depth intervals per lane, so vehicles do not interpenetrate. */
class LaneBook {
  private readonly spans = new Map<number, [number, number][]>();

  claim(lane: number, z0: number, z1: number): boolean {
    const list = this.spans.get(lane) ?? [];
    if (list.some(([a, b]) => z0 < b + 2 && z1 > a - 2)) return false;
    list.push([z0, z1]);
    this.spans.set(lane, list);
    return true;
  }
}

function sampleBuildings(rng: Rng, urban: boolean): Building[] {
  const out: Building[] = [];
  let z = rng.uniformRange(-4, 8);
  while (z < 170) {
    const len = rng.uniformRange(8, urban ? 32 : 16);
    const gap = urban ? (rng.uniform() < 0.6 ? 0 : rng.uniformRange(2, 10)) : rng.uniformRange(10, 40);
    const floors = urban ? rng.int(2, 8) : rng.int(1, 3);
    const floorHeight = rng.uniformRange(2.8, 3.4);
    out.push({
      z0: Math.max(z, 1.5),
      z1: z + len,
      setback: urban ? rng.uniformRange(0, 1.2) : rng.uniformRange(1, 6),
      height: floors * floorHeight + rng.uniformRange(0.8, 2.5),
      color: jitter(rng, pick(rng, FACADES), 10),
      floorHeight,
      windowWidth: rng.uniformRange(0.9, 1.6),
      windowSpacing: rng.uniformRange(2.4, 3.6),
      litShare: rng.uniformRange(0.15, 0.5),
      seed: rng.nextUint32(),
    });
    z += len + gap;
  }
  return out;
}

/** Samples one scene. Everything random in a scene comes from `rng` (and `seed` for textures). */
export function sampleScene(rng: Rng, seed: number): ScenePlan {
  const time = pickWeighted(rng, { day: 0.6, dusk: 0.2, night: 0.2 } as const);
  const kind = pickWeighted(rng, { urban: 0.45, suburban: 0.3, rural: 0.25 } as const);
  const camera: Camera = {
    focal: rng.uniformRange(470, 560),
    cx: DEMO_WIDTH / 2 + rng.normal() * 22,
    horizon: DEMO_HEIGHT * 0.42 + rng.normal() * 7,
    height: rng.uniformRange(1.3, 1.7),
  };
  const lanes = pickWeighted(rng, { '2': 0.45, '3': 0.2, '4': 0.35 } as const);
  const laneCount = Number(lanes);
  const laneWidth = rng.uniformRange(3.2, 3.7);
  const oncoming = laneCount === 3 ? (rng.uniform() < 0.5 ? 1 : 0) : laneCount / 2;
  const camLane = oncoming + rng.int(0, laneCount - oncoming);
  const left = -(camLane + 0.5) * laneWidth + rng.normal() * 0.2;
  const g = 60 + rng.uniformRange(-12, 25);
  const road: Road = {
    left,
    right: left + laneCount * laneWidth,
    lanes: laneCount,
    laneWidth,
    oncoming,
    sidewalk: kind === 'rural' ? rng.uniformRange(0.8, 1.5) : rng.uniformRange(1.8, 3.5),
    verge: kind === 'urban' ? rng.uniformRange(0, 1.5) : rng.uniformRange(1.5, 5),
    dashPhase: rng.uniformRange(0, 9),
    centreLineYellow: rng.uniform() < 0.3,
    crosswalkZ: kind !== 'rural' && rng.uniform() < 0.3 ? rng.uniformRange(9, 30) : null,
    asphalt: [g, g + rng.uniformRange(-2, 3), g + rng.uniformRange(0, 6)],
    shadowWidth: time === 'day' && kind === 'urban' && rng.uniform() < 0.4 ? rng.uniformRange(2, 8) : 0,
  };
  const sides: [Side, Side] = [-1, 1].map((sign): Side => {
    const hasBuildings = kind === 'urban' || (kind === 'suburban' && rng.uniform() < 0.7) || (kind === 'rural' && rng.uniform() < 0.25);
    const edge = sign > 0 ? road.right : -road.left;
    return {
      sign: sign as 1 | -1,
      buildingLine: hasBuildings ? edge + road.sidewalk + road.verge : 0,
      buildings: hasBuildings ? sampleBuildings(rng, kind === 'urban') : [],
      ground: kind === 'urban' ? 'paved' : 'grass',
    };
  }) as [Side, Side];

  const things: Thing[] = [];
  const book = new LaneBook();
  const lightsAt = (p: number): boolean => (time === 'night' ? true : time === 'dusk' ? rng.uniform() < p : false);

  const placeVehicle = (k: 'car' | 'truck'): void => {
    const width = k === 'car' ? rng.uniformRange(1.65, 1.9) : rng.uniformRange(2.35, 2.55);
    const height = k === 'car' ? rng.uniformRange(1.35, 1.6) : rng.uniformRange(2.8, 3.9);
    const length = k === 'car' ? rng.uniformRange(3.9, 4.8) : rng.uniformRange(7, 12);
    for (let attempt = 0; attempt < 8; attempt++) {
      const parked = k === 'car' && rng.uniform() < 0.22;
      let lane: number;
      let X: number;
      if (parked) {
        const right = rng.uniform() < 0.6;
        lane = right ? 100 : -100;
        X = right ? road.right - width / 2 - 0.25 : road.left + width / 2 + 0.25;
      } else {
        lane = rng.int(0, laneCount);
        X = road.left + (lane + 0.5) * laneWidth + rng.normal() * 0.25;
      }
      const minZ = lane === camLane ? 7 : 3.5;
      const Z = depth(rng, minZ, k === 'car' ? 65 : 75);
      if (!book.claim(lane, Z, Z + length)) continue;
      const facing = lane < oncoming || (parked && lane < 0 && rng.uniform() < 0.5) ? 'front' : 'rear';
      things.push({
        kind: k,
        X,
        Z,
        width,
        height,
        length,
        color: jitter(rng, pick(rng, k === 'car' ? CAR_COLORS : TRUCK_COLORS), 8),
        cabColor: jitter(rng, pick(rng, TRUCK_COLORS), 8),
        facing,
        lightsOn: !parked && lightsAt(0.5),
      });
      return;
    }
  };

  const sidewalkX = (side: 1 | -1): number =>
    side > 0 ? road.right + 0.3 + rng.uniform() * (road.sidewalk - 0.5) : road.left - 0.3 - rng.uniform() * (road.sidewalk - 0.5);

  const placePedestrian = (): void => {
    const r = rng.uniform();
    if (r < 0.14) {
      // crossing the road, at the crosswalk when there is one
      const p = makePerson(rng, 'across');
      p.X = rng.uniformRange(road.left + 0.5, road.right - 0.5);
      p.Z = road.crosswalkZ !== null ? road.crosswalkZ + rng.uniformRange(0.3, 2.7) : depth(rng, 6, 35);
      things.push({ kind: 'pedestrian', X: p.X, Z: p.Z, person: p });
    } else if (r < 0.24) {
      // a small group side by side: mutual occlusion
      const side = rng.uniform() < 0.5 ? 1 : -1;
      const Z = depth(rng, 5, 45);
      const X = sidewalkX(side);
      const n = rng.int(2, 4);
      for (let i = 0; i < n; i++) {
        const p = makePerson(rng, rng.uniform() < 0.5 ? 'across' : 'along');
        p.X = X + (i - (n - 1) / 2) * rng.uniformRange(0.35, 0.6);
        p.Z = Z + rng.uniformRange(-0.6, 0.6);
        things.push({ kind: 'pedestrian', X: p.X, Z: p.Z, person: p });
      }
    } else {
      const p = makePerson(rng, rng.uniform() < 0.45 ? 'across' : 'along');
      p.X = sidewalkX(rng.uniform() < 0.5 ? 1 : -1);
      p.Z = depth(rng, 3.5, 60);
      things.push({ kind: 'pedestrian', X: p.X, Z: p.Z, person: p });
    }
  };

  const placeCyclist = (): void => {
    const crossing = rng.uniform() < 0.35;
    const p = makePerson(rng, 'across');
    p.height = rng.uniformRange(1.6, 1.9);
    if (crossing) {
      p.X = rng.uniformRange(road.left + 0.8, road.right - 0.8);
      p.Z = depth(rng, 7, 40);
    } else {
      const right = rng.uniform() < 0.75;
      p.X = right ? road.right - rng.uniformRange(0.5, 1.2) : road.left + rng.uniformRange(0.5, 1.2);
      p.Z = depth(rng, 5, 50);
    }
    things.push({
      kind: 'cyclist',
      X: p.X,
      Z: p.Z,
      person: p,
      profile: crossing ? rng.uniformRange(0.75, 1) : rng.uniformRange(0.18, 0.4),
      direction: rng.uniform() < 0.5 ? 1 : -1,
      frame: jitter(rng, pick(rng, CLOTHES), 15),
      helmet: jitter(rng, pick(rng, CLOTHES), 15),
    });
  };

  const placeSign = (): void => {
    const right = rng.uniform() < 0.7;
    const X = right ? road.right + road.sidewalk * rng.uniformRange(0.6, 0.95) : road.left - road.sidewalk * rng.uniformRange(0.6, 0.95);
    things.push({
      kind: 'traffic sign',
      X,
      Z: depth(rng, 5, 50),
      shape: pick(rng, ['prohibitory', 'warning', 'mandatory', 'stop', 'info', 'priority'] as const),
      size: rng.uniformRange(0.6, 0.9),
      centre: rng.uniformRange(2.0, 2.7),
    });
  };

  const count = rng.int(2, 13);
  for (let i = 0; i < count; i++) {
    const c = pickWeighted(rng, CLASS_WEIGHTS);
    if (c === 'car' || c === 'truck') placeVehicle(c);
    else if (c === 'pedestrian') placePedestrian();
    else if (c === 'cyclist') placeCyclist();
    else placeSign();
  }

  if (rng.uniform() < CROWD_PROBABILITY) {
    const side = rng.uniform() < 0.5 ? 1 : -1;
    const Z = rng.uniformRange(30, 55);
    const n = rng.int(5, 13);
    const members: Person[] = [];
    for (let i = 0; i < n; i++) {
      const p = makePerson(rng, rng.uniform() < 0.5 ? 'across' : 'along');
      p.X = sidewalkX(side);
      p.Z = Z + rng.uniformRange(-2.5, 2.5);
      members.push(p);
    }
    members.sort((a, b) => b.Z - a.Z);
    things.push({ kind: 'crowd', X: members[0].X, Z: Math.min(...members.map((m) => m.Z)), members });
  }

  // Roadside clutter: trees, streetlights and plain poles (occluders and hard negatives).
  for (const side of sides) {
    const edge = side.sign > 0 ? road.right : road.left;
    const out = side.sign;
    const trees = side.buildingLine > 0 ? (road.verge > 1 ? rng.int(0, 6) : rng.int(0, 2)) : rng.int(6, 16);
    for (let i = 0; i < trees; i++) {
      const beyond = side.buildingLine > 0 ? road.sidewalk + rng.uniformRange(0.3, Math.max(0.4, road.verge)) : road.sidewalk + rng.uniformRange(0.8, 14);
      things.push({
        kind: 'tree',
        X: edge + out * beyond,
        Z: rng.uniformRange(3, 130),
        trunk: rng.uniformRange(1.6, 3.2),
        radius: rng.uniformRange(1.3, 3.2),
        leaf: jitter(rng, [55 + rng.uniformRange(-15, 25), 95 + rng.uniformRange(-20, 20), 40], 6),
        seed: rng.nextUint32(),
      });
    }
    const streetlights = kind !== 'rural' || rng.uniform() < 0.3;
    const spacing = rng.uniformRange(22, 36);
    const lit = time === 'night' || (time === 'dusk' && rng.uniform() < 0.6);
    for (let z = rng.uniformRange(4, spacing); z < 160; z += spacing) {
      things.push({
        kind: 'pole',
        X: edge + out * rng.uniformRange(0.3, 0.6),
        Z: z,
        height: streetlights ? rng.uniformRange(7, 9) : rng.uniformRange(6, 8),
        arm: streetlights ? -out * rng.uniformRange(1.2, 2.2) : 0,
        lit: streetlights && lit,
      });
    }
  }

  const skyline: ScenePlan['skyline'] = [];
  if (kind !== 'rural') {
    for (let x = -20; x < DEMO_WIDTH + 20; ) {
      const w = rng.uniformRange(12, 55);
      skyline.push({ x0: x, x1: x + w, height: rng.uniformRange(4, kind === 'urban' ? 55 : 22), shade: rng.uniformRange(0.45, 0.75) });
      x += w + (rng.uniform() < 0.3 ? rng.uniformRange(2, 20) : 0);
    }
  }

  return {
    seed,
    time,
    kind,
    camera,
    road,
    sides,
    things,
    skyline,
    noise: (time === 'day' ? 1.8 : time === 'dusk' ? 3 : 4.5) * rng.uniformRange(0.7, 1.3),
    blur: rng.uniform() < 0.3 ? 5 : 3,
    exposure: rng.uniformRange(0.88, 1.12),
    whiteBalance: [1 + rng.normal() * 0.03, 1, 1 + rng.normal() * 0.03],
  };
}
