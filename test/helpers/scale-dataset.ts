/**
 * Generated full-size COCO datasets for the scale test and `npm run bench:scale`.
 *
 * A dataset of N images is a folder `annotations.json` + `images/` whose images are
 * HARD LINKS to the real images in ../shared (all three shared datasets, 171 files,
 * taken in turn), so 20,000 images cost no disk and every byte read is a real JPEG.
 * Image i (1-based) links to source (i - 1) mod 171 and keeps its extension; its width
 * and height are the source's real ones. Boxes: 5..13 per image (9 on average), in one
 * of the 80 COCO categories, inside the image, area = w * h, 1 in 100 a crowd region;
 * each image has a `weather` attribute (4 values) to slice by. Everything is drawn from
 * the seeded PRNG (src/shared/prng.ts), so a size and a seed always give the same files.
 *
 * Detections (for cocoeval): `detectionsPerImage` per image on average, written as a
 * COCO results list: each GT box jittered with a high score, the rest random boxes with
 * low scores; categories from the 80.
 *
 * JSON is written through a stream, so a detections file of any size can be made.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { link, mkdir, readdir } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { Rng } from '../../src/shared/prng';
import { sharedPath } from './shared';

export const SCALE_SOURCE_DATASETS = ['coco128_val2017_driving', 'coco128_train2017_driving', 'kitti_tiny_2d'] as const;

/** The 80 COCO category names, ids 1..80 (not COCO's sparse ids: any ids will do). */
export const COCO_NAMES: readonly string[] = [
  'person', 'bicycle', 'car', 'motorcycle', 'airplane', 'bus', 'train', 'truck', 'boat', 'traffic light',
  'fire hydrant', 'stop sign', 'parking meter', 'bench', 'bird', 'cat', 'dog', 'horse', 'sheep', 'cow',
  'elephant', 'bear', 'zebra', 'giraffe', 'backpack', 'umbrella', 'handbag', 'tie', 'suitcase', 'frisbee',
  'skis', 'snowboard', 'sports ball', 'kite', 'baseball bat', 'baseball glove', 'skateboard', 'surfboard', 'tennis racket', 'bottle',
  'wine glass', 'cup', 'fork', 'knife', 'spoon', 'bowl', 'banana', 'apple', 'sandwich', 'orange',
  'broccoli', 'carrot', 'hot dog', 'pizza', 'donut', 'cake', 'chair', 'couch', 'potted plant', 'bed',
  'dining table', 'toilet', 'tv', 'laptop', 'mouse', 'remote', 'keyboard', 'cell phone', 'microwave', 'oven',
  'toaster', 'sink', 'refrigerator', 'book', 'clock', 'vase', 'scissors', 'teddy bear', 'hair drier', 'toothbrush',
];

const WEATHER = ['clear', 'rainy', 'overcast', 'snowy'] as const;

export interface SourceImage {
  file: string;
  ext: string;
  width: number;
  height: number;
}

/** The shared images, in a fixed order, with their real sizes. */
export async function sourceImages(): Promise<SourceImage[]> {
  const out: SourceImage[] = [];
  for (const name of SCALE_SOURCE_DATASETS) {
    const dir = sharedPath('data', 'datasets', name, 'images');
    for (const f of (await readdir(dir)).sort()) {
      const file = path.join(dir, f);
      const meta = await sharp(file).metadata();
      if (!meta.width || !meta.height) throw new Error(`test setup: cannot read the size of ${file}`);
      out.push({ file, ext: path.extname(f).toLowerCase(), width: meta.width, height: meta.height });
    }
  }
  return out;
}

export interface ScaleDataset {
  dir: string;
  images: number;
  annotations: number;
  /** the image files, absolute */
  files: string[];
}

/** Writes `text` pieces through a stream, waiting for drain so memory stays flat. */
class JsonWriter {
  private readonly out: WriteStream;
  private pending = '';

  constructor(file: string) {
    this.out = createWriteStream(file);
  }

  async write(text: string): Promise<void> {
    this.pending += text;
    if (this.pending.length < 1 << 16) return;
    await this.flush();
  }

  private async flush(): Promise<void> {
    const chunk = this.pending;
    this.pending = '';
    if (!this.out.write(chunk)) await new Promise<void>((resolve) => this.out.once('drain', resolve));
  }

