/**
 * The real models of shared/data end to end: adapter auto-detection, preprocessing,
 * inference, decoding and NMS against (1) the verification lists in each MODEL.md and
 * (2) the detections stored as inputs of the COCO-eval fixtures, which were made with
 * the same onnxruntime-node + sharp pipeline and so must be reproduced.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toRgb, type RgbImage } from '../../../src/engine/images/rgb-image';
import { Detector, type Detection } from '../../../src/engine/inference/detector';
import type { AdapterConfig } from '../../../src/engine/models/adapter-config';

const SHARED = path.resolve(process.cwd(), '../shared');
if (!existsSync(path.join(SHARED, 'data/models'))) {
  throw new Error(`real-model tests need the shared data at ${SHARED} (data/models, data/datasets, fixtures/cocoeval); it is missing`);
}
const MODELS = {
  yolox: path.join(SHARED, 'data/models/yolox_nano/yolox_nano.onnx'),
  nanodet: path.join(SHARED, 'data/models/nanodet_m/nanodet_m.onnx'),
  nanodet05: path.join(SHARED, 'data/models/nanodet_m/nanodet_m_0.5x.onnx'),
};
const KITTI_10 = path.join(SHARED, 'data/datasets/kitti_tiny_2d/images/000010.jpeg');
const COCO_11197 = path.join(SHARED, 'data/datasets/coco128_val2017_driving/images/000000011197.jpg');

async function loadRgb(file: string): Promise<RgbImage> {
  const { data, info } = await sharp(file).raw().toBuffer({ resolveWithObject: true });
  return toRgb(info.width, info.height, info.channels, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
}

function iou(a: readonly number[], b: readonly number[]): number {
  const iw = Math.min(a[0] + a[2], b[0] + b[2]) - Math.max(a[0], b[0]);
  const ih = Math.min(a[1] + a[3], b[1] + b[3]) - Math.max(a[1], b[1]);
  if (iw <= 0 || ih <= 0) return 0;
  return (iw * ih) / (a[2] * a[3] + b[2] * b[3] - iw * ih);
}

/** "car 0.83 at x=362,y=190,w=183,h=116" style lines of MODEL.md */
type Listed = [className: string, score: number, bbox: [number, number, number, number]];

/**
 * Every listed detection must be among ours: same class, IoU > minIou, score within 0.03.
 * MODEL.md lists a selection (not all detections) and its boxes are unclipped, hence
 * IoU rather than equality; the exact check is the fixture reproduction below.
 */
function expectListed(dets: Detection[], config: AdapterConfig, listed: Listed[], minIou = 0.9): void {
  const used = new Set<number>();
  for (const [name, score, bbox] of listed) {
    const k = dets.findIndex(
      (d, i) => !used.has(i) && config.classNames[d.classIndex] === name && iou(d.bbox, bbox) > minIou && Math.abs(d.score - score) <= 0.03,
    );
    const ours = dets.map((d) => `${config.classNames[d.classIndex]} ${d.score.toFixed(2)} ${d.bbox.map(Math.round).join(',')}`).join(' | ');
    expect(k, `${name} ${score} at ${bbox.join(',')} not found among: ${ours}`).toBeGreaterThanOrEqual(0);
    used.add(k);
  }
}

interface FixtureDet {
  image_id: number;
  category_id: number;
  bbox: [number, number, number, number];
  score: number;
}

/**
 * Runs a model over a fixture's images and matches our detections one to one with
 * dt.json: same category, bbox equal at its 2-decimal rounding, score at its 5.
 * Order within an image may differ only where rounded scores tie.
 */
