/**
 * bench:corrupt — milliseconds per 1280x720 image for every corruption at severity 3,
 * on one thread (the kernels called directly, no pool), median of several runs after a
 * warm-up, for both backends side by side: the JavaScript kernels and their WebAssembly
 * SIMD twins (src/engine/corruptions/wasm-backend.ts; `wasm_simd` says whether they
 * could be loaded, `wasm_unavailable` why not). The default image is a real street
 * scene (../shared KITTI frame 000010, resized to 1280x720); `-- --image FILE` uses
 * another (resized likewise); `-- --only a,b` times a subset (then the benchmark-15 sum
 * covers only those); `-- --runs N` (default 5).
 *
 * What is timed: the call a corruption worker makes (applyCorruption with an output
 * buffer it already owns, see worker.ts), so no fresh image-sized output is paged in per
 * call; the input is the same clean image every run.
 *
 * Two clocks per call: wall time (`ms`) and this process's CPU time (`cpu_ms`, user +
 * system from process.cpuUsage()). On a shared, loaded machine the wall time is inflated
 * by waiting for a core while the CPU time is not, so the CPU column is the steadier
 * measure of the kernels' own cost. It counts every thread of the process: V8's helper
 * threads and, for the JavaScript jpeg_compression, libvips' threads. `faults` is the
 * median count of minor page faults per call. The 1-minute load average is recorded at
 * the start and the end (`load_average`): compare figures only at similar load.
 *
 * `reference_ms` / `reference_cpu_ms`: imagecorruptions (head c959e65) on the same machine
 * kind, 1280x720, severity 3, from ../shared/notes/reference-speed.md (median of 3 runs at
 * a load average of 1-2; the reference tools are not installed here, so they cannot be
 * timed in this run); `speedup` = reference_ms / ms and `speedup_cpu` = reference_cpu_ms /
 * cpu_ms, both for the WebAssembly backend when it loads (else JavaScript). On a loaded
 * machine compare `speedup_cpu`: the reference ran nearly alone.
 *
 * The last line of stdout is the JSON result; the table goes to stderr.
 */
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { BENCHMARK_CORRUPTIONS, CORRUPTION_NAMES, type CorruptionName } from '../src/shared/corruptions';
import { applyCorruption } from '../src/engine/corruptions/registry';
import { backendStatus, wasmKernels } from '../src/engine/corruptions/wasm-backend';
import type { CorruptionBackend } from '../src/engine/corruptions/kernel';
import type { RgbImage } from '../src/engine/images/rgb-image';

/**
 * imagecorruptions head per 1280x720 image at severity 3, in ms (reference-speed.md: the
 * "head: s/image" column as REFERENCE_MS, its "CPU s" column as REFERENCE_CPU_MS).
 */
const REFERENCE_MS: Readonly<Record<CorruptionName, number>> = {
  gaussian_noise: 66,
  shot_noise: 215,
  impulse_noise: 49,
  defocus_blur: 74,
  glass_blur: 215,
  motion_blur: 123,
  zoom_blur: 1059,
  snow: 152,
  frost: 35,
  fog: 83,
  brightness: 281,
  contrast: 38,
  elastic_transform: 305,
  pixelate: 5,
  jpeg_compression: 4,
  speckle_noise: 71,
  gaussian_blur: 79,
  spatter: 106,
  saturate: 286,
};

const REFERENCE_CPU_MS: Readonly<Record<CorruptionName, number>> = {
  gaussian_noise: 66,
  shot_noise: 215,
  impulse_noise: 48,
  defocus_blur: 73,
  glass_blur: 216,
  motion_blur: 121,
  zoom_blur: 1047,
  snow: 150,
  frost: 35,
  fog: 83,
  brightness: 305,
  contrast: 39,
  elastic_transform: 301,
  pixelate: 5,
  jpeg_compression: 4,
  speckle_noise: 69,
  gaussian_blur: 80,
  spatter: 107,
  saturate: 286,
};

const { values } = parseArgs({
  options: {
    image: { type: 'string' },
    runs: { type: 'string', default: '5' },
    severity: { type: 'string', default: '3' },
    only: { type: 'string' },
  },
});
const WIDTH = 1280;
const HEIGHT = 720;
const runs = Math.max(1, Number(values.runs));
const severity = Number(values.severity) as 1 | 2 | 3 | 4 | 5;
const file = values.image ?? path.resolve(process.cwd(), '../shared/data/datasets/kitti_tiny_2d/images/000010.jpeg');
const only = values.only?.split(',').map((s) => s.trim());
const unknown = only?.filter((n) => !(CORRUPTION_NAMES as readonly string[]).includes(n)) ?? [];
if (unknown.length > 0) throw new Error(`unknown corruption(s) ${unknown.join(', ')}; valid: ${CORRUPTION_NAMES.join(', ')}`);
const names: readonly CorruptionName[] = only ? CORRUPTION_NAMES.filter((n) => only.includes(n)) : CORRUPTION_NAMES;

const { data } = await sharp(file)
  .removeAlpha()
  .toColourspace('srgb')
  .resize(WIDTH, HEIGHT, { fit: 'fill' })
  .raw()
  .toBuffer({ resolveWithObject: true });
const image: RgbImage = { width: WIDTH, height: HEIGHT, data: new Uint8Array(data) };
const out = new Uint8Array(image.data.length);

