/**
 * `npm run bench:scale`: Odra on full-size validation sets (issue 16).
 *
 *   node --import tsx scripts/bench-scale.ts [--tree DIR] [--sizes 1000,5000,20000]
 *        [--eval-sizes 500,2000] [--work DIR] [--no-ui] [--no-eval] [--no-cocoeval]
 *
 * --tree: the Odra tree to measure (default: this one; a checkout of an older commit,
 * with node_modules and out/node, gives "before" figures with the same script).
 *
 * For each size N, a generated COCO dataset (test/helpers/scale-dataset.ts: hard
 * links to the shared images, ~9 boxes per image, 80 categories) and a COCO results
 * file with ~100 detections per image; then
 *   sha256sum   wall seconds of `sha256sum` over the same files, 2 processes
 *   import      datasets.import into one store holding every size (child process):
 *               seconds, seconds per image, ratio to sha256sum, peak RSS, store bytes
 *               per box (growth of the store file over the boxes added)
 *   cocoeval    `odra cocoeval --gt --dt` wall seconds and peak RSS
 * then datasets.list / datasets.get times (p50, p95) with the store holding them all;
 * the UI's requests (list, get, a page of images, attributes, the grid's image files)
 * over the web host while idle and while another 20k dataset is imported, with a
 * second 20k dataset in the store (--no-ui skips); `odra eval` (yolox_nano) peak RSS at
 * the --eval-sizes (--no-eval skips).
 *
 * --large adds the files past V8's string limit: a BDD100K-style label file of more
 * than 600 MiB (2,000 frames, boxes beside lane polylines) imported with `odra
 * import`, and the largest size's results file padded past 600 MiB (every detection
 * with an extra field, one per line) evaluated with `odra cocoeval`: its numbers must
 * equal the compact file's.
 *
 * Progress goes to stderr; the last stdout line is one JSON object. Timings are wall
 * clock on a shared machine: the load average is reported beside them.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs, promisify } from 'node:util';
import WebSocket from 'ws';
import { createReadStream, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { stat } from 'node:fs/promises';
import { makeLargeBddDataset, makeScaleDataset, sourceImages, type SourceImage } from '../test/helpers/scale-dataset';

const execFileP = promisify(execFile);
const here = path.dirname(new URL(import.meta.url).pathname);
const repo = path.resolve(here, '..');

const { values } = parseArgs({
  options: {
    tree: { type: 'string', default: repo },
    sizes: { type: 'string', default: '1000,5000,20000' },
    'eval-sizes': { type: 'string', default: '500,2000' },
    work: { type: 'string' },
    'no-ui': { type: 'boolean', default: false },
    'no-eval': { type: 'boolean', default: false },
    'no-cocoeval': { type: 'boolean', default: false },
    large: { type: 'boolean', default: false },
    /** size of the --large files (MiB; 640 unless a quick check of the stage wants less) */
    'large-mib': { type: 'string', default: '640' },
  },
});
const tree = path.resolve(values.tree);
const sizes = values.sizes.split(',').map(Number);
const evalSizes = values['eval-sizes'] ? values['eval-sizes'].split(',').map(Number) : [];
const work = values.work ? path.resolve(values.work) : mkdtempSync(path.join(os.tmpdir(), 'odra-bench-scale-'));
const store = path.join(work, 'store.db');
const child = path.join(here, 'bench-scale-child.ts');
const rssHook = path.join(here, 'bench-rss.mjs');

