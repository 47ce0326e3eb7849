/**
 * Odra's demo dataset: synthetic dashcam road scenes with COCO annotations, written as
 * `annotations.json` + `images/demo_NNNNNN.jpg` (JPEG quality 90, 4:2:0, through sharp),
 * the layout Odra's COCO importer detects.
 *
 * Determinism: image i of seed S is rendered from its own stream, seeded by
 * FNV-1a("odra-demo|S|i"), so the same (S, i) gives byte-identical pixels and JSON whatever
 * the image count (the first 100 images of a 500-image set are the 100-image set) on the
 * same Node and libvips build. Nothing depends on time, locale or file-system order.
 *
 * Image size DEMO_WIDTH x DEMO_HEIGHT (640 x 384). Categories and ids are fixed
 * (DEMO_CATEGORIES); see scene.ts for the scene model and annotate.ts for the COCO
 * conventions (visible boxes, visible-pixel areas, crowd regions).
 */
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { badInput } from '../../shared/errors';
import { fnv1a32, Rng } from '../../shared/prng';
import { annotate, type DemoAnnotation } from './annotate';
import { Canvas } from './raster';
import { drawBuildings, drawGround, drawSky, drawSkyline, paletteFor } from './render-background';
import { drawThings } from './render-things';
import { DEMO_HEIGHT, DEMO_WIDTH, sampleScene, type ObjectClass, type SceneKind, type TimeOfDay } from './scene';
import { develop } from './sensor';

export { DEMO_HEIGHT, DEMO_WIDTH } from './scene';

/** Bumped whenever a change to the generator changes its output for a seed. */
export const DEMO_GENERATOR_VERSION = 1;

export const DEMO_JPEG_QUALITY = 90;

export const DEMO_CATEGORIES: readonly { id: number; name: ObjectClass; supercategory: string; coco_equivalent: string | null }[] = [
  { id: 1, name: 'car', supercategory: 'vehicle', coco_equivalent: 'car' },
  { id: 2, name: 'pedestrian', supercategory: 'person', coco_equivalent: 'person' },
  { id: 3, name: 'truck', supercategory: 'vehicle', coco_equivalent: 'truck' },
  { id: 4, name: 'cyclist', supercategory: 'person', coco_equivalent: null },
  { id: 5, name: 'traffic sign', supercategory: 'outdoor', coco_equivalent: null },
];

const CATEGORY_ID: Readonly<Record<ObjectClass, number>> = Object.fromEntries(DEMO_CATEGORIES.map((c) => [c.name, c.id])) as Record<ObjectClass, number>;

export interface DemoImage {
  width: number;
  height: number;
  /** interleaved RGB, width * height * 3 */
  pixels: Uint8Array;
  time: TimeOfDay;
  scene: SceneKind;
  annotations: DemoAnnotation[];
}

export function demoImageSeed(seed: number, index: number): number {
  return fnv1a32(`odra-demo|${seed}|${index}`);
}

/** Renders image `index` of the set with seed `seed` (synchronous, CPU only). */
export function renderDemoImage(seed: number, index: number): DemoImage {
  const imageSeed = demoImageSeed(seed, index);
  const plan = sampleScene(new Rng(imageSeed), imageSeed);
  const canvas = new Canvas(DEMO_WIDTH, DEMO_HEIGHT);
  const pal = paletteFor(plan);
  drawSky(canvas, plan, pal);
  drawSkyline(canvas, plan, pal);
  drawGround(canvas, plan, pal);
  drawBuildings(canvas, plan, pal);
  const instances = drawThings(canvas, plan, pal);
  const annotations = annotate(canvas, instances);
  return { width: DEMO_WIDTH, height: DEMO_HEIGHT, pixels: develop(canvas, plan), time: plan.time, scene: plan.kind, annotations };
}

export function encodeDemoJpeg(image: DemoImage): Promise<Buffer> {
  return sharp(Buffer.from(image.pixels.buffer, image.pixels.byteOffset, image.pixels.byteLength), {
    raw: { width: image.width, height: image.height, channels: 3 },
  })
    .jpeg({ quality: DEMO_JPEG_QUALITY, chromaSubsampling: '4:2:0', mozjpeg: false })
    .toBuffer();
}

export function demoFileName(index: number): string {
  return `demo_${String(index).padStart(6, '0')}.jpg`;
}

export interface DemoDataOptions {
  out: string;
  images: number;
  seed: number;
  /** replace an earlier demo set in `out` (its annotations.json and images/demo_*.jpg) */
  force?: boolean;
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
}

export interface DemoDataSummary {
  out: string;
  annotationFile: string;
  images: number;
  seed: number;
  width: number;
  height: number;
  annotations: number;
  /** non-crowd annotations per category name */
  perCategory: Record<string, number>;
  crowdRegions: number;
  perTimeOfDay: Record<TimeOfDay, number>;
  seconds: number;
  imagesPerSecond: number;
}

