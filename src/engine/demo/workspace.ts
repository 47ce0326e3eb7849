/**
 * The demo workspace: Odra's own road scenes, its own detector family and one audit of
 * the family on the scenes, set up through the contract so the app's first-run button
 * (engine.ts, `demo.setup`) and `odra demo` (the CLI) do exactly the same thing.
 *
 *   setupDemoWorkspace(call, { dataDir, modelsDir, preset })
 *     1. generates the demo scenes into dataDir (seed DEMO_DATASET_SEED) unless the set
 *        there already is that seed and size (the generator is deterministic per seed);
 *     2. imports them (datasets.import: the same content is the same stored dataset);
 *     3. imports every model of the family in modelsDir, baseline first
 *        (models.import: the same file is the same stored model);
 *     4. plans the demo audit; a finished audit of that plan is returned as it is, an
 *        unfinished one is resumed, else a new one starts. Follow it with jobs.watch.
 *
 * `call` is any contract caller (the CLI's in-process client, or the engine itself), so
 * this module needs no higher engine area: it sits with the generator (level 1).
 *
 * Presets (measured on the 2-core development machine, see README "Demo"):
 *   demo     DEMO_IMAGES images x clean + the 19 corruptions at severity 3, 8 models
 *   smoke    8 images x clean + Gaussian noise and defocus blur at severity 3 (CI, tests)
 * Severity 3 of every corruption, held-out ones included, is the cheapest plan that still
 * shows each corruption family; the full benchmark (5 severities) is one click away.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AuditStartInput } from '../../shared/audits';
import type { MethodInput, MethodName, MethodOutput } from '../../shared/contract';
import type { CorruptionName } from '../../shared/corruptions';
import type { DemoPresetName, DemoWorkspace } from '../../shared/demo';
import { badInput } from '../../shared/errors';
import { DEMO_GENERATOR_VERSION, generateDemoDataset } from './generate';

/** The demo set's seed: training used 1, validation 2 (training/demo-detectors). */
export const DEMO_DATASET_SEED = 3;
export const DEMO_AUDIT_SEED = 0;
export const DEMO_AUDIT_NAME = 'Odra demo: the demo detector family on synthetic road scenes';

export const DEMO_PRESETS: Readonly<Record<DemoPresetName, { images: number; corruptions: 'all' | readonly CorruptionName[]; severities: readonly number[] }>> = {
  demo: { images: 100, corruptions: 'all', severities: [3] },
  smoke: { images: 8, corruptions: ['gaussian_noise', 'defocus_blur'], severities: [3] },
};

/** The family's files, in report order: the baseline first (the audit's reference). */
export const DEMO_MODEL_ORDER = [
  'baseline',
  'unstructured70',
  'unstructured70-aug',
  'unstructured70-rfs',
  'structured50',
  'structured50-aug',
  'structured50-rfs',
  'int8',
] as const;
export const DEMO_MODEL_PREFIX = 'odra-demo-det-';

export type ContractCall = <M extends MethodName>(method: M, input: MethodInput<M>) => Promise<MethodOutput<M>>;

export interface DemoWorkspaceOptions {
  /** where the demo scenes are (or will be) written */
  dataDir: string;
  /** resources/demo/models */
  modelsDir: string;
  preset: DemoPresetName;
  /** corruption worker threads of the audit (the engine's default when absent) */
  workers?: number;
  onProgress?: (stage: string, done: number, total: number) => void;
  signal?: AbortSignal;
}


/**
 * resources/demo/models: in the packaged app under Electron's resources folder, else
 * found upwards from this bundle (out/node) or source file (src/engine/demo).
 */
export function findDemoModelsDir(): string {
  const resourcesPath = (process as { resourcesPath?: string }).resourcesPath;
  if (resourcesPath && existsSync(path.join(resourcesPath, 'demo', 'models'))) return path.join(resourcesPath, 'demo', 'models');
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const candidate = path.join(dir, 'resources', 'demo', 'models');
    if (existsSync(candidate)) return candidate;
    dir = path.dirname(dir);
  }
  throw badInput('cannot find the demo models (resources/demo/models)');
}

