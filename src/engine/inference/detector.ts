/**
 * One ONNX detector: an onnxruntime session plus its adapter. RgbImages in,
 * detections in original-image pixels out (COCO [x, y, w, h]).
 *
 * session.run() blocks the calling thread for the whole run (see DESIGN.md), so this
 * class belongs in the inference process, never in the one answering the UI.
 */
import * as ort from 'onnxruntime-node';
import type { RgbImage } from '../corruptions/common/image';
import { adapterConfigSchema, type AdapterConfig } from '../models/adapter-config';
import type { OutputMap, OutputTensor } from '../models/decoders/types';
import { detectAdapter, type AdapterDetection } from '../models/detect-adapter';
import { inspectModelIO, type ModelIO } from '../models/inspect-io';
import type { Detection } from '../models/nms';
import { postprocess } from '../models/postprocess';
import { preprocessBatch } from '../models/preprocess';
import { floatToHalfArray, halfToFloatArray } from './float16';

export type { Detection } from '../models/nms';

export interface DetectorOptions {
  /** intra-op threads; onnxruntime's default (one per physical core) when absent */
  threads?: number;
  /** 'cpu' (default), 'cuda', 'tensorrt', 'dml', 'coreml', 'webgpu': falls back to CPU when unavailable */
  executionProvider?: string;
  /** largest batch per run when the model's batch dim is dynamic (default 8) */
  maxBatch?: number;
}

export interface DetectorTimings {
  images: number;
  runs: number;
  preprocessMs: number;
  inferenceMs: number;
  postprocessMs: number;
}

interface SessionChoice {
  session: ort.InferenceSession;
  executionProvider: string;
  fallbackReason: string | null;
}

async function createSession(modelPath: string, options: DetectorOptions): Promise<SessionChoice> {
  const base: ort.InferenceSession.SessionOptions = {
    graphOptimizationLevel: 'all',
    executionMode: 'sequential',
    interOpNumThreads: 1,
    // Old exporters make ORT warn about every initializer listed as an input; errors still surface.
    logSeverityLevel: 3,
  };
  if (options.threads !== undefined) base.intraOpNumThreads = options.threads;
  const requested = (options.executionProvider ?? 'cpu').toLowerCase();
  // onnxruntime-common silently drops provider names its backend does not know, which
  // would record a provider that never ran: check the name first.
  const known = ort.listSupportedBackends().map((b) => b.name.toLowerCase());
  if (requested !== 'cpu' && !known.includes(requested)) {
    const session = await ort.InferenceSession.create(modelPath, { ...base, executionProviders: ['cpu'] });
    const why = `not supported by this onnxruntime-node build (supported: ${known.join(', ')})`;
    return { session, executionProvider: 'cpu', fallbackReason: `${requested} unavailable: ${why}` };
  }
  if (requested !== 'cpu') {
    try {
      const session = await ort.InferenceSession.create(modelPath, { ...base, executionProviders: [requested, 'cpu'] });
      return { session, executionProvider: requested, fallbackReason: null };
    } catch (err) {
      const why = err instanceof Error ? err.message.split('\n')[0] : String(err);
      const session = await ort.InferenceSession.create(modelPath, { ...base, executionProviders: ['cpu'] });
      return { session, executionProvider: 'cpu', fallbackReason: `${requested} unavailable: ${why}` };
    }
  }
  const session = await ort.InferenceSession.create(modelPath, { ...base, executionProviders: ['cpu'] });
  return { session, executionProvider: 'cpu', fallbackReason: null };
}

function isFixed(d: number | string | undefined): d is number {
  return typeof d === 'number' && d > 0;
}

function toOutputTensor(name: string, value: ort.OnnxValue): OutputTensor {
  if (!(value instanceof ort.Tensor)) throw new Error(`output ${name} is not a tensor`);
  if (value.type === 'float32') return { dims: value.dims, data: value.data as Float32Array };
  if (value.type === 'float16') return { dims: value.dims, data: halfToFloatArray(value.data as Uint16Array) };
  if (value.type === 'float64') return { dims: value.dims, data: Float32Array.from(value.data as Float64Array) };
  throw new Error(`output ${name} is ${value.type}; detector outputs must be floating point`);
}

