#!/usr/bin/env node
// The odra command: runs the CLI bundle that `npm run build:node` (also run by `npm ci`
// through the prepare script) writes to out/node/cli.js.
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const cli = fileURLToPath(new URL('../out/node/cli.js', import.meta.url));
if (!existsSync(cli)) {
  process.stderr.write(`odra: ${cli} is missing; run "npm run build" in the Odra folder first\n`);
  process.exit(1);
}
await import(pathToFileURL(cli).href);
