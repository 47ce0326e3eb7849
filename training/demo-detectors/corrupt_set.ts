/**
 * Writes corrupted copies of a demo COCO folder, for checking the demo family under
 * corruptions before Odra's audit engine exists (development-time, like the rest of
 * training/demo-detectors):
 *
 *   node --import tsx training/demo-detectors/corrupt_set.ts --dataset DIR --out DIR \
 *        --conditions gaussian_noise:3,defocus_blur:3 [--images N] [--seed S]
 *
 * For each condition NAME:SEV (or `clean`: the same images, uncorrupted), OUT/NAME-SEV/ holds the first N images (default all) run
 * through Odra's own corruption kernel (engine/corruptions/registry.ts) and saved as PNG
 * (lossless, so nothing but the corruption changes the pixels), with an annotations.json
 * restricted to those images and pointing at the PNG files. Seeds come from
 * corruptionSeed(S, imageKey(<dataset folder name>, imageId), name, severity), the
 * audit's function. Prints one JSON line per condition.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { isCorruptionName, type Severity } from '../../src/shared/corruptions';
import { applyCorruption } from '../../src/engine/corruptions/registry';
import { corruptionSeed, imageKey } from '../../src/engine/corruptions/seed';
import { decodeImage, encodePng } from '../../src/engine/images/decode';

interface Coco {
  images: { id: number; file_name: string }[];
  annotations: { image_id: number }[];
  [k: string]: unknown;
}

const { values } = parseArgs({
  options: {
    dataset: { type: 'string' },
    out: { type: 'string' },
    conditions: { type: 'string' },
    images: { type: 'string' },
    seed: { type: 'string', default: '0' },
  },
});
if (!values.dataset || !values.out || !values.conditions) throw new Error('--dataset, --out and --conditions are required');
const root = path.resolve(values.dataset);
const coco = JSON.parse(await readFile(path.join(root, 'annotations.json'), 'utf8')) as Coco;
const images = [...coco.images].sort((a, b) => a.id - b.id).slice(0, values.images ? Number(values.images) : undefined);
const keep = new Set(images.map((im) => im.id));
const seed = Number(values.seed);
for (const condition of values.conditions.split(',')) {
  const [name, sev] = condition.split(':');
  const severity = Number(sev) as Severity;
  const clean = name === 'clean';
  if (!clean && !(isCorruptionName(name) && severity >= 1 && severity <= 5)) throw new Error(`bad condition ${condition}`);
  const dir = path.join(values.out, clean ? 'clean' : `${name}-${severity}`);
  await mkdir(path.join(dir, 'images'), { recursive: true });
  const started = performance.now();
  const outImages = [];
  for (const im of images) {
    const pixels = await decodeImage(path.join(root, 'images', im.file_name));
    const corrupted =
      clean || !isCorruptionName(name) ? pixels : await applyCorruption(pixels, name, severity, corruptionSeed(seed, imageKey(path.basename(root), im.id), name, severity));
    const fileName = im.file_name.replace(/\.[^.]+$/, '.png');
    await encodePng(corrupted, path.join(dir, 'images', fileName));
    outImages.push({ ...im, file_name: fileName });
  }
  const json = { ...coco, images: outImages, annotations: coco.annotations.filter((a) => keep.has(a.image_id)) };
  await writeFile(path.join(dir, 'annotations.json'), JSON.stringify(json));
  console.log(JSON.stringify({ condition, dir, images: outImages.length, seconds: (performance.now() - started) / 1000 }));
}
