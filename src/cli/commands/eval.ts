import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { parseArgs } from 'node:util';
import { MODEL_FAMILIES, type ModelFamily } from '../../shared/adapter';
import { DATASET_FORMATS, type DatasetFormat } from '../../shared/schemas';
import { readJson } from '../../engine/datasets/coco-import';
import { parseClassMapFile } from '../../engine/evaluations/class-map';
import { resolveClassMap } from '../../shared/class-map';
import { Engine } from '../../engine/engine';
import { inProcessClient } from '../../engine/rpc/in-process';
import { usageError } from '../cli-error';
import { stderrProgress } from '../progress-bar';

export const EVAL_USAGE = `odra eval --model M.onnx --dataset DIR [--format ${DATASET_FORMATS.join('|')}] [--split NAME]
             [--adapter ${MODEL_FAMILIES.join('|')}] [--names FILE] [--class-map FILE]
             [--ep cpu|cuda|tensorrt|dml|coreml|webgpu] [--threads N] [--batch N] [--db FILE] [--dt-out DT.json] [--json]`;

export async function evalCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      model: { type: 'string' },
      dataset: { type: 'string' },
      adapter: { type: 'string' },
      format: { type: 'string' },
      split: { type: 'string' },
      names: { type: 'string' },
      ep: { type: 'string' },
      batch: { type: 'string' },
      'class-map': { type: 'string' },
      db: { type: 'string' },
      'dt-out': { type: 'string' },
      threads: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (!values.model || !values.dataset) throw usageError(`--model and --dataset are required\nusage: ${EVAL_USAGE}`);
  const family = values.adapter;
  if (family !== undefined && !(MODEL_FAMILIES as readonly string[]).includes(family)) {
    throw usageError(`--adapter must be one of ${MODEL_FAMILIES.join(', ')} (got "${family}")`);
  }
  const threads = values.threads === undefined ? undefined : Number(values.threads);
  if (threads !== undefined && !(Number.isInteger(threads) && threads > 0)) throw usageError('--threads must be a positive integer');
  const batchSize = values.batch === undefined ? undefined : Number(values.batch);
  if (batchSize !== undefined && !(Number.isInteger(batchSize) && batchSize > 0)) throw usageError('--batch must be a positive integer');
  const format = values.format;
  if (format !== undefined && !(DATASET_FORMATS as readonly string[]).includes(format)) {
    throw usageError(`--format must be one of ${DATASET_FORMATS.join(', ')} (got "${format}")`);
  }

  const engine = new Engine({ dbPath: values.db ?? ':memory:' });
  const client = inProcessClient(engine);
  const bar = stderrProgress();
  const controller = new AbortController();
  const onSigint = (): void => controller.abort();
  process.once('SIGINT', onSigint);
  try {
    const dataset = await client.call(
      'datasets.import',
      { dir: values.dataset, format: format as DatasetFormat | undefined, split: values.split },
      { onProgress: bar.update, signal: controller.signal },
    );
    bar.end();
    const model = await client.call('models.import', { path: values.model, family: family as ModelFamily | undefined, namesFile: values.names });
    const mapFile = values['class-map'];
    const classMap = mapFile ? parseClassMapFile(await readJson(mapFile), dataset.categories, mapFile) : undefined;
    // refused here, naming the file, when it does not fit the model or counts a class twice
    if (classMap && mapFile) resolveClassMap(classMap, model.adapter.classNames, dataset.categories, mapFile);
    const evaluation = await client.call(
      'evaluations.run',
      { modelId: model.id, datasetId: dataset.id, classMap, threads, batchSize, executionProvider: values.ep },
      { onProgress: bar.update, signal: controller.signal },
    );
    bar.end();
    if (values['dt-out']) {
      // the scored detections, under their evaluation category (a merge: its smallest dataset category id)
      const dets = await client.call('evaluations.detections', { id: evaluation.id });
      await writeResultsJson(
        values['dt-out'],
        dets.flatMap((d) => (d.categoryId === null ? [] : [{ image_id: d.imageId, category_id: d.categoryId, bbox: d.bbox, score: d.score }])),
      );
    }
    const info = await client.call('system.info', {});
    const out = {
      model: {
        name: model.name,
        path: model.path,
        sha256: model.sha256,
        adapter: model.adapter.family,
        adapter_source: model.adapterSource,
        execution_provider: evaluation.executionProvider,
        requested_provider: evaluation.requestedProvider,
        provider_warning: evaluation.providerWarning,
        fingerprint: model.fingerprint,
      },
      dataset: {
        name: dataset.name,
        root: dataset.root,
        hash: dataset.contentHash,
        images: dataset.imageCount,
        annotations: dataset.annotationCount,
        categories: dataset.categories.length,
      },
      class_map: evaluation.classMap,
      unmapped_categories: evaluation.unmappedCategories,
      stats: evaluation.stats,
      per_category: evaluation.perCategory,
      timing: {
        seconds: evaluation.seconds,
        images_per_second: evaluation.seconds ? dataset.imageCount / evaluation.seconds : null,
      },
      tool: { odra: info.version, onnxruntime: info.onnxruntime },
      evaluation_id: evaluation.id,
    };
    if (values.json) process.stdout.write(`${JSON.stringify(out)}\n`);
    else {
      process.stdout.write(`${model.name} (${model.adapter.family}) on ${dataset.name}: AP ${evaluation.stats?.AP.toFixed(4)} AP50 ${evaluation.stats?.AP50.toFixed(4)}\n`);
      for (const c of evaluation.perCategory) {
        if (c.num_gt > 0) process.stdout.write(`  ${c.name.padEnd(16)} AP ${c.AP === null ? '  n/a ' : c.AP.toFixed(4)}  AP50 ${c.AP50 === null ? '  n/a ' : c.AP50.toFixed(4)}  GT ${c.num_gt}\n`);
      }
    }
  } finally {
    bar.end();
    process.off('SIGINT', onSigint);
    await engine.close();
  }
}

/**
 * A COCO results list written piece by piece: one JSON string of millions of
 * detections would pass V8's string limit (~512 MiB).
 */
export async function writeResultsJson(file: string, results: readonly unknown[]): Promise<void> {
  const out = createWriteStream(file);
  const finished = once(out, 'finish');
  let piece = '[';
  for (let i = 0; i < results.length; i++) {
    piece += `${i ? ',' : ''}${JSON.stringify(results[i])}`;
    if (piece.length >= 1 << 16) {
      if (!out.write(piece)) await once(out, 'drain'); // rejects on a write error
      piece = '';
    }
  }
  out.end(`${piece}]`);
  await finished;
}