export class Detector {
  readonly timings: DetectorTimings = { images: 0, runs: 0, preprocessMs: 0, inferenceMs: 0, postprocessMs: 0 };

  private constructor(
    private readonly session: ort.InferenceSession,
    readonly modelPath: string,
    readonly config: AdapterConfig,
    /** the provider the session was created with (CPU after a fallback) */
    readonly executionProvider: string,
    /** why the requested provider was not used, null when it was */
    readonly fallbackReason: string | null,
    /** how the adapter was found when none was given, with the inspected I/O */
    readonly detection: (AdapterDetection & { io: ModelIO }) | null,
    private readonly inputType: 'float32' | 'float16',
    /** images per run: 1 unless the batch dim is dynamic */
    readonly batchSize: number,
  ) {}

  static async load(modelPath: string, config?: AdapterConfig, options: DetectorOptions = {}): Promise<Detector> {
    let adapter: AdapterConfig;
    let detection: (AdapterDetection & { io: ModelIO }) | null = null;
    if (config) {
      adapter = adapterConfigSchema.parse(config);
    } else {
      const io = await inspectModelIO(modelPath);
      detection = { ...detectAdapter(io), io };
      adapter = detection.config;
    }
    const { session, executionProvider, fallbackReason } = await createSession(modelPath, options);
    try {
      const meta = session.inputMetadata.find((m) => m.name === adapter.input.name);
      if (!meta) {
        throw new Error(`model has no input '${adapter.input.name}' (inputs: ${session.inputNames.join(', ')})`);
      }
      if (!meta.isTensor) throw new Error(`input ${meta.name} is not a tensor`);
      if (meta.type !== 'float32' && meta.type !== 'float16') throw new Error(`input ${meta.name} is ${meta.type}, not float32/float16`);
      const shape = meta.shape;
      if (shape.length !== 4) throw new Error(`input ${meta.name} has rank ${shape.length}, expected 4 (NCHW)`);
      const want = [3, adapter.input.height, adapter.input.width];
      for (let k = 1; k < 4; k++) {
        const d = shape[k];
        if (isFixed(d) && d !== want[k - 1]) {
          throw new Error(`input ${meta.name} is [${shape.join(', ')}] but the adapter feeds [N, ${want.join(', ')}]`);
        }
      }
      const batchSize = isFixed(shape[0]) ? 1 : Math.max(1, options.maxBatch ?? 8);
      if (isFixed(shape[0]) && shape[0] !== 1) throw new Error(`input ${meta.name} has a fixed batch of ${shape[0]}; only 1 or dynamic is supported`);
      return new Detector(session, modelPath, adapter, executionProvider, fallbackReason, detection, meta.type, batchSize);
    } catch (err) {
      await session.release();
      throw err;
    }
  }

  /** Detections per image, in the order given, each list sorted by descending score. */
  async detect(images: readonly RgbImage[]): Promise<Detection[][]> {
    const out: Detection[][] = [];
    for (let start = 0; start < images.length; start += this.batchSize) {
      out.push(...(await this.runBatch(images.slice(start, start + this.batchSize))));
    }
    return out;
  }

  private async runBatch(images: readonly RgbImage[]): Promise<Detection[][]> {
    const t0 = performance.now();
    const batch = await preprocessBatch(images, this.config);
    const input =
      this.inputType === 'float16'
        ? new ort.Tensor('float16', floatToHalfArray(batch.data), batch.dims)
        : new ort.Tensor('float32', batch.data, batch.dims);
    const t1 = performance.now();
    const results = await this.session.run({ [this.config.input.name]: input });
    const t2 = performance.now();
    const outputs: Record<string, OutputTensor> = {};
    for (const [name, value] of Object.entries(results)) outputs[name] = toOutputTensor(name, value);
    const detections = postprocess(outputs as OutputMap, this.config, batch.transforms);
    for (const value of Object.values(results)) value.dispose();
    input.dispose();
    const t3 = performance.now();
    this.timings.images += images.length;
    this.timings.runs += 1;
    this.timings.preprocessMs += t1 - t0;
    this.timings.inferenceMs += t2 - t1;
    this.timings.postprocessMs += t3 - t2;
    return detections;
  }

  async dispose(): Promise<void> {
    await this.session.release();
  }
}
