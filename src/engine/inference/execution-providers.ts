/**
 * Execution providers: what this onnxruntime-node build can load, and a session
 * factory that tries the user's choice and falls back to CPU itself, with a warning
 * that says why. onnxruntime-node throws when a provider's library cannot load (CUDA,
 * TensorRT without their runtime) and onnxruntime-common silently drops names its
 * backend list lacks (DirectML off Windows), which would record a provider that never
 * ran; both cases end here on CPU, and the provider that actually runs is reported.
 */
import './ort-offline';
import * as ort from 'onnxruntime-node';

/** Providers Odra offers, by the names onnxruntime-node uses. */
export const EXECUTION_PROVIDERS = ['cpu', 'cuda', 'tensorrt', 'dml', 'coreml', 'webgpu'] as const;
export type ExecutionProviderName = (typeof EXECUTION_PROVIDERS)[number];

const ALIASES: Readonly<Record<string, string>> = {
  directml: 'dml',
  'tensor-rt': 'tensorrt',
  trt: 'tensorrt',
  gpu: 'cuda',
};

export interface ExecutionProviderInfo {
  name: string;
  /** true: ships inside onnxruntime-node; false: needs its runtime installed (CUDA, TensorRT) */
  bundled: boolean;
}

/** What this build lists; listing is not loading (CUDA may still fail to load). */
export function listExecutionProviders(): ExecutionProviderInfo[] {
  return ort.listSupportedBackends().map((b) => ({ name: b.name.toLowerCase(), bundled: b.bundled }));
}

export function normaliseProviderName(name: string): string {
  const n = name.trim().toLowerCase();
  return ALIASES[n] ?? n;
}

export interface SessionSettings {
  /** intra-op threads; onnxruntime's default (one per physical core) when absent */
  threads?: number;
  /**
   * false: onnxruntime's worker threads sleep instead of spinning between ops, which
   * leaves the cores to image decoding and post-processing running beside inference.
   */
  spinning?: boolean;
}

/** The session options every Odra session uses (the inference benchmark's bare loop too). */
export function baseSessionOptions(settings: SessionSettings = {}): ort.InferenceSession.SessionOptions {
  const options: ort.InferenceSession.SessionOptions = {
    graphOptimizationLevel: 'all',
    executionMode: 'sequential',
    interOpNumThreads: 1,
    // Old exporters make ORT warn about every initializer listed as an input; errors still surface.
    logSeverityLevel: 3,
  };
  if (settings.threads !== undefined) {
    if (!Number.isInteger(settings.threads) || settings.threads < 1) throw new Error(`threads must be a positive integer, got ${settings.threads}`);
    options.intraOpNumThreads = settings.threads;
  }
  if (settings.spinning === false) options.extra = { session: { intra_op: { allow_spinning: '0' } } };
  return options;
}

export interface SessionChoice {
  session: ort.InferenceSession;
  /** the provider the session runs on */
  executionProvider: string;
  /** what the user asked for, normalised */
  requested: string;
  /** why the requested provider is not the one running; null when it is */
  fallbackReason: string | null;
}

type CreateSession = (model: string, options: ort.InferenceSession.SessionOptions) => Promise<ort.InferenceSession>;

const defaultCreate: CreateSession = (model, options) => ort.InferenceSession.create(model, options);

function firstLine(err: unknown): string {
  return err instanceof Error ? err.message.split('\n')[0] : String(err);
}

/**
 * A session on the requested provider, or on CPU with the reason when that provider
 * is unknown to this build or fails to load. A CPU failure is the model's own problem
 * and is thrown.
 */
export async function createSessionWithFallback(
  model: string,
  requestedName: string | undefined,
  options: ort.InferenceSession.SessionOptions,
  create: CreateSession = defaultCreate,
): Promise<SessionChoice> {
  const requested = normaliseProviderName(requestedName ?? 'cpu');
  const onCpu = async (fallbackReason: string | null): Promise<SessionChoice> => ({
    session: await create(model, { ...options, executionProviders: ['cpu'] }),
    executionProvider: 'cpu',
    requested,
    fallbackReason,
  });
  if (requested === 'cpu') return onCpu(null);
  const known = listExecutionProviders().map((b) => b.name);
  if (!known.includes(requested)) {
    return onCpu(`${requested} unavailable: not supported by this onnxruntime-node build (supported: ${known.join(', ')})`);
  }
  try {
    const session = await create(model, { ...options, executionProviders: [requested, 'cpu'] });
    return { session, executionProvider: requested, requested, fallbackReason: null };
  } catch (err) {
    return onCpu(`${requested} unavailable: ${firstLine(err)}`);
  }
}

/** The visible warning for a fallback, as the CLI and the UI show it. */
export function fallbackWarning(choice: Pick<SessionChoice, 'requested' | 'executionProvider' | 'fallbackReason'>): string | null {
  if (!choice.fallbackReason) return null;
  return `execution provider '${choice.requested}' could not be used, running on ${choice.executionProvider.toUpperCase()} instead (${choice.fallbackReason})`;
}