const status = backendStatus();
let wasmAvailable = true;
let wasmUnavailable: string | null = null;
try {
  wasmKernels('wasm');
} catch (err) {
  wasmAvailable = false;
  wasmUnavailable = err instanceof Error ? err.message : String(err);
}
const backends: CorruptionBackend[] = wasmAvailable ? ['js', 'wasm'] : ['js'];

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const round1 = (x: number): number => Math.round(x * 10) / 10;
const round2 = (x: number): number => Math.round(x * 100) / 100;

interface Timing {
  ms: number;
  cpu_ms: number;
  faults: number;
}

async function time(name: CorruptionName, backend: CorruptionBackend): Promise<Timing> {
  await applyCorruption(image, name, severity, 1, { backend, out }); // warm-up: JIT, lazily built tables
  const wall: number[] = [];
  const cpu: number[] = [];
  const faults: number[] = [];
  for (let r = 0; r < runs; r++) {
    const f0 = process.resourceUsage().minorPageFault;
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await applyCorruption(image, name, severity, 1000 + r, { backend, out });
    const t1 = performance.now();
    const c1 = process.cpuUsage(c0);
    faults.push(process.resourceUsage().minorPageFault - f0);
    wall.push(t1 - t0);
    cpu.push((c1.user + c1.system) / 1000);
  }
  return { ms: round1(median(wall)), cpu_ms: round1(median(cpu)), faults: median(faults) };
}

const loadStart = os.loadavg()[0];
const corruptions: Record<string, Record<string, number | null>> = {};
process.stderr.write(
  `${'corruption'.padEnd(18)} ${'js ms'.padStart(8)} ${'wasm ms'.padStart(8)} ${'js cpu'.padStart(8)} ${'wasm cpu'.padStart(8)} ${'ref ms'.padStart(7)} ${'speedup'.padStart(8)} ${'cpu'.padStart(7)}\n`,
);
for (const name of names) {
  const row: Record<string, number | null> = {};
  for (const backend of backends) {
    const t = await time(name, backend);
    row[`${backend}_ms`] = t.ms;
    row[`${backend}_cpu_ms`] = t.cpu_ms;
    row[`${backend}_faults`] = t.faults;
  }
  const backend = wasmAvailable ? 'wasm' : 'js';
  row.reference_ms = REFERENCE_MS[name];
  row.reference_cpu_ms = REFERENCE_CPU_MS[name];
  row.speedup = round2(REFERENCE_MS[name] / (row[`${backend}_ms`] as number));
  row.speedup_cpu = round2(REFERENCE_CPU_MS[name] / (row[`${backend}_cpu_ms`] as number));
  corruptions[name] = row;
  const cell = (v: number | null | undefined, width: number): string => (v === null || v === undefined ? '-' : v.toFixed(1)).padStart(width);
  process.stderr.write(
    `${name.padEnd(18)} ${cell(row.js_ms, 8)} ${cell(row.wasm_ms, 8)} ${cell(row.js_cpu_ms, 8)} ${cell(row.wasm_cpu_ms, 8)} ${cell(row.reference_ms, 7)} ${row.speedup.toFixed(2).padStart(7)}x ${row.speedup_cpu.toFixed(2).padStart(6)}x\n`,
  );
}
const sum15 = (key: string): number | null => {
  const inSet = BENCHMARK_CORRUPTIONS.filter((n) => corruptions[n]);
  if (inSet.length === 0 || inSet.some((n) => typeof corruptions[n][key] !== 'number')) return null;
  return round1(inSet.reduce((s, n) => s + (corruptions[n][key] as number), 0));
};
const benchmark15 = {
  js_ms: sum15('js_ms'),
  wasm_ms: sum15('wasm_ms'),
  js_cpu_ms: sum15('js_cpu_ms'),
  wasm_cpu_ms: sum15('wasm_cpu_ms'),
  reference_ms: sum15('reference_ms'),
  reference_cpu_ms: sum15('reference_cpu_ms'),
  speedup: 0,
  speedup_cpu: 0,
};
benchmark15.speedup = round2((benchmark15.reference_ms ?? 0) / ((wasmAvailable ? benchmark15.wasm_ms : benchmark15.js_ms) ?? 1));
benchmark15.speedup_cpu = round2((benchmark15.reference_cpu_ms ?? 0) / ((wasmAvailable ? benchmark15.wasm_cpu_ms : benchmark15.js_cpu_ms) ?? 1));
const loadEnd = os.loadavg()[0];
process.stderr.write(
  `benchmark 15: js ${benchmark15.js_ms} ms (cpu ${benchmark15.js_cpu_ms}), wasm ${benchmark15.wasm_ms ?? '-'} ms (cpu ${benchmark15.wasm_cpu_ms ?? '-'}), ` +
    `reference ${benchmark15.reference_ms} ms: ${benchmark15.speedup}x (cpu ${benchmark15.speedup_cpu}x); load average ${loadStart.toFixed(2)} -> ${loadEnd.toFixed(2)}\n`,
);
process.stdout.write(
  `${JSON.stringify({
    width: WIDTH,
    height: HEIGHT,
    severity,
    runs,
    image: file,
    wasm_simd: wasmAvailable,
    wasm_unavailable: wasmUnavailable,
    default_backend: status.backend,
    load_average: { start: round2(loadStart), end: round2(loadEnd) },
    corruptions,
    benchmark15,
  })}\n`,
);
