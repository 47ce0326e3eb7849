import { ensureCliBuilt } from './helpers/odra-cli';

/**
 * The Node bundles (CLI, engine host, corruption worker) are built once before any
 * test: worker threads and child processes run the built JavaScript, and a stale
 * bundle would test old code.
 */
export default async function setup(): Promise<void> {
  await ensureCliBuilt();
}
