/**
 * The engine: the contract's methods over the store, the importers, the audit service
 * and its jobs. Transports (src/engine/rpc, src/engine/host) only move messages; every
 * method is implemented once, here, and is therefore available everywhere at once.
 *
 * The engine never runs inference itself: audits and clean evaluations are jobs whose
 * detections are computed by a runner process (audits/executor.ts) that a
 * RunnerLauncher starts (child_process.fork in Node, an Electron utilityProcess in the
 * app). On start the engine marks audits a dead process left `running` as interrupted
 * (resumable); close() pauses running jobs before the store is closed, so SIGTERM of
 * `odra serve` leaves them paused, not running.
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import './inference/ort-offline';
import { env as ortEnv } from 'onnxruntime-node';
import { listExecutionProviders } from './inference/execution-providers';
import { contract, type MethodInput, type MethodName, type MethodOutput, type MethodParsedInput } from '../shared/contract';
import { badInput, fileProblem, OdraError } from '../shared/errors';
import { fileKind, kindProblem, regularFileProblem } from '../platform/node/files';
import { realPathInside } from '../platform/node/paths';
import { imageContentType } from '../shared/image-files';
import { ThumbnailCache } from './images/thumbnails';
import { contentHashSteps } from './datasets/content-hash';
import { drainAsync } from './datasets/import-common';
import { verifyRelocation } from './datasets/relocate';
import { sha256File } from './images/file-hash';
import { checkModelLoads } from './inference/load-check';
import type { Progress } from '../shared/schemas';
import type { JobEvent } from '../shared/audits';
import { importDataset } from './datasets/import-dataset';
import { DatasetRepo } from './datasets/dataset-repo';
import { yoloClassNames } from './datasets/yolo-import';
import { scoringLayout } from '../shared/class-map';
import { suggestClassMap } from './evaluations/class-map';
import { ClassMapRepo, classMapState, saveClassMap, type ClassMapPair } from './evaluations/class-map-repo';
import { imageMatchesFor } from './evaluations/image-matches';
import { AuditRepo } from './audits/audit-repo';
import { AuditService } from './audits/audit-service';
import { estimateAudit } from './audits/calibration';
import { EvaluationView } from './audits/evaluation-view';
import type { RunStats } from './audits/executor';
import { unpackDetections } from './audits/packing';
import { cellCocoResults, cellImages, unitMatches, type DrillSources } from './audits/drill-down';
import type { RunnerLauncher } from './audits/runner-protocol';
import { Scorer } from './audits/scorer';
import { scoringMap } from './audits/scoring-map';
import { JobManager } from './jobs/job-manager';
import { ForkRunnerLauncher } from './audits/fork-launcher';
import { importModel } from './models/import-model';
import { parseNamesFile } from './models/class-names';
import { ModelRepo } from './models/model-repo';
import { openDatabase, type Db } from './store/database';
import { filesStatus, folderMissing, verifiedSizes } from './store/file-status';
import { CORRUPTIONS } from '../shared/corruptions';
import { CorruptionPool } from './corruptions/pool';
import { previewCorruptions } from './previews/corruption-preview';
import { ODRA_VERSION } from './util/version';
import { findDemoModelsDir, setupDemoWorkspace } from './demo/workspace';
import type { PdfPrinter } from '../shared/report';
import { chromiumPrinter, findChromium } from './reports/chromium-printer';
import { engineAuditReader } from './reports/engine-audit-reader';
import { renderAuditReport, writeAuditReportFile, type ReportExportDeps } from './reports/export-report';

/** Abort reasons of a request's signal: the client asked (`cancel`), or its connection went away. */
export const CANCELLED_BY_CLIENT = 'cancelled';
export const CONNECTION_CLOSED = 'connection-closed';

export interface JobContext {
  /** aborts when the client cancels the request (reason CANCELLED_BY_CLIENT) or goes away (CONNECTION_CLOSED) */
  signal: AbortSignal;
  progress: (p: Progress) => void;
  /** a job's typed events (jobs.watch) */
  event?: (e: JobEvent) => void;
}

