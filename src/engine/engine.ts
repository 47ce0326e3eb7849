/**
 * The engine: the contract's methods over the store, the importers, inference and the
 * evaluator. Transports (src/engine/rpc, src/engine/host) only move messages; every
 * method is implemented once, here, and is therefore available everywhere at once.
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import './inference/ort-offline';
import { env as ortEnv } from 'onnxruntime-node';
import { listExecutionProviders } from './inference/execution-providers';
import type { MethodName, MethodOutput, MethodParsedInput } from '../shared/contract';
import { badInput, fileProblem, OdraError } from '../shared/errors';
import { regularFileProblem } from '../platform/node/files';
import { realPathInside } from '../platform/node/paths';
import { imageContentType } from '../shared/image-files';
import { ThumbnailCache } from './images/thumbnails';
import { contentHashSteps } from './datasets/content-hash';
import { drainAsync } from './datasets/import-common';
import { verifyRelocation } from './datasets/relocate';
import { sha256File } from './images/file-hash';
import { checkModelLoads } from './inference/load-check';
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
  readonly thumbnails: ThumbnailCache;
  private readonly handlers: Handlers;
  private pool: CorruptionPool | null = null;
  private readonly cleanup: Promise<void>;

  constructor(private readonly options: EngineOptions) {
    this.db = openDatabase(options.dbPath, { nativeBinding: options.sqliteBinding });
    this.datasets = new DatasetRepo(this.db);
    this.models = new ModelRepo(this.db);
    this.evaluations = new EvaluationRepo(this.db);
    this.classMaps = new ClassMapRepo(this.db);
    this.thumbnails = new ThumbnailCache(thumbnailDir(options.dbPath));
    this.handlers = this.createHandlers();
    // rows of an import or delete that a crash interrupted: removed in the background
    this.cleanup = this.datasets.purgeUnfinished().then(
      () => undefined,
      () => undefined,
    );
  }

  handle<M extends MethodName>(method: M, input: MethodParsedInput<M>, ctx: JobContext): Promise<MethodOutput<M>> {
    const handler = this.handlers[method] as Handler<M>;
    return Promise.resolve(handler(input, ctx));
  }

  /**
   * The grid thumbnail of an image (images/thumbnails.ts), made from the image only if
   * that may be served (its real path inside the dataset's root, an image type), so a
   * thumbnail never shows a file the full-image route would refuse.
   */
  async thumbnail(datasetId: number, imageId: number, signal?: AbortSignal): Promise<{ path: string; root: string }> {
    const image = this.datasets.imageFile(datasetId, imageId);
    // the checks of the full-image routes (host/file-route.ts, main's odra-file:)
    const real = imageContentType(image.path) ? await realPathInside(image.path, image.root) : null;
    if (!real?.ok || !imageContentType(real.path)) throw new OdraError('NOT_FOUND', `image ${imageId} of dataset ${datasetId} cannot be served`);
    const file = await this.thumbnails.get(real.path, image.sha256, signal);
    return { path: file, root: this.thumbnails.dir };
  }

  /** The shared corruption worker pool, started on first use. */
  corruptionPool(): CorruptionPool {
    this.pool ??= new CorruptionPool();
    return this.pool;
  }

  async close(): Promise<void> {
    await this.cleanup;
    await this.pool?.close();
    if (this.options.dbPath === ':memory:') await this.thumbnails.remove();
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
        // the same images and labels already stored: say so instead of a silent no-op
        const existing = this.datasets.findByContentHash(await drainAsync(contentHashSteps(ds.categories, ds.images, ds.annotations), ctx.signal));
        if (existing) {
          const requestedName = name !== undefined && name !== existing.name ? name : null;
          const requestedPath = path.resolve(ds.root) !== path.resolve(existing.root) ? path.resolve(ds.root) : null;
          return { ...existing, alreadyImported: { requestedName, requestedPath } };
        }
        return this.datasets.insert(ds, {
          signal: ctx.signal,
          onProgress: (done, total) => ctx.progress({ stage: 'storing', done, total, etaSeconds: null }),
        });
      },
      'datasets.rename': ({ id, name }) => this.datasets.rename(id, name),
      'datasets.relocate': async ({ id, dir }, ctx) => {
        const moved = await verifyRelocation(this.datasets.imageHashes(id), dir, {
          signal: ctx.signal,
          onProgress: (done, total) => ctx.progress({ stage: 'checking images', done, total, etaSeconds: null }),
        });
        ctx.signal.throwIfAborted();
        return this.datasets.setRoot(id, moved.root, moved.imageRoot);
      },
      'datasets.get': ({ id }) => this.datasets.get(id),
      'datasets.images': ({ id, offset, limit, categoryId, attribute }) => this.datasets.images(id, offset, limit, { categoryId, attribute }),
      'datasets.attributes': ({ id }) => this.datasets.attributes(id),
      'datasets.imagePath': ({ datasetId, imageId }) => this.datasets.imagePath(datasetId, imageId),
      'datasets.thumbnailPath': ({ datasetId, imageId }, ctx) => this.thumbnail(datasetId, imageId, ctx.signal),
      'datasets.delete': async ({ id }) => ({ deleted: await this.datasets.delete(id) }),
      'models.list': () => this.models.list(),
      'models.import': async ({ path: given, name, family, namesFile }) => {
        const file = path.resolve(given);
        const classNames = namesFile ? await readClassNames(namesFile) : undefined;
        const imported = await importModel(file, { family, classNames, namesFile });
        const existing = this.models.findBySha(imported.io.sha256);
        if (existing) {
          // Same file again: keep its id (evaluations refer to it); an explicit family replaces the adapter.
          const stored = (family && existing.adapter.family !== family) || classNames ? this.models.setAdapter(existing.id, imported.adapter) : existing;
          const requestedName = name !== undefined && name !== stored.name ? name : null;
          const requestedPath = file !== stored.path ? file : null;
          return { ...stored, alreadyImported: { requestedName, requestedPath } };
        }
        // a model onnxruntime refuses is refused here, before anything is stored
        await checkModelLoads(file);
        return this.models.insert({ ...imported, name: name ?? path.basename(file, path.extname(file)), path: file });
      },
      'models.rename': ({ id, name }) => this.models.rename(id, name),
      'models.relocate': async ({ id, path: given }) => {
        const model = this.models.get(id);
        const file = path.resolve(given);
        const kind = await regularFileProblem(file);
        if (kind) throw fileProblem(file, kind === 'is a folder, not a file' ? 'is a folder, not an ONNX model file' : kind);
        const sha256 = await sha256File(file);
        if (sha256 !== model.sha256) {
          throw fileProblem(file, `is not the model "${model.name}": its SHA-256 is ${sha256.slice(0, 12)}…, the model's is ${model.sha256.slice(0, 12)}… (import it as a new model instead)`);
        }
        return this.models.setPath(id, file);
      },
      'models.get': ({ id }) => this.models.get(id),
      'models.setAdapter': ({ id, adapter }) => this.models.setAdapter(id, adapter),
      'models.delete': ({ id }) => ({ deleted: this.models.delete(id) }),
      'evaluations.run': (input, ctx) =>
        runEvaluation({ models: this.models, datasets: this.datasets, evaluations: this.evaluations, classMaps: this.classMaps }, input, ctx),
      'evaluations.list': (filter) => this.evaluations.list(filter),
      'evaluations.get': ({ id }) => this.evaluations.get(id),
      'evaluations.delete': ({ ids }) => ({ deleted: this.evaluations.delete(ids) }),
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

