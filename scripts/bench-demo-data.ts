/**
 * bench:demo-data — speed of the demo scene generator (engine/demo): renders N scenes
 * (default 200, seed 0) on one thread, encodes each as the dataset does (JPEG quality 90
 * through sharp), after a warm-up of 10 scenes so V8 has compiled the hot loops.
 *
 * Reported per image: wall and CPU milliseconds for rendering (scene sampling, raster,
 * lighting, sensor model, annotations) and for the JPEG encoding, and images/s of the two
 * together in sequence (`images_per_second`, wall clock). CPU time (process.cpuUsage) is
 * the steadier measure on a shared, loaded machine: wall time there includes waiting for
 * a core. `odra demo-data` overlaps encoding with rendering, so it is a little faster than
 * the sequential figure. The last line of stdout is the JSON result.
 *
 *   npm run bench:demo-data [-- --images N --seed S]
 */
import { parseArgs } from 'node:util';
import { DEMO_HEIGHT, DEMO_WIDTH, encodeDemoJpeg, renderDemoImage } from '../src/engine/demo/generate';

const { values } = parseArgs({ options: { images: { type: 'string', default: '200' }, seed: { type: 'string', default: '0' } } });
const n = Math.max(1, Number(values.images));
const seed = Number(values.seed);

for (let i = 0; i < 10; i++) await encodeDemoJpeg(renderDemoImage(seed + 1, i));

const cpuMs = (u: NodeJS.CpuUsage): number => (u.user + u.system) / 1000;
let renderWall = 0;
let renderCpu = 0;
let encodeWall = 0;
let encodeCpu = 0;
let boxes = 0;
for (let i = 0; i < n; i++) {
  let t = performance.now();
  let c = process.cpuUsage();
  const image = renderDemoImage(seed, i);
  renderWall += performance.now() - t;
  renderCpu += cpuMs(process.cpuUsage(c));
  boxes += image.annotations.length;
  t = performance.now();
  c = process.cpuUsage();
  await encodeDemoJpeg(image);
  encodeWall += performance.now() - t;
  encodeCpu += cpuMs(process.cpuUsage(c));
  if ((i + 1) % 50 === 0) process.stderr.write(`${i + 1}/${n}\n`);
}
const round1 = (x: number): number => Math.round(x * 10) / 10;
console.log(
  JSON.stringify({
    bench: 'demo-data',
    images: n,
    seed,
    width: DEMO_WIDTH,
    height: DEMO_HEIGHT,
    boxes_per_image: round1(boxes / n),
    render_ms_per_image: round1(renderWall / n),
    render_cpu_ms_per_image: round1(renderCpu / n),
    encode_ms_per_image: round1(encodeWall / n),
    encode_cpu_ms_per_image: round1(encodeCpu / n),
    images_per_second: round1((1000 * n) / (renderWall + encodeWall)),
    cpu_images_per_second: round1((1000 * n) / (renderCpu + encodeCpu)),
  }),
);