type Handler<M extends MethodName> = (input: MethodParsedInput<M>, ctx: JobContext) => Promise<MethodOutput<M>> | MethodOutput<M>;
type Handlers = { [M in MethodName]: Handler<M> };

export interface EngineOptions {
  /** SQLite file, or ':memory:' */
  dbPath: string;
  /** better-sqlite3 binary built for the host runtime's ABI (Electron) */
  sqliteBinding?: string;
  /** how runner processes are started; child_process.fork of out/node/runner.js by default */
  runnerLauncher?: RunnerLauncher;
  /** per-run figures of every audit run (benchmarks, tests) */
  onAuditRunStats?: (stats: RunStats) => void;
  /** where audit runners make the models' input tensors: pool workers (default) or the inference thread (benchmarks compare both) */
  runnerPreprocessing?: 'pool' | 'runner';
  /** how many per-image evaluations streamed audit cells may hold on the scorer (executor.ts); tests lower it */
  streamedImageEvals?: number;
  /** where demo.setup writes the demo scenes; `demo-scenes` beside the store file by default */
  demoDataDir?: string;
  /** the demo detector family; resources/demo/models by default */
  demoModelsDir?: string;
  /**
   * prints reports.write's PDFs: Electron main's printToPDF when the engine runs in the
   * app (host/electron-printer.ts); by default the Chromium found on this machine
   * (chromium-printer.ts), looked for on the first PDF
   */
  printer?: () => PdfPrinter;
}

export class Engine {
  readonly db: Db;
  readonly datasets: DatasetRepo;
  readonly models: ModelRepo;
  readonly evaluations: EvaluationView;
  readonly classMaps: ClassMapRepo;
  readonly audits: AuditRepo;
  readonly auditService: AuditService;
  readonly jobs = new JobManager();
  /** audits found `running` at start (their process died): now interrupted */
  readonly interruptedAtStart: number[];
  private readonly handlers: Handlers;
  private pool: CorruptionPool | null = null;
  private scorer: Scorer | null = null;
  private closed = false;
  readonly thumbnails: ThumbnailCache;
  private readonly cleanup: Promise<void>;