/**
 * Thumbnails live beside the store (`<store folder>/thumbnails`); a store in memory gets
 * a temporary folder of its own, removed when the engine closes.
 */
function thumbnailDir(dbPath: string): string {
  if (dbPath === ':memory:' || dbPath === '') return path.join(os.tmpdir(), `odra-thumbnails-${process.pid}-${randomBytes(6).toString('hex')}`);
  return path.join(path.dirname(path.resolve(dbPath)), 'thumbnails');
}

function onnxruntimeVersion(): string {
  return ortEnv.versions.node ?? ortEnv.versions.common;
}

async function readClassNames(file: string): Promise<string[]> {
  const kind = await regularFileProblem(file);
  if (kind) throw fileProblem(file, kind === 'does not exist' ? 'does not exist (the class names file)' : `${kind} (the class names file)`);
  const text = await readFile(file, 'utf8').catch((err: Error) => {
    throw badInput(`cannot read class names file ${file}: ${err.message}`, [{ file, problem: err.message }], file);
  });
  if (/\.ya?ml$/i.test(file)) return yoloClassNames(text, file);
  const parsed = parseNamesFile(text, file);
  if ('problem' in parsed) throw badInput(`${file}: ${parsed.problem}`, [{ file, line: parsed.line, problem: parsed.problem }], file);
  return parsed.names;
}
