/**
 * Where the built Node bundles are (out/node): worker threads and child processes run
 * built JavaScript, never the TypeScript sources. A bundle is looked up beside the
 * running bundle (out/node itself) or, when running from the sources (tests, tsx), under
 * the package root's out/node; tests build the bundles first (test/global-setup.ts).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export function findBundle(name: string): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    for (const candidate of [path.join(dir, name), path.join(dir, 'out', 'node', name)]) {
      if (existsSync(candidate)) return candidate;
    }
    dir = path.dirname(dir);
  }
  throw new Error(`cannot find ${name} (out/node/${name}): run npm run build:node`);
}