function log(msg: string): void {
  process.stderr.write(`[bench:scale ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
}

function percentile(values: readonly number[], p: number): number {
  if (!values.length) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

function stats(ms: readonly number[]): { n: number; p50_ms: number; p95_ms: number; max_ms: number } {
  const r = (v: number): number => Math.round(v * 100) / 100;
  return { n: ms.length, p50_ms: r(percentile(ms, 50)), p95_ms: r(percentile(ms, 95)), max_ms: r(Math.max(...ms)) };
}

const round = (v: number, d = 3): number => Math.round(v * 10 ** d) / 10 ** d;

/** Runs a node command with the RSS hook; wall seconds, peak RSS (MiB) and the last stdout line. */
async function measured(args: string[]): Promise<{ seconds: number; maxRssMb: number; last: string }> {
  const rssFile = path.join(work, `rss-${process.pid}-${Date.now()}`);
  const t0 = performance.now();
  const { stdout } = await execFileP(process.execPath, ['--import', rssHook, ...args], {
    env: { ...process.env, ODRA_BENCH_RSS: rssFile },
    maxBuffer: 64 * 1024 * 1024,
    cwd: tree,
  });
  const seconds = (performance.now() - t0) / 1000;
  const maxRssMb = Number(readFileSync(rssFile, 'utf8')) / 1024;
  rmSync(rssFile, { force: true });
  return { seconds, maxRssMb, last: stdout.trim().split('\n').at(-1) ?? '' };
}

async function childJson<T>(args: string[]): Promise<T> {
  const { stdout } = await execFileP(process.execPath, ['--import', 'tsx', child, ...args, '--tree', tree], { cwd: repo, maxBuffer: 64 * 1024 * 1024 });
  return JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as T;
}

async function sha256sumSeconds(files: readonly string[]): Promise<number> {
  const t0 = performance.now();
  await new Promise<void>((resolve, reject) => {
    const p = spawn('xargs', ['-0', '-P', '2', '-n', '500', 'sha256sum'], { stdio: ['pipe', 'ignore', 'inherit'] });
    p.on('error', reject);
    p.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`sha256sum exited with ${code}`))));
    p.stdin.end(files.join('\0'));
  });
  return (performance.now() - t0) / 1000;
}

interface ImportResult {
  seconds: number;
  maxRssMb: number;
  dbBytes: number;
  id: number;
  images: number;
  annotations: number;
}

let storeBytes = 0;
async function importInto(dir: string): Promise<ImportResult & { bytesPerBox: number }> {
  const r = await childJson<ImportResult>(['import', '--db', store, '--dir', dir]);
  const bytesPerBox = (r.dbBytes - storeBytes) / r.annotations;
  storeBytes = r.dbBytes;
  return { ...r, bytesPerBox };
}

async function makeDataset(name: string, count: number, seed: number, sources: SourceImage[], withDetections: boolean): Promise<{ dir: string; files: string[]; gt: string; dt: string; annotations: number }> {
  const dir = path.join(work, name);
  const gt = path.join(work, `${name}-gt.json`);
  const dt = path.join(work, `${name}-dt.json`);
  const made = await makeScaleDataset(dir, count, { seed, sources, ...(withDetections ? { detectionsFile: dt, gtFile: gt, detectionsPerImage: 100 } : {}) });
  return { dir, files: made.files, gt, dt, annotations: made.annotations };
}

/** The UI's requests over the web host, idle and during an import of `importDir`. */
async function uiLatency(datasetId: number, imageCount: number, importDir: string): Promise<Record<string, unknown>> {
  const server = spawn(process.execPath, ['--import', 'tsx', child, 'serve', '--db', store, '--tree', tree], { cwd: repo, stdio: ['pipe', 'pipe', 'inherit'] });
  const first = await new Promise<string>((resolve, reject) => {
    let buf = '';
    server.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      if (buf.includes('\n')) resolve(buf.split('\n')[0]);
    });
    server.on('exit', (code) => reject(new Error(`the server exited with ${code}`)));
  });
  const { port, token } = JSON.parse(first) as { port: number; token: string };
  const base = `http://127.0.0.1:${port}`;
  const ws = new WebSocket(`ws://127.0.0.1:${port}/rpc?token=${token}`);
  await new Promise<void>((resolve, reject) => ws.once('open', () => resolve()).once('error', reject));
  const pending = new Map<string, (m: { ok: boolean; output?: unknown; error?: unknown }) => void>();
  ws.on('message', (data: Buffer) => {
    const m = JSON.parse(data.toString()) as { type: string; id: string; ok: boolean };
    if (m.type === 'response') pending.get(m.id)?.(m);
  });
  let nextId = 0;
  const call = (method: string, input: unknown): Promise<{ ok: boolean; output?: unknown; error?: unknown }> =>
    new Promise((resolve) => {
      const id = `b${nextId++}`;
      pending.set(id, (m) => {
        pending.delete(id);
        resolve(m);
      });
      ws.send(JSON.stringify({ type: 'request', id, method, input }));
    });
  const thumbs = existsSync(path.join(tree, 'src/engine/images/thumbnails.ts'));
  const times: Record<string, number[]> = {};
  const timed = async (name: string, run: () => Promise<unknown>): Promise<void> => {
    const t0 = performance.now();
    await run();
    (times[name] ??= []).push(performance.now() - t0);
  };
  let cursor = 0;
  /** One scroll step of the UI: the next page of the grid and its 12 visible tiles. */
  const round1 = async (): Promise<void> => {
    await timed('datasets.list', () => call('datasets.list', {}));
    await timed('datasets.get', () => call('datasets.get', { id: datasetId }));
    const offset = (cursor = (cursor + 997) % Math.max(1, imageCount - 60));
    await timed('datasets.images', () => call('datasets.images', { id: datasetId, offset, limit: 60 }));
    await timed('datasets.attributes', () => call('datasets.attributes', { id: datasetId }));
    const tiles = Array.from({ length: 12 }, (_, k) => 1 + offset + k);
    await Promise.all(
      tiles.map((imageId) =>
        timed(thumbs ? 'thumbnail' : 'image (grid tile)', async () => {
          const url = thumbs
            ? `${base}/files/datasets/${datasetId}/thumbnails/${imageId}?token=${token}`
            : `${base}/files/datasets/${datasetId}/images/${imageId}?token=${token}`;
          const res = await fetch(url);
          await res.arrayBuffer();
        }),
      ),
    );
  };
  const phase = async (until: () => boolean): Promise<Record<string, ReturnType<typeof stats>>> => {
    for (const k of Object.keys(times)) delete times[k];
    while (!until()) await round1();
    return Object.fromEntries(Object.entries(times).map(([k, v]) => [k, stats(v)]));
  };
  log('UI requests, idle');
  const idleUntil = performance.now() + 8000;
  const idle = await phase(() => performance.now() > idleUntil);
  log(`UI requests while importing another ${imageCount}-image dataset`);
  let importDone = false;
  const t0 = performance.now();
  const importing = call('datasets.import', { dir: importDir }).then((m) => {
    importDone = true;
    return m;
  });
  const during = await phase(() => importDone);
  const imported = await importing;
  const importSeconds = (performance.now() - t0) / 1000;
  ws.close();
  server.stdin.end();
  await new Promise((resolve) => server.on('exit', resolve));
  return { tiles: thumbs ? 'thumbnails' : 'full images', idle, during_import: during, import_seconds: round(importSeconds), import_ok: imported.ok };
}

const MIB = 1024 * 1024;

/** A copy of a compact results list with every detection on its own line and padded, at least minBytes long. */
async function padResults(src: string, dst: string, minBytes: number): Promise<number> {
  const size = (await stat(src)).size;
  const count = Number((await execFileP('sh', ['-c', `grep -o '"image_id"' ${JSON.stringify(src)} | wc -l`])).stdout.trim());
  const pad = ` "note": "${'-'.repeat(Math.max(0, Math.ceil((minBytes - size) / count) - 12))}",`;
  const out = createWriteStream(dst);
  let carry = '';
  let written = 0;
  for await (const chunk of createReadStream(src, { encoding: 'utf8', highWaterMark: 1 << 20 })) {
    const text = carry + (chunk as string);
    const cut = text.lastIndexOf('},{');
    if (cut < 0) {
      carry = text;
      continue;
    }
    carry = text.slice(cut + 3);
    const piece = text.slice(0, cut + 3).replaceAll('},{', '},\n  {').replaceAll('{"image_id"', `{${pad} "image_id"`);
    written += piece.length;
    if (!out.write(piece)) await once(out, 'drain');
  }
  const tail = carry.replaceAll('{"image_id"', `{${pad} "image_id"`);
  written += tail.length;
  out.end(tail);
  await once(out, 'finish');
  return written;
}

async function largeFiles(sources: SourceImage[], largest: { gt: string; dt: string; stats: string } | null): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  log('a BDD100K-style label file of more than 600 MiB');
  const bdd = await makeLargeBddDataset(path.join(work, 'bdd-large'), 2000, Number(values['large-mib']) * MIB, { sources });
  const bddStore = path.join(work, 'bdd-large.db');
  const imp = await measured([path.join(tree, 'bin/odra.mjs'), 'import', '--dataset', bdd.dir, '--db', bddStore, '--json']).catch((err: Error) => ({ error: err.message.split('\n').slice(0, 3).join(' ') }));
  out.bdd = {
    label_file_mib: round((await stat(bdd.labelFile)).size / MIB, 1),
    frames: 2000,
    boxes: bdd.boxes,
    lanes: bdd.lanes,
    ...('error' in imp ? { error: imp.error } : { import_s: round(imp.seconds), peak_rss_mb: round(imp.maxRssMb, 1), imported: JSON.parse(imp.last) as unknown }),
  };
  rmSync(bdd.labelFile, { force: true });
  if (largest) {
    log('a results file padded past 600 MiB');
    const padded = path.join(work, 'dt-padded.json');
    await padResults(largest.dt, padded, Number(values['large-mib']) * MIB);
    const ce = await measured([path.join(tree, 'bin/odra.mjs'), 'cocoeval', '--gt', largest.gt, '--dt', padded, '--json']).catch((err: Error) => ({ error: err.message.split('\n').slice(0, 3).join(' ') }));
    out.detections = {
      compact_mib: round((await stat(largest.dt)).size / MIB, 1),
      padded_mib: round((await stat(padded)).size / MIB, 1),
      ...('error' in ce
        ? { error: ce.error }
        : { cocoeval_s: round(ce.seconds), peak_rss_mb: round(ce.maxRssMb, 1), same_stats_as_compact: JSON.stringify((JSON.parse(ce.last) as { stats: unknown }).stats) === largest.stats }),
    };
    rmSync(padded, { force: true });
    rmSync(largest.dt, { force: true });
  }
  return out;
}

