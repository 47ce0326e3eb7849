/**
 * The measured side of `npm run bench:scale` (scripts/bench-scale.ts), run as a child
 * process so each measurement has its own peak RSS. It loads the engine from the Odra
 * tree named by --tree (this repository, or a checkout of an older commit for the
 * "before" figures) through tsx, so the same script measures both.
 *
 *   node --import tsx scripts/bench-scale-child.ts import  --tree T --db DB --dir DATASET
 *   node --import tsx scripts/bench-scale-child.ts queries --tree T --db DB --reps N
 *   node --import tsx scripts/bench-scale-child.ts serve   --tree T --db DB
 *
 * import:  one datasets.import; prints {seconds, maxRssMb, dbBytes, id, images, annotations}
 * queries: datasets.list and datasets.get (each dataset) N times; prints the times in ms
 * serve:   the web host (`odra serve`'s server, with a stub renderer) on 127.0.0.1;
 *          prints {port, token}, then serves until its stdin closes
 * The last stdout line is one JSON object.
 */
import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

interface EngineLike {
  db: { pragma(s: string): unknown };
  handle(method: string, input: unknown, ctx: { signal: AbortSignal; progress: (p: unknown) => void }): Promise<unknown>;
  close(): Promise<void>;
}

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { tree: { type: 'string' }, db: { type: 'string' }, dir: { type: 'string' }, reps: { type: 'string', default: '30' } },
});
const mode = positionals[0];
const tree = path.resolve(values.tree ?? '.');
const db = values.db ?? ':memory:';

async function load<T>(rel: string): Promise<T> {
  return (await import(pathToFileURL(path.join(tree, rel)).href)) as T;
}

function dbBytes(file: string): number {
  let n = 0;
  for (const f of [file, `${file}-wal`]) n += statSync(f, { throwIfNoEntry: false })?.size ?? 0;
  return n;
}

const { Engine } = await load<{ Engine: new (o: { dbPath: string }) => EngineLike }>('src/engine/engine.ts');
const ctx = { signal: new AbortController().signal, progress: () => undefined };

if (mode === 'import') {
  const engine = new Engine({ dbPath: db });
  const t0 = performance.now();
  const ds = (await engine.handle('datasets.import', { dir: values.dir }, ctx)) as { id: number; imageCount: number; annotationCount: number };
  const seconds = (performance.now() - t0) / 1000;
  engine.db.pragma('wal_checkpoint(TRUNCATE)');
  await engine.close();
  const out = { seconds, maxRssMb: process.resourceUsage().maxRSS / 1024, dbBytes: dbBytes(db), id: ds.id, images: ds.imageCount, annotations: ds.annotationCount };
  process.stdout.write(`${JSON.stringify(out)}\n`);
} else if (mode === 'queries') {
  const engine = new Engine({ dbPath: db });
  const reps = Number(values.reps);
  const time = async (method: string, input: unknown): Promise<number> => {
    const t0 = performance.now();
    await engine.handle(method, input, ctx);
    return performance.now() - t0;
  };
  const list: number[] = [];
  const get: number[] = [];
  const ids = ((await engine.handle('datasets.list', {}, ctx)) as { id: number }[]).map((d) => d.id);
  for (let r = 0; r < reps; r++) {
    list.push(await time('datasets.list', {}));
    for (const id of ids) get.push(await time('datasets.get', { id }));
  }
  await engine.close();
  process.stdout.write(`${JSON.stringify({ list, get, datasets: ids.length })}\n`);
} else if (mode === 'serve') {
  const engine = new Engine({ dbPath: db });
  const { startWebServer } = await load<{
    startWebServer: (e: EngineLike, o: { rendererDir: string }) => Promise<{ port: number; token: string; close(): Promise<void> }>;
  }>('src/engine/host/web-server.ts');
  // the server wants a built renderer; requests here never ask for it
  const rendererDir = mkdtempSync(path.join(os.tmpdir(), 'odra-bench-renderer-'));
  writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html><title>bench</title>');
  const server = await startWebServer(engine, { rendererDir });
  process.stdout.write(`${JSON.stringify({ port: server.port, token: server.token })}\n`);
  process.stdin.resume();
  process.stdin.on('end', () => {
    void server
      .close()
      .then(() => engine.close())
      .then(() => process.exit(0));
  });
} else {
  throw new Error(`unknown mode ${mode} (import | queries | serve)`);
}