export const MAX_DEMO_IMAGES = 100_000;

async function prepareFolder(out: string, force: boolean): Promise<string> {
  const root = path.resolve(out);
  let entries: string[] = [];
  try {
    entries = await readdir(root);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw badInput(`cannot read ${root}: ${(err as Error).message}`, [], root);
  }
  if (entries.length > 0) {
    if (!force) throw badInput(`${root} is not empty; choose an empty or new folder (or --force to replace an earlier demo set there)`, [], root);
    const foreign = entries.filter((e) => e !== 'annotations.json' && e !== 'images');
    if (foreign.length > 0) throw badInput(`${root} holds files that are not a demo set (${foreign.slice(0, 3).join(', ')}); refusing to replace them`, [], root);
    await rm(path.join(root, 'annotations.json'), { force: true });
    const imageDir = path.join(root, 'images');
    const images = await readdir(imageDir).catch(() => [] as string[]);
    const others = images.filter((f) => !/^demo_\d{6}\.jpg$/.test(f));
    if (others.length > 0) throw badInput(`${imageDir} holds files that are not demo images (${others.slice(0, 3).join(', ')}); refusing to replace them`, [], imageDir);
    for (const f of images) await rm(path.join(imageDir, f));
  }
  await mkdir(path.join(root, 'images'), { recursive: true });
  return root;
}

/** Generates the set and writes it; returns counts and speed. */
export async function generateDemoDataset(options: DemoDataOptions): Promise<DemoDataSummary> {
  const { images: count, seed } = options;
  if (!Number.isInteger(count) || count < 1 || count > MAX_DEMO_IMAGES) throw badInput(`the image count must be an integer from 1 to ${MAX_DEMO_IMAGES} (got ${count})`);
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw badInput(`the seed must be an integer from 0 to 4294967295 (got ${seed})`);
  const started = performance.now();
  const root = await prepareFolder(options.out, options.force ?? false);
  const imageDir = path.join(root, 'images');

  const images: Record<string, unknown>[] = [];
  const annotations: Record<string, unknown>[] = [];
  const perCategory: Record<string, number> = Object.fromEntries(DEMO_CATEGORIES.map((c) => [c.name, 0]));
  const perTimeOfDay: Record<TimeOfDay, number> = { day: 0, dusk: 0, night: 0 };
  let crowdRegions = 0;
  // Rendering is synchronous JavaScript; encoding runs on libvips' threads: keep two in flight.
  const pending = new Set<Promise<void>>();
  for (let i = 0; i < count; i++) {
    options.signal?.throwIfAborted();
    const im = renderDemoImage(seed, i);
    const id = i + 1;
    const fileName = demoFileName(i);
    images.push({ id, file_name: fileName, width: im.width, height: im.height, time_of_day: im.time, scene: im.scene });
    perTimeOfDay[im.time]++;
    for (const a of im.annotations) {
      annotations.push({
        id: annotations.length + 1,
        image_id: id,
        category_id: CATEGORY_ID[a.category],
        bbox: a.bbox,
        area: a.area,
        iscrowd: a.iscrowd,
        occlusion: a.occlusion,
        truncated: a.truncated,
      });
      if (a.iscrowd) crowdRegions++;
      else perCategory[a.category]++;
    }
    const job: Promise<void> = encodeDemoJpeg(im)
      .then((jpeg) => writeFile(path.join(imageDir, fileName), jpeg))
      .finally(() => pending.delete(job));
    // a failed write surfaces through the race or Promise.all below, never as an unhandled rejection
    job.catch(() => undefined);
    pending.add(job);
    if (pending.size >= 2) await Promise.race(pending);
    options.onProgress?.(i + 1, count);
  }
  await Promise.all(pending);

  const annotationFile = path.join(root, 'annotations.json');
  const json = {
    info: {
      description: 'Odra demo road scenes (synthetic, generated)',
      generator: 'odra demo-data',
      generator_version: DEMO_GENERATOR_VERSION,
      seed,
      images: count,
      width: DEMO_WIDTH,
      height: DEMO_HEIGHT,
      conventions: 'bbox: tight box of the visible pixels; area: visible pixel count; iscrowd 1: a group of pedestrians, box only',
    },
    licenses: [],
    images,
    annotations,
    categories: DEMO_CATEGORIES,
  };
  await writeFile(annotationFile, `${JSON.stringify(json)}\n`);
  const seconds = (performance.now() - started) / 1000;
  return {
    out: root,
    annotationFile,
    images: count,
    seed,
    width: DEMO_WIDTH,
    height: DEMO_HEIGHT,
    annotations: annotations.length,
    perCategory,
    crowdRegions,
    perTimeOfDay,
    seconds,
    imagesPerSecond: count / seconds,
  };
}