async function main(): Promise<void> {
  log(`tree ${tree}, work ${work}`);
  const sources = await sourceImages();
  const result: Record<string, unknown> = {
    tree,
    commit: await execFileP('git', ['rev-parse', '--short', 'HEAD'], { cwd: tree }).then((r) => r.stdout.trim(), () => 'unknown'),
    machine: { cpus: os.availableParallelism(), load_start: os.loadavg().map((v) => round(v, 2)) },
  };
  const rows: Record<string, unknown>[] = [];
  let largest: { gt: string; dt: string; stats: string } | null = null;
  let biggest: { id: number; images: number } | null = null;
  for (const n of sizes) {
    log(`generating ${n} images`);
    const ds = await makeDataset(`coco-${n}`, n, n, sources, !values['no-cocoeval']);
    log(`sha256sum over ${n} files`);
    const sum = await sha256sumSeconds(ds.files);
    log(`import of ${n} images`);
    const imp = await importInto(ds.dir);
    const row: Record<string, unknown> = {
      images: n,
      boxes: ds.annotations,
      sha256sum_s: round(sum),
      import_s: round(imp.seconds),
      import_s_per_image: round(imp.seconds / n, 6),
      import_ratio_to_sha256sum: round(imp.seconds / sum, 2),
      import_peak_rss_mb: round(imp.maxRssMb, 1),
      store_bytes_per_box: round(imp.bytesPerBox, 1),
      load: os.loadavg()[0],
    };
    if (!values['no-cocoeval']) {
      log(`cocoeval on ${n} images`);
      const ce = await measured([path.join(tree, 'bin/odra.mjs'), 'cocoeval', '--gt', ds.gt, '--dt', ds.dt, '--json']);
      row.cocoeval_s = round(ce.seconds);
      row.cocoeval_peak_rss_mb = round(ce.maxRssMb, 1);
      row.cocoeval_AP = (JSON.parse(ce.last) as { stats: { AP: number } }).stats.AP;
      if (values.large && n === Math.max(...sizes)) largest = { gt: ds.gt, dt: ds.dt, stats: JSON.stringify((JSON.parse(ce.last) as { stats: unknown }).stats) };
      else rmSync(ds.dt, { force: true });
    }
    rows.push(row);
    log(JSON.stringify(row));
    if (!biggest || n > biggest.images) biggest = { id: imp.id, images: n };
  }
  result.sizes = rows;

  log('datasets.list / datasets.get with the store holding them');
  const q = await childJson<{ list: number[]; get: number[]; datasets: number }>(['queries', '--db', store, '--reps', '30']);
  result.queries = { datasets: q.datasets, 'datasets.list': stats(q.list), 'datasets.get': stats(q.get) };

  if (!values['no-ui'] && biggest) {
    const n = biggest.images;
    log(`a second ${n}-image dataset`);
    const second = await makeDataset(`coco-${n}-b`, n, n + 1, sources, false);
    const imp = await importInto(second.dir);
    const third = await makeDataset(`coco-${n}-c`, n, n + 2, sources, false);
    result.ui = { store: `${sizes.join(' + ')} + ${n} images; importing another ${n}`, second_import_s: round(imp.seconds), ...(await uiLatency(biggest.id, n, third.dir)) };
  }

  if (!values['no-eval']) {
    const model = path.resolve(repo, '../shared/data/models/yolox_nano/yolox_nano.onnx');
    const evals: Record<string, unknown>[] = [];
    for (const n of evalSizes) {
      const ds = await makeDataset(`eval-${n}`, n, 100 + n, sources, false);
      log(`odra eval on ${n} images`);
      const r = await measured([path.join(tree, 'bin/odra.mjs'), 'eval', '--model', model, '--dataset', ds.dir, '--json']);
      evals.push({ images: n, seconds: round(r.seconds), peak_rss_mb: round(r.maxRssMb, 1), AP: (JSON.parse(r.last) as { stats: { AP: number } }).stats.AP });
      log(JSON.stringify(evals.at(-1)));
    }
    result.eval = evals;
  }
  if (values.large) result.large = await largeFiles(sources, largest);
  result.machine = { ...(result.machine as object), load_end: os.loadavg().map((v) => round(v, 2)) };
  if (!values.work) rmSync(work, { recursive: true, force: true });
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