  async close(): Promise<void> {
    await this.flush();
    await new Promise<void>((resolve, reject) => this.out.end((err?: Error | null) => (err ? reject(err) : resolve())));
  }
}

function round2(v: number): number {
  return Math.round(v * 100) / 100;
}

/** A box inside a w x h image, at least 4 px on each side. */
function randomBox(rng: Rng, width: number, height: number): [number, number, number, number] {
  const w = round2(4 + rng.uniform() * (width * 0.5 - 4));
  const h = round2(4 + rng.uniform() * (height * 0.5 - 4));
  const x = round2(rng.uniform() * (width - w));
  const y = round2(rng.uniform() * (height - h));
  return [x, y, w, h];
}

/**
 * Makes a COCO dataset of `count` images in `dir` (which must not hold one yet).
 * With `detectionsFile`, also writes ~detectionsPerImage detections per image there.
 */
export async function makeScaleDataset(
  dir: string,
  count: number,
  options: { seed?: number; sources?: SourceImage[]; detectionsFile?: string; detectionsPerImage?: number; gtFile?: string } = {},
): Promise<ScaleDataset> {
  const sources = options.sources ?? (await sourceImages());
  const rng = new Rng(options.seed ?? 1);
  const imagesDir = path.join(dir, 'images');
  await mkdir(imagesDir, { recursive: true });

  const files: string[] = [];
  const images: { id: number; file_name: string; width: number; height: number; weather: string }[] = [];
  for (let i = 1; i <= count; i++) {
    const src = sources[(i - 1) % sources.length];
    const fileName = `${String(i).padStart(6, '0')}${src.ext}`;
    const target = path.join(imagesDir, fileName);
    await link(src.file, target);
    files.push(target);
    images.push({ id: i, file_name: fileName, width: src.width, height: src.height, weather: WEATHER[rng.nextUint32() % WEATHER.length] });
  }

  const ann = new JsonWriter(path.join(dir, 'annotations.json'));
  const gt = options.gtFile ? new JsonWriter(options.gtFile) : null;
  const both = async (text: string): Promise<void> => {
    await ann.write(text);
    await gt?.write(text);
  };
  await both('{"info":{"description":"generated by test/helpers/scale-dataset.ts"},"categories":[');
  await both(COCO_NAMES.map((name, i) => JSON.stringify({ id: i + 1, name, supercategory: 'thing' })).join(','));
  await both('],"images":[');
  for (let i = 0; i < images.length; i++) await both(`${i ? ',' : ''}${JSON.stringify(images[i])}`);
  await both('],"annotations":[');
  const boxes: { imageId: number; categoryId: number; bbox: [number, number, number, number] }[] = [];
  let id = 0;
  for (const im of images) {
    const n = 5 + (rng.nextUint32() % 9);
    for (let k = 0; k < n; k++) {
      const bbox = randomBox(rng, im.width, im.height);
      const categoryId = 1 + (rng.nextUint32() % COCO_NAMES.length);
      const iscrowd = rng.nextUint32() % 100 === 0 ? 1 : 0;
      id++;
      await both(`${id > 1 ? ',' : ''}${JSON.stringify({ id, image_id: im.id, category_id: categoryId, bbox, area: round2(bbox[2] * bbox[3]), iscrowd })}`);
      if (options.detectionsFile) boxes.push({ imageId: im.id, categoryId, bbox });
    }
  }
  await both(']}');
  await ann.close();
  await gt?.close();

  if (options.detectionsFile) await writeDetections(options.detectionsFile, images, boxes, options.detectionsPerImage ?? 100, rng);
  return { dir, images: count, annotations: id, files };
}

