import { mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { Engine } from '../../engine/engine';
import { startWebServer } from '../../engine/host/web-server';
import { usageError } from '../cli-error';

export const SERVE_USAGE = 'odra serve [--port N] [--db FILE]';

export function defaultDbPath(): string {
  const dir = path.join(os.homedir(), '.odra');
  mkdirSync(dir, { recursive: true });
  return path.join(dir, 'odra.db');
}

/** out/renderer next to the built CLI (out/node/cli.js), or from the repo root in development. */
export function rendererDir(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  return path.resolve(here, '../renderer');
}

export async function serveCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: { port: { type: 'string' }, db: { type: 'string' } },
    strict: true,
  });
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw usageError(`--port must be 0..65535 (got ${values.port})`);
  const dbPath = values.db ?? defaultDbPath();
  const engine = new Engine({ dbPath });
  const server = await startWebServer(engine, { port, rendererDir: rendererDir() });
  process.stdout.write(`Odra is serving at ${server.url}\n(store: ${dbPath}; bound to 127.0.0.1 only; press Ctrl+C to stop)\n`);
  await new Promise<void>((resolve) => {
    const stop = (): void => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await server.close();
  await engine.close();
}