  constructor(private readonly options: EngineOptions) {
    this.db = openDatabase(options.dbPath, { nativeBinding: options.sqliteBinding });
    this.datasets = new DatasetRepo(this.db);
    this.models = new ModelRepo(this.db);
    this.classMaps = new ClassMapRepo(this.db);
    this.audits = new AuditRepo(this.db);
    this.evaluations = new EvaluationView(this.audits, this.datasets);
    // the scorer and the launcher are made on first use: most engines never run an audit
    const lazyScorer = (): Scorer => (this.scorer ??= new Scorer());
    const lazyLauncher = (): RunnerLauncher => (this.options.runnerLauncher ??= new ForkRunnerLauncher());
    this.auditService = new AuditService({
      db: this.db,
      audits: this.audits,
      datasets: this.datasets,
      models: this.models,
      classMaps: this.classMaps,
      jobs: this.jobs,
      get launcher(): RunnerLauncher {
        return lazyLauncher();
      },
      get scorer(): Scorer {
        return lazyScorer();
      },
      onnxruntimeVersion: onnxruntimeVersion(),
      onRunStats: options.onAuditRunStats,
      ...(options.runnerPreprocessing ? { preprocessIn: options.runnerPreprocessing } : {}),
      ...(options.streamedImageEvals ? { streamedImageEvals: options.streamedImageEvals } : {}),
      storePath: options.dbPath,
      ...(options.sqliteBinding ? { sqliteBinding: options.sqliteBinding } : {}),
    });
    this.interruptedAtStart = this.auditService.interruptLeftRunning();
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

  /** Pauses running jobs (they stay resumable), then closes workers and the store. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.jobs.stopAll('shutdown');
    await this.cleanup;
    await this.scorer?.close();
    await this.pool?.close();
    if (this.options.dbPath === ':memory:') await this.thumbnails.remove();
    this.db.close();
  }

  /**
   * Runs a clean evaluation as a one-cell audit job and waits for it. A cancel from the
   * client cancels the job; a closed connection leaves it running (its result is stored).
   */
  private async runEvaluation(input: MethodParsedInput<'evaluations.run'>, ctx: JobContext): Promise<MethodOutput<'evaluations.run'>> {
    const { audit, jobId } = this.auditService.start(
      {
        modelIds: [input.modelId],
        datasetId: input.datasetId,
        conditions: {},
        seed: 0,
        ...(input.classMap ? { classMaps: { [String(input.modelId)]: input.classMap } } : {}),
        ...(input.threads ? { threads: input.threads } : {}),
        ...(input.batchSize ? { batchSize: input.batchSize } : {}),
        ...(input.executionProvider ? { executionProvider: input.executionProvider } : {}),
      },
      'evaluation',
    );
    // a cancel stops the job and waits for its end (to say how far it got); any other abort
    // (a closed connection) only stops watching
    const watching = new AbortController();
    const onCancel = (): void => {
      if (ctx.signal.reason === CANCELLED_BY_CLIENT) this.jobs.stop(jobId, 'cancel');
      else watching.abort(ctx.signal.reason);
    };
    ctx.signal.addEventListener('abort', onCancel, { once: true });
    try {
      const info = await this.jobs.watch(
        jobId,
        (e) => {
          if (e.type === 'progress' && e.progress.stage === 'checking files') {
            // an evaluation's progress counts images; the file check says its own count in words
            ctx.progress({ stage: 'checking files', done: 0, total: audit.unitsTotal, etaSeconds: null, message: `file ${e.progress.done} of ${e.progress.total}` });
          } else if (e.type === 'progress') {
            const stage = e.progress.stage === 'running' ? 'detecting' : e.progress.stage;
            ctx.progress({ stage, done: e.progress.done, total: e.progress.total, etaSeconds: e.progress.etaSeconds, ...(e.progress.message ? { message: e.progress.message } : {}) });
          } else if (e.type === 'warning') {
            ctx.progress({ stage: 'loading model', done: 0, total: audit.unitsTotal, etaSeconds: null, message: e.message });
          }
        },
        watching.signal,
      );
      if (info.status === 'done') return this.evaluations.get(audit.id);
      if (info.status === 'cancelled' || info.status === 'paused') {
        // the caller learns which evaluation stopped and how far it got, in the words stored with it
        const stored = this.audits.get(audit.id).error;
        throw new OdraError('CANCELLED', `evaluation ${audit.id} ${stored ?? info.status}`, { evaluationId: audit.id });
      }
      throw new OdraError(info.errorCode ?? 'INTERNAL', info.error ?? `the evaluation ended ${info.status}`);
    } finally {
      ctx.signal.removeEventListener('abort', onCancel);
    }
  }

  private drillSources(): DrillSources {
    return {
      audits: this.audits,
      image: (datasetId, imageId) => this.datasets.image(datasetId, imageId),
      categories: (datasetId) => this.datasets.get(datasetId).categories,
    };
  }

  /** The demo workspace through the engine's own handlers (the same path as a client's calls). */
  private setupDemo({ preset }: MethodParsedInput<'demo.setup'>, ctx: JobContext): Promise<MethodOutput<'demo.setup'>> {
    const dataDir = this.options.demoDataDir ?? (this.options.dbPath === ':memory:' ? null : path.join(path.dirname(path.resolve(this.options.dbPath)), 'demo-scenes'));
    if (!dataDir) throw badInput('the demo needs a store file (or demoDataDir): an in-memory store has no folder for its scenes');
    const call = <M extends MethodName>(method: M, input: MethodInput<M>): Promise<MethodOutput<M>> =>
      this.handle(method, contract[method].input.parse(input) as MethodParsedInput<M>, ctx);
    return setupDemoWorkspace(call, {
      dataDir,
      modelsDir: this.options.demoModelsDir ?? findDemoModelsDir(),
      preset,
      signal: cancelledByClient(ctx.signal),
      onProgress: (stage, done, total) => ctx.progress({ stage, done, total, etaSeconds: null }),
    });
  }

  private reportDeps(): ReportExportDeps {
    return {
      reader: engineAuditReader(this),
      printer: this.options.printer ?? (() => chromiumPrinter(findChromium())),
    };
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
        // an import is not lost with the connection: only the client's cancel stops it
        const signal = cancelledByClient(ctx.signal);
        const ds = await importDataset(dir, {
          name,
          format,
          split,
          signal,
          onProgress: (done, total, stage) => ctx.progress({ stage, done, total, etaSeconds: null }),
        });
        signal.throwIfAborted();
        // the same images and labels already stored: say so instead of a silent no-op
        const existing = this.datasets.findByContentHash(await drainAsync(contentHashSteps(ds.categories, ds.images, ds.annotations), signal));
        if (existing) {
          const requestedName = name !== undefined && name !== existing.name ? name : null;
          const requestedPath = path.resolve(ds.root) !== path.resolve(existing.root) ? path.resolve(ds.root) : null;
          return { ...existing, alreadyImported: { requestedName, requestedPath } };
        }
        return this.datasets.insert(ds, {
          signal,
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
      'datasets.fileStatus': async ({ id }) => {
        const { root } = this.datasets.get(id);
        const files = this.datasets.imageFiles(id);
        const rootKind = await fileKind(root);
        if (rootKind !== 'directory') return folderMissing(root, files.length, kindProblem(rootKind) ?? 'is a file, not a folder');
        const sizes = verifiedSizes(this.db, files);
        return filesStatus('dataset', root, files.map((f) => ({ path: f.path, what: `image ${f.id}`, size: sizes.get(f.path) ?? null })));
      },
      'datasets.get': ({ id }) => this.datasets.get(id),
      'datasets.images': ({ id, offset, limit, categoryId, attribute, boxSize, crowd }) =>
        this.datasets.images(id, offset, limit, { categoryId, attribute, boxSize, crowd }),
      'datasets.attributes': ({ id }) => this.datasets.attributes(id),
      'datasets.boxFacets': ({ id }) => this.datasets.boxFacets(id),
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
      'models.fileStatus': ({ id }) => {
        const model = this.models.get(id);
        return filesStatus('model', model.path, [{ path: model.path, what: 'the model file', size: model.fileSize }]);
      },
      'models.get': ({ id }) => this.models.get(id),
      'models.setAdapter': ({ id, adapter }) => this.models.setAdapter(id, adapter),
      'models.setTags': ({ id, tags }) => this.models.setTags(id, tags),
      'models.delete': ({ id }) => ({ deleted: this.models.delete(id) }),
      'evaluations.run': (input, ctx) => this.runEvaluation(input, ctx),
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
      'audits.plan': (input) => {
        const plan = this.auditService.prepare(input);
        return {
          conditions: plan.conditions,
          images: plan.imageIds.length,
          units: plan.imageIds.length * plan.conditions.length * plan.models.length,
          fingerprint: plan.fingerprint,
          existing: this.auditService.findByFingerprint(plan.fingerprint),
        };
      },
      // not a job: the estimate belongs to the request, so a closed connection stops it too
      'audits.estimate': (input, ctx) =>
        estimateAudit(
          {
            auditService: this.auditService,
            datasets: this.datasets,
            models: this.models,
            launcher: (this.options.runnerLauncher ??= new ForkRunnerLauncher()),
            scorer: (this.scorer ??= new Scorer()),
          },
          input,
          { signal: ctx.signal, progress: (stage, done, total) => ctx.progress({ stage, done, total, etaSeconds: null }) },
        ),
      'audits.start': (input) => this.auditService.start(input),
      'audits.list': (filter) => this.auditService.list(filter),
      'audits.get': ({ id }) => this.auditService.detail(id),
      'audits.pause': ({ id }) => this.auditService.pause(id),
      'audits.resume': ({ id }) => this.auditService.resume(id),
      'audits.cancel': ({ id }) => this.auditService.cancel(id),
      'audits.delete': ({ id }) => ({ deleted: this.auditService.delete(id) }),
      'audits.cells': ({ id }) => this.auditService.cells(id),
      'audits.metrics': (input) => this.auditService.metrics(input),
      'audits.rescore': ({ id, classMaps }) => this.auditService.rescore(id, classMaps),
      'audits.merge': ({ stores, allowPartial }, ctx) =>
        this.auditService.merge(stores, allowPartial, {
          dataset: async (root, format) =>
            (await this.handle('datasets.import', { dir: root, format: format as MethodParsedInput<'datasets.import'>['format'] }, ctx)).id,
          model: async (file) => (await this.handle('models.import', { path: file }, ctx)).id,
        }),
      'audits.analysis': ({ id, ...request }) => this.auditService.analysis(id, request),
      'audits.result': ({ id, ...request }) => this.auditService.result(id, request),
      'audits.detections': ({ id, modelId, conditionIndex, imageId }) => {
        const audit = this.audits.get(id);
        const model = this.audits.models(id).find((m) => m.modelId === modelId);
        if (!model) throw new OdraError('NOT_FOUND', `model ${modelId} is not in audit ${id}`);
        const pos = this.audits.imagePosition(id, imageId);
        if (pos === null) throw new OdraError('NOT_FOUND', `image ${imageId} is not in audit ${id}`);
        const blob = this.audits.unit(id, conditionIndex, model.position, pos);
        if (!blob) return [];
        const map = scoringMap(model.classMap, model.adapter.classNames, this.datasets.get(audit.datasetId).categories);
        return unpackDetections(blob).map((d) => ({
          bbox: d.bbox,
          score: d.score,
          classIndex: d.classIndex,
          className: model.adapter.classNames[d.classIndex] ?? String(d.classIndex),
          categoryIds: map.detections(imageId, [d]).map((x) => x.category_id),
        }));
      },
      'audits.imageMatches': (input) => unitMatches(this.drillSources(), input),
      'audits.cellImages': (input) => cellImages(this.drillSources(), input),
      'audits.cocoResults': (input) => cellCocoResults(this.drillSources(), input),
      'demo.setup': (input, ctx) => this.setupDemo(input, ctx),
      'reports.render': (input, ctx) => renderAuditReport(this.reportDeps(), input, ctx),
      // a saved report is never left half-done: only the client's cancel stops a write
      'reports.write': (input, ctx) => writeAuditReportFile(this.reportDeps(), input, { ...ctx, signal: cancelledByClient(ctx.signal) }),
      'jobs.list': () => this.jobs.list(),
      'jobs.get': ({ id }) => this.jobs.get(id),
      'jobs.watch': ({ id }, ctx) => this.jobs.watch(id, (e) => ctx.event?.(e), ctx.signal),
      'jobs.cancel': ({ id }) => {
        this.jobs.stop(id, 'cancel');
        return this.jobs.get(id);
      },
    };
  }
}

/** A signal that follows `signal` only when the client cancelled (not when its connection closed). */
function cancelledByClient(signal: AbortSignal): AbortSignal {
  const controller = new AbortController();
  const follow = (): void => {
    if (signal.reason === CANCELLED_BY_CLIENT) controller.abort(signal.reason);
  };
  if (signal.aborted) follow();
  else signal.addEventListener('abort', follow, { once: true });
  return controller.signal;
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
