/**
 * bench:corrupt — milliseconds per 1280x720 image for every corruption at severity 3,
 * on one thread (the kernels called directly, no pool), median of several runs after a
 * warm-up. The default image is a real street scene (../shared KITTI frame 000010,
 * resized to 1280x720); `-- --image FILE` uses another (resized likewise).
 * The last line of stdout is the JSON result; progress goes to stderr.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { BENCHMARK_CORRUPTIONS, CORRUPTION_NAMES } from '../src/shared/corruptions';
import { applyCorruption } from '../src/engine/corruptions/registry';
import type { RgbImage } from '../src/engine/corruptions/common/image';

const { values } = parseArgs({
  options: { image: { type: 'string' }, runs: { type: 'string', default: '5' }, severity: { type: 'string', default: '3' } },
});
const WIDTH = 1280;
const HEIGHT = 720;
const runs = Math.max(1, Number(values.runs));
const severity = Number(values.severity) as 1 | 2 | 3 | 4 | 5;
const file = values.image ?? path.resolve(process.cwd(), '../shared/data/datasets/kitti_tiny_2d/images/000010.jpeg');

const { data } = await sharp(file)
  .removeAlpha()
  .toColourspace('srgb')
  .resize(WIDTH, HEIGHT, { fit: 'fill' })
  .raw()
  .toBuffer({ resolveWithObject: true });
const image: RgbImage = { width: WIDTH, height: HEIGHT, data: new Uint8Array(data) };

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

const msPerImage: Record<string, number> = {};
for (const name of CORRUPTION_NAMES) {
  await applyCorruption(image, name, severity, 1); // warm-up: JIT, lazily built tables
  const times: number[] = [];
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    await applyCorruption(image, name, severity, 1000 + r);
    times.push(performance.now() - t0);
  }
  msPerImage[name] = Math.round(median(times) * 10) / 10;
  process.stderr.write(`${name.padEnd(18)} ${msPerImage[name].toFixed(1)} ms\n`);
}
const benchmark15 = BENCHMARK_CORRUPTIONS.reduce((sum, n) => sum + msPerImage[n], 0);
process.stdout.write(
  `${JSON.stringify({ width: WIDTH, height: HEIGHT, severity, runs, image: file, ms_per_image: msPerImage, benchmark15_ms: Math.round(benchmark15 * 10) / 10 })}\n`,
);
