/**
 * The engine: the contract's methods over the store, the importers, inference and the
 * evaluator. Transports (src/engine/rpc, src/engine/host) only move messages; every
 * method is implemented once, here, and is therefore available everywhere at once.
 */
import path from 'node:path';
import { readFile, stat } from 'node:fs/promises';
import { env as ortEnv } from 'onnxruntime-node';
import { listExecutionProviders } from './inference/execution-providers';
import type { MethodName, MethodOutput, MethodParsedInput } from '../shared/contract';
import { badInput } from '../shared/errors';
import type { Progress } from '../shared/schemas';
import { importDataset } from './datasets/import-dataset';
import { DatasetRepo } from './datasets/dataset-repo';
import { yoloClassNames } from './datasets/yolo-import';
import { scoringLayout } from '../shared/class-map';
import { suggestClassMap } from './evaluations/class-map';
import { ClassMapRepo, classMapState, saveClassMap, type ClassMapPair } from './evaluations/class-map-repo';
import { EvaluationRepo } from './evaluations/evaluation-repo';
import { runEvaluation } from './evaluations/run-evaluation';
import { imageMatchesFor } from './evaluations/image-matches';
import { importModel } from './models/import-model';
import { parseNamesFile } from './models/class-names';
import { ModelRepo } from './models/model-repo';
import { openDatabase, type Db } from './store/database';
import { CORRUPTIONS } from '../shared/corruptions';
import { CorruptionPool } from './corruptions/pool';
import { previewCorruptions } from './previews/corruption-preview';
import { ODRA_VERSION } from './util/version';

export interface JobContext {
  signal: AbortSignal;
  progress: (p: Progress) => void;
}

type Handler<M extends MethodName> = (input: MethodParsedInput<M>, ctx: JobContext) => Promise<MethodOutput<M>> | MethodOutput<M>;
type Handlers = { [M in MethodName]: Handler<M> };

export interface EngineOptions {
  /** SQLite file, or ':memory:' */
  dbPath: string;
  /** better-sqlite3 binary built for the host runtime's ABI (Electron) */
  sqliteBinding?: string;
}

export class Engine {
  readonly db: Db;
  readonly datasets: DatasetRepo;
  readonly models: ModelRepo;
  readonly evaluations: EvaluationRepo;
  readonly classMaps: ClassMapRepo;
  private readonly handlers: Handlers;
  private pool: CorruptionPool | null = null;

  constructor(private readonly options: EngineOptions) {
    this.db = openDatabase(options.dbPath, { nativeBinding: options.sqliteBinding });
    this.datasets = new DatasetRepo(this.db);
    this.models = new ModelRepo(this.db);
    this.evaluations = new EvaluationRepo(this.db);
    this.classMaps = new ClassMapRepo(this.db);
    this.handlers = this.createHandlers();
  }

  handle<M extends MethodName>(method: M, input: MethodParsedInput<M>, ctx: JobContext): Promise<MethodOutput<M>> {
    const handler = this.handlers[method] as Handler<M>;
    return Promise.resolve(handler(input, ctx));
  }

  /** The shared corruption worker pool, started on first use. */
  corruptionPool(): CorruptionPool {
    this.pool ??= new CorruptionPool();
    return this.pool;
  }

  async close(): Promise<void> {
    await this.pool?.close();
    this.db.close();
  }

  private classMapPair(modelId: number, datasetId: number): ClassMapPair {
    const model = this.models.get(modelId);
    return { modelId, datasetId, classNames: model.adapter.classNames, categories: this.datasets.get(datasetId).categories };
  }

