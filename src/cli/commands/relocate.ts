/**
 * `odra relocate --db FILE (--model ID --path FILE | --dataset ID --dir DIR) [--json]`:
 * the command-line twin of the app's "relocate" (models.relocate / datasets.relocate).
 * A model file or dataset folder that was moved is pointed to its new place, keeping its
 * id and its evaluations; the new place must hold the same bytes (the model's SHA-256,
 * every image's SHA-256), else nothing changes and the exit code is 2.
 */
import { parseArgs } from 'node:util';
import { Engine } from '../../engine/engine';
import { inProcessClient } from '../../engine/rpc/in-process';
import { usageError } from '../cli-error';
import { fileKind } from '../../platform/node/files';
import { badInput } from '../../shared/errors';
import { stderrProgress } from '../progress-bar';

export const RELOCATE_USAGE = 'odra relocate --db FILE (--model ID --path FILE | --dataset ID --dir DIR) [--json]';

function parseId(value: string, flag: string): number {
  const id = /^\d{1,15}$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(id)) throw usageError(`${flag} takes the id the app and odra eval --json show (got "${value}")`);
  return id;
}

export async function relocateCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      db: { type: 'string' },
      model: { type: 'string' },
      path: { type: 'string' },
      dataset: { type: 'string' },
      dir: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
    strict: true,
  });
  const modelCase = values.model !== undefined && values.path !== undefined && values.dataset === undefined && values.dir === undefined;
  const datasetCase = values.dataset !== undefined && values.dir !== undefined && values.model === undefined && values.path === undefined;
  if (!values.db || !(modelCase || datasetCase)) throw usageError(`give --db and either --model with --path or --dataset with --dir\nusage: ${RELOCATE_USAGE}`);
  // relocating needs the store that holds the model or dataset: never create an empty one
  if ((await fileKind(values.db)) === 'missing') throw badInput(`--db ${values.db}: there is no store there`, [], values.db);
  const engine = new Engine({ dbPath: values.db });
  const client = inProcessClient(engine);
  const bar = stderrProgress();
  try {
    if (modelCase) {
      const model = await client.call('models.relocate', { id: parseId(values.model!, '--model'), path: values.path! });
      if (values.json) process.stdout.write(`${JSON.stringify({ id: model.id, name: model.name, path: model.path, sha256: model.sha256 })}\n`);
      else process.stdout.write(`model ${model.id} "${model.name}" now reads ${model.path} (SHA-256 checked)\n`);
    } else {
      const ds = await client.call('datasets.relocate', { id: parseId(values.dataset!, '--dataset'), dir: values.dir! }, { onProgress: bar.update });
      bar.end();
      if (values.json) process.stdout.write(`${JSON.stringify({ id: ds.id, name: ds.name, root: ds.root, contentHash: ds.contentHash, images: ds.imageCount })}\n`);
      else process.stdout.write(`dataset ${ds.id} "${ds.name}" now reads ${ds.root} (${ds.imageCount} images re-hashed)\n`);
    }
  } finally {
    bar.end();
    await engine.close();
  }
}