async function writeDetections(
  file: string,
  images: readonly { id: number; width: number; height: number }[],
  boxes: readonly { imageId: number; categoryId: number; bbox: [number, number, number, number] }[],
  perImage: number,
  rng: Rng,
): Promise<void> {
  const out = new JsonWriter(file);
  await out.write('[');
  let first = true;
  let b = 0;
  for (const im of images) {
    let made = 0;
    for (; b < boxes.length && boxes[b].imageId === im.id; b++, made++) {
      const [x, y, w, h] = boxes[b].bbox;
      const j = (): number => (rng.uniform() - 0.5) * 0.2;
      const bbox = [round2(x + w * j()), round2(y + h * j()), round2(w * (1 + j())), round2(h * (1 + j()))];
      const categoryId = rng.uniform() < 0.9 ? boxes[b].categoryId : 1 + (rng.nextUint32() % COCO_NAMES.length);
      await out.write(`${first ? '' : ','}${JSON.stringify({ image_id: im.id, category_id: categoryId, bbox, score: round4(0.5 + rng.uniform() * 0.5) })}`);
      first = false;
    }
    for (; made < perImage; made++) {
      const bbox = randomBox(rng, im.width, im.height);
      await out.write(
        `${first ? '' : ','}${JSON.stringify({ image_id: im.id, category_id: 1 + (rng.nextUint32() % COCO_NAMES.length), bbox, score: round4(rng.uniform() * 0.6) })}`,
      );
      first = false;
    }
  }
  await out.write(']');
  await out.close();
}

function round4(v: number): number {
  return Math.round(v * 10000) / 10000;
}

/**
 * A BDD100K-style folder (`images/` + `labels/det_val.json`) whose label file is at
 * least `minBytes` long: `count` frames (images hard-linked as above), each with 5..13
 * boxes (box2d, BDD classes, occluded / truncated attributes) and as many lane
 * polylines (poly2d) as it takes to reach the size, as BDD100K's full label files have.
 */
export async function makeLargeBddDataset(
  dir: string,
  count: number,
  minBytes: number,
  options: { seed?: number; sources?: SourceImage[] } = {},
): Promise<{ dir: string; labelFile: string; boxes: number; lanes: number; bytes: number }> {
  const sources = options.sources ?? (await sourceImages());
  const rng = new Rng(options.seed ?? 3);
  await mkdir(path.join(dir, 'images'), { recursive: true });
  await mkdir(path.join(dir, 'labels'), { recursive: true });
  const labelFile = path.join(dir, 'labels', 'det_val.json');
  const out = new JsonWriter(labelFile);
  const classes = ['car', 'pedestrian', 'truck', 'bus', 'bicycle', 'traffic light', 'traffic sign', 'rider'];
  const perFrame = Math.ceil(minBytes / count);
  let boxes = 0;
  let lanes = 0;
  let bytes = 1;
  await out.write('[');
  for (let i = 1; i <= count; i++) {
    const src = sources[(i - 1) % sources.length];
    const name = `${String(i).padStart(6, '0')}${src.ext}`;
    await link(src.file, path.join(dir, 'images', name));
    const labels: unknown[] = [];
    const n = 5 + (rng.nextUint32() % 9);
    for (let k = 0; k < n; k++) {
      const [x, y, w, h] = randomBox(rng, src.width, src.height);
      labels.push({
        id: String(++boxes),
        category: classes[rng.nextUint32() % classes.length],
        attributes: { occluded: rng.uniform() < 0.3, truncated: rng.uniform() < 0.1 },
        box2d: { x1: x, y1: y, x2: round2(x + w - 1), y2: round2(y + h - 1) },
      });
    }
    let frame = JSON.stringify({ name, attributes: { weather: WEATHER[rng.nextUint32() % WEATHER.length], timeofday: 'daytime', scene: 'highway' }, labels });
    // lanes until the frame has its share of the bytes
    const lane = (): string => {
      const vertices = Array.from({ length: 400 }, () => [round2(rng.uniform() * src.width), round2(rng.uniform() * src.height)]);
      return JSON.stringify({ id: String(++lanes + 1e7), category: 'lane', attributes: { laneDirection: 'parallel', laneStyle: 'solid' }, poly2d: [{ vertices, types: 'L'.repeat(400), closed: false }] });
    };
    const extra: string[] = [];
    let size = frame.length;
    while (size < perFrame) {
      const l = lane();
      extra.push(l);
      size += l.length + 1;
    }
    if (extra.length) frame = `${frame.slice(0, -2)},${extra.join(',')}]}`;
    bytes += frame.length + 1;
    await out.write(`${i > 1 ? ',' : ''}${frame}`);
  }
  await out.write(']');
  await out.close();
  return { dir, labelFile, boxes, lanes, bytes };
}
