/**
 * `odra import`: the command-line twin of the app's dataset import. It goes through
 * the contract's `datasets.import` on an in-process engine, so it runs the same code
 * and the same checks as the app; with --db the dataset lands in that store (the one
 * `odra serve` and the app can open), without it the import is a check only.
 *
 * Output: a line per dataset, or with --json {id, name, format, root, content_hash,
 * images, annotations, categories, notes}. Exit 2 for bad input (the message names the
 * file and the problem), 1 for anything else.
 */
import { parseArgs } from 'node:util';
import { Engine } from '../../engine/engine';
import { inProcessClient } from '../../engine/rpc/in-process';
import { DATASET_FORMATS, type DatasetFormat } from '../../shared/schemas';
import { usageError } from '../cli-error';
import { stderrProgress } from '../progress-bar';

export const IMPORT_USAGE = `odra import --dataset DIR [--format ${DATASET_FORMATS.join('|')}] [--split NAME] [--name NAME] [--db FILE] [--json]`;

export async function importCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      dataset: { type: 'string' },
      format: { type: 'string' },
      split: { type: 'string' },
      name: { type: 'string' },
      db: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (!values.dataset) throw usageError(`--dataset is required\nusage: ${IMPORT_USAGE}`);
  const format = values.format;
  if (format !== undefined && !(DATASET_FORMATS as readonly string[]).includes(format)) {
    throw usageError(`--format must be one of ${DATASET_FORMATS.join(', ')} (got "${format}")`);
  }
  if (values.name !== undefined && values.name.trim() === '') throw usageError('--name must not be empty');

  const engine = new Engine({ dbPath: values.db ?? ':memory:' });
  const client = inProcessClient(engine);
  const bar = stderrProgress();
  const controller = new AbortController();
  const onSigint = (): void => controller.abort();
  process.once('SIGINT', onSigint);
  try {
    const ds = await client.call(
      'datasets.import',
      { dir: values.dataset, format: format as DatasetFormat | undefined, split: values.split, name: values.name },
      { onProgress: bar.update, signal: controller.signal },
    );
    bar.end();
    const out = {
      id: ds.id,
      name: ds.name,
      format: ds.format,
      root: ds.root,
      content_hash: ds.contentHash,
      images: ds.imageCount,
      annotations: ds.annotationCount,
      categories: ds.categories.length,
      notes: ds.notes,
    };
    if (values.json) process.stdout.write(`${JSON.stringify(out)}\n`);
    else {
      process.stdout.write(
        `${ds.name} (${ds.format}): ${ds.imageCount} images, ${ds.annotationCount} boxes, ${ds.categories.length} categories; content hash ${ds.contentHash}${values.db ? `; stored as dataset ${ds.id} in ${values.db}` : ''}\n`,
      );
      for (const note of ds.notes) process.stdout.write(`  note: ${note}\n`);
    }
  } finally {
    bar.end();
    process.off('SIGINT', onSigint);
    await engine.close();
  }
}