async function reproduceFixture(detector: Detector, caseName: string, datasetDir: string): Promise<{ images: number; dets: number }> {
  const dir = path.join(SHARED, 'fixtures/cocoeval', caseName);
  const gt = JSON.parse(readFileSync(path.join(dir, 'gt.json'), 'utf8')) as {
    images: { id: number; file_name: string }[];
    categories: { id: number; name: string; coco_equivalent?: string | null }[];
  };
  const dt = JSON.parse(readFileSync(path.join(dir, 'dt.json'), 'utf8')) as FixtureDet[];
  // COCO datasets name categories after the model's classes; KITTI maps through coco_equivalent.
  const categoriesOf = new Map<string, number[]>();
  for (const c of gt.categories) {
    const key = c.coco_equivalent === undefined ? c.name : c.coco_equivalent;
    if (key) categoriesOf.set(key, [...(categoriesOf.get(key) ?? []), c.id]);
  }
  let count = 0;
  for (const image of gt.images) {
    const rgb = await loadRgb(path.join(SHARED, 'data/datasets', datasetDir, 'images', image.file_name));
    const [dets] = await detector.detect([rgb]);
    const ours: FixtureDet[] = [];
    for (const d of dets) {
      for (const category_id of categoriesOf.get(detector.config.classNames[d.classIndex]) ?? []) {
        ours.push({ image_id: image.id, category_id, bbox: d.bbox, score: d.score });
      }
    }
    const ref = dt.filter((d) => d.image_id === image.id);
    expect(ours.length, `image ${image.id}: number of detections`).toBe(ref.length);
    const used = new Uint8Array(ours.length);
    for (const r of ref) {
      const k = ours.findIndex(
        (o, i) =>
          !used[i] &&
          o.category_id === r.category_id &&
          Math.abs(o.score - r.score) <= 1.1e-5 &&
          o.bbox.every((v, j) => Math.abs(v - r.bbox[j]) <= 0.011),
      );
      expect(k, `image ${image.id}: fixture detection ${JSON.stringify(r)} not reproduced`).toBeGreaterThanOrEqual(0);
      used[k] = 1;
    }
    count += ref.length;
  }
  return { images: gt.images.length, dets: count };
}

let kitti: RgbImage;
let coco: RgbImage;
const detectors: Detector[] = [];

async function load(file: string, post?: Partial<AdapterConfig['postprocessing']>): Promise<Detector> {
  let det = await Detector.load(file);
  if (post) {
    const auto = det.config;
    await det.dispose();
    det = await Detector.load(file, { ...auto, postprocessing: { ...auto.postprocessing, ...post } });
  }
  detectors.push(det);
  return det;
}

beforeAll(async () => {
  [kitti, coco] = await Promise.all([loadRgb(KITTI_10), loadRgb(COCO_11197)]);
});
afterAll(async () => {
  await Promise.all(detectors.map((d) => d.dispose()));
});

describe('YOLOX-Nano', () => {
  it('is recognised as YOLOX with the MODEL.md preprocessing and its file hash', async () => {
    const det = await load(MODELS.yolox);
    expect(det.detection?.io.sha256).toBe('695e750a5d5754bb5a8d5325643b59282191a7e7a564e435a415fd3c578eab14');
    expect(det.config).toMatchObject({
      family: 'yolox',
      input: { name: 'images', width: 416, height: 416 },
      preprocessing: { resize: 'letterbox', align: 'top-left', padValue: 114, channelOrder: 'BGR', scale: 1 },
    });
    expect(det.config.classNames[9]).toBe('traffic light');
    expect(det.executionProvider).toBe('cpu');
  });

  it('finds the MODEL.md verification detections (score >= 0.3, NMS 0.45)', async () => {
    const det = await load(MODELS.yolox, { scoreThreshold: 0.3, nmsIou: 0.45 });
    const [k, c] = await det.detect([kitti, coco]);
    expectListed(k, det.config, [
      ['car', 0.83, [362, 190, 183, 116]],
      ['car', 0.82, [1012, 209, 228, 169]],
      ['car', 0.8, [807, 175, 116, 83]],
      ['car', 0.69, [560, 176, 78, 54]],
      ['car', 0.51, [617, 178, 38, 38]],
    ]);
    expectListed(c, det.config, [
      ['person', 0.78, [306, 111, 53, 141]],
      ['person', 0.77, [12, 116, 35, 74]],
      ['car', 0.75, [402, 156, 83, 38]],
      ['traffic light', 0.66, [251, 25, 15, 32]],
    ]);
    for (const list of [k, c]) for (const d of list) expect(d.score).toBeGreaterThanOrEqual(0.3);
  });

  it('reproduces the yolox_coco_val fixture detections (eval-mode defaults)', async () => {
    const r = await reproduceFixture(await load(MODELS.yolox), 'yolox_coco_val', 'coco128_val2017_driving');
    expect(r).toEqual({ images: 55, dets: 4625 });
  });

  it('reproduces the yolox_kitti fixture detections (1242x375 frames)', async () => {
    const r = await reproduceFixture(await load(MODELS.yolox), 'yolox_kitti', 'kitti_tiny_2d');
    expect(r).toEqual({ images: 68, dets: 9437 });
  });
});