  private createHandlers(): Handlers {
    return {
      'system.info': () => ({
        version: ODRA_VERSION,
        onnxruntime: onnxruntimeVersion(),
        executionProviders: listExecutionProviders().map((b) => b.name),
        bundledExecutionProviders: listExecutionProviders()
          .filter((b) => b.bundled)
          .map((b) => b.name),
        storePath: this.options.dbPath,
      }),
      'datasets.list': () => this.datasets.list(),
      'datasets.import': async ({ dir, name, format, split }, ctx) => {
        const ds = await importDataset(dir, {
          name,
          format,
          split,
          signal: ctx.signal,
          onProgress: (done, total, stage) => ctx.progress({ stage, done, total, etaSeconds: null }),
        });
        ctx.signal.throwIfAborted();
        ctx.progress({ stage: 'storing', done: ds.images.length, total: ds.images.length, etaSeconds: 0 });
        return this.datasets.insert(ds);
      },
      'datasets.get': ({ id }) => this.datasets.get(id),
      'datasets.images': ({ id, offset, limit, categoryId, attribute }) => this.datasets.images(id, offset, limit, { categoryId, attribute }),
      'datasets.attributes': ({ id }) => this.datasets.attributes(id),
      'datasets.imagePath': ({ datasetId, imageId }) => this.datasets.imagePath(datasetId, imageId),
      'datasets.delete': ({ id }) => ({ deleted: this.datasets.delete(id) }),
      'models.list': () => this.models.list(),
      'models.import': async ({ path: file, name, family, namesFile }) => {
        const s = await stat(file).catch(() => null);
        if (!s?.isFile()) throw badInput(`${file}: no such model file`, [{ file, problem: 'not found' }], file);
        const classNames = namesFile ? await readClassNames(namesFile) : undefined;
        const imported = await importModel(path.resolve(file), { family, classNames });
        const existing = this.models.findBySha(imported.io.sha256);
        if (existing) {
          // Same file again: keep its id (evaluations refer to it); an explicit family replaces the adapter.
          return (family && existing.adapter.family !== family) || classNames ? this.models.setAdapter(existing.id, imported.adapter) : existing;
        }
        return this.models.insert({ ...imported, name: name ?? path.basename(file, path.extname(file)), path: path.resolve(file) });
      },
      'models.get': ({ id }) => this.models.get(id),
      'models.setAdapter': ({ id, adapter }) => this.models.setAdapter(id, adapter),
      'models.delete': ({ id }) => ({ deleted: this.models.delete(id) }),
      'evaluations.run': (input, ctx) =>
        runEvaluation({ models: this.models, datasets: this.datasets, evaluations: this.evaluations, classMaps: this.classMaps }, input, ctx),
      'evaluations.list': (filter) => this.evaluations.list(filter),
      'evaluations.get': ({ id }) => this.evaluations.get(id),
      'evaluations.detections': ({ id, imageId }) => this.evaluations.detections(id, imageId),
      'evaluations.imageMatches': (input) =>
        imageMatchesFor(
          {
            evaluation: (id) => this.evaluations.recordedScoring(id),
            detections: (id, imageId) => this.evaluations.detections(id, imageId),
            image: (datasetId, imageId) => this.datasets.image(datasetId, imageId),
          },
          input,
        ),
      'corruptions.list': () => CORRUPTIONS.map((c) => ({ ...c })),
      'corruptions.preview': (input, ctx) => previewCorruptions(this.datasets, this.corruptionPool(), input, ctx.signal),
      'classMap.suggest': ({ modelId, datasetId }) => {
        const model = this.models.get(modelId);
        const categories = this.datasets.get(datasetId).categories;
        const { classMap, notes } = suggestClassMap(model.adapter.classNames, categories);
        return { classMap, unmapped: scoringLayout(classMap, categories).unmapped.map((c) => c.name), notes };
      },
      'classMap.get': ({ modelId, datasetId }) => classMapState(this.classMaps, this.classMapPair(modelId, datasetId)),
      'classMap.save': ({ modelId, datasetId, classMap }) => saveClassMap(this.classMaps, this.classMapPair(modelId, datasetId), classMap),
    };
  }
}

function onnxruntimeVersion(): string {
  return ortEnv.versions.node ?? ortEnv.versions.common;
}

async function readClassNames(file: string): Promise<string[]> {
  const text = await readFile(file, 'utf8').catch((err: Error) => {
    throw badInput(`cannot read class names file ${file}: ${err.message}`, [{ file, problem: err.message }], file);
  });
  if (/\.ya?ml$/i.test(file)) return yoloClassNames(text, file);
  const parsed = parseNamesFile(text, file);
  if ('problem' in parsed) throw badInput(`${file}: ${parsed.problem}`, [{ file, line: parsed.line, problem: parsed.problem }], file);
  return parsed.names;
}