/** The demo family's ONNX files in DEMO_MODEL_ORDER; an unknown extra file is refused. */
export async function demoModelFiles(modelsDir: string): Promise<string[]> {
  const entries = await readdir(modelsDir).catch((err: Error) => {
    throw badInput(`cannot read the demo models folder ${modelsDir}: ${err.message}`, [{ file: modelsDir, problem: err.message }], modelsDir);
  });
  const onnx = entries.filter((f) => f.endsWith('.onnx'));
  const order = DEMO_MODEL_ORDER.map((n) => `${DEMO_MODEL_PREFIX}${n}.onnx`);
  const missing = order.filter((f) => !onnx.includes(f));
  if (missing.length) {
    throw badInput(`${modelsDir} lacks demo models: ${missing.join(', ')}`, missing.map((f) => ({ file: path.join(modelsDir, f), problem: 'missing' })), modelsDir);
  }
  return order.map((f) => path.join(modelsDir, f));
}

/** True when dataDir already holds the demo set of this seed and size from this generator version. */
async function holdsDemoSet(dataDir: string, images: number): Promise<boolean> {
  try {
    const json = JSON.parse(await readFile(path.join(dataDir, 'annotations.json'), 'utf8')) as { info?: Record<string, unknown>; images?: unknown[] };
    const info = json.info ?? {};
    return info.generator === 'odra demo-data' && info.generator_version === DEMO_GENERATOR_VERSION && info.seed === DEMO_DATASET_SEED && info.images === images && json.images?.length === images;
  } catch {
    return false;
  }
}

export function demoAuditInput(preset: DemoPresetName, datasetId: number, modelIds: number[], workers?: number): AuditStartInput {
  const p = DEMO_PRESETS[preset];
  return {
    name: `${DEMO_AUDIT_NAME} (${preset})`,
    modelIds,
    baselineModelId: modelIds[0],
    datasetId,
    conditions: p.corruptions === 'all' ? { preset: 'all', severities: [...p.severities] } : { corruptions: [...p.corruptions], severities: [...p.severities] },
    seed: DEMO_AUDIT_SEED,
    ...(workers ? { workers } : {}),
  };
}

export async function setupDemoWorkspace(call: ContractCall, options: DemoWorkspaceOptions): Promise<DemoWorkspace> {
  const { images } = DEMO_PRESETS[options.preset];
  const files = await demoModelFiles(options.modelsDir);
  if (!(await holdsDemoSet(options.dataDir, images))) {
    await generateDemoDataset({
      out: options.dataDir,
      images,
      seed: DEMO_DATASET_SEED,
      force: true,
      signal: options.signal,
      onProgress: (done, total) => options.onProgress?.('generating scenes', done, total),
    });
  }
  options.signal?.throwIfAborted();
  options.onProgress?.('importing scenes', 0, 1);
  const dataset = await call('datasets.import', { dir: options.dataDir, name: `Odra demo scenes (seed ${DEMO_DATASET_SEED}, ${images} images)`, format: 'coco' });
  const modelIds: number[] = [];
  for (const [i, file] of files.entries()) {
    options.signal?.throwIfAborted();
    options.onProgress?.('importing models', i, files.length);
    modelIds.push((await call('models.import', { path: file })).id);
  }
  const input = demoAuditInput(options.preset, dataset.id, modelIds, options.workers);
  const plan = await call('audits.plan', input);
  if (plan.existing?.status === 'done') {
    return { datasetId: dataset.id, modelIds, auditId: plan.existing.id, jobId: null, status: 'done', units: plan.units };
  }
  const started = plan.existing?.resumable ? await call('audits.resume', { id: plan.existing.id }) : await call('audits.start', input);
  return {
    datasetId: dataset.id,
    modelIds,
    auditId: started.audit.id,
    jobId: started.jobId,
    status: plan.existing?.resumable ? 'resumed' : 'started',
    units: plan.units,
  };
}