describe('NanoDet-m', () => {
  it('is recognised as NanoDet with the MODEL.md preprocessing', async () => {
    const det = await load(MODELS.nanodet);
    expect(det.detection?.io.sha256).toBe('7fc5019e9179d321a756610c42a3a35d80b804cdbf3a98ecd877886e1b619397');
    expect(det.config).toMatchObject({
      family: 'nanodet',
      input: { name: 'input.1', width: 320, height: 320 },
      preprocessing: { resize: 'letterbox', align: 'center', padValue: 0, channelOrder: 'BGR', mean: [103.53, 116.28, 123.675], std: [57.375, 57.12, 58.395] },
      strides: [8, 16, 32],
    });
  });

  it('finds the MODEL.md verification detections of 1.0x and 0.5x (score >= 0.35, NMS 0.45)', async () => {
    const m = await load(MODELS.nanodet, { scoreThreshold: 0.35, nmsIou: 0.45 });
    const [mk, mc] = await m.detect([kitti, coco]);
    expectListed(mk, m.config, [
      ['car', 0.72, [361, 188, 179, 117]],
      ['car', 0.63, [1008, 233, 238, 142]],
      ['car', 0.61, [802, 177, 117, 82]],
      ['car', 0.61, [542, 174, 99, 59]],
      ['bus', 0.58, [904, 16, 335, 248]],
    ]);
    expectListed(mc, m.config, [
      ['person', 0.73, [306, 109, 54, 144]],
      ['car', 0.7, [401, 156, 85, 37]],
      ['person', 0.5, [11, 116, 41, 81]],
      ['car', 0.48, [175, 143, 41, 26]],
      ['traffic light', 0.47, [249, 21, 18, 36]],
    ]);
    const h = await load(MODELS.nanodet05, { scoreThreshold: 0.35, nmsIou: 0.45 });
    const [hk, hc] = await h.detect([kitti, coco]);
    // MODEL.md's NanoDet KITTI lines came from a slightly different resize than the
    // fixtures' pipeline (1.0x scores there differ from ours and the fixtures' by up to
    // 0.02 while COCO lines agree exactly); the slim 0.5x model moves one car box by
    // ~7 px (IoU 0.88) under that difference, so its KITTI list is checked at IoU > 0.85.
    expectListed(
      hk,
      h.config,
      [
        ['car', 0.58, [360, 186, 184, 126]],
        ['car', 0.54, [1008, 234, 246, 146]],
        ['car', 0.52, [540, 175, 96, 55]],
        ['car', 0.44, [788, 170, 131, 84]],
        ['bus', 0.42, [897, 10, 342, 258]],
      ],
      0.85,
    );
    expectListed(hc, h.config, [
      ['person', 0.65, [301, 102, 57, 152]],
      ['car', 0.59, [403, 157, 81, 36]],
      ['traffic light', 0.52, [252, 24, 15, 33]],
      ['fire hydrant', 0.46, [263, 174, 50, 117]],
    ]);
  });

  it('reproduces the nanodet_coco_train fixture detections (eval-mode defaults)', async () => {
    const r = await reproduceFixture(await load(MODELS.nanodet), 'nanodet_coco_train', 'coco128_train2017_driving');
    expect(r).toEqual({ images: 48, dets: 4800 });
  });
});
