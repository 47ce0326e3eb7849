/**
 * One ONNX detector: an onnxruntime session plus its adapter. RgbImages in,
 * detections in original-image pixels out (COCO [x, y, w, h]).
 *
 * session.run() blocks the calling thread for the whole run (onnxruntime-node calls
 * the native run synchronously inside a setImmediate; see DESIGN.md), so this class
 * belongs in the inference process, never in the one answering the UI. It also means
 * JavaScript cannot run beside inference on this thread: what overlaps a run is work
 * on other threads, i.e. image decoding and resizing in sharp's (libuv) threads.
 * detectEach() keeps that work going for the next batches while a run blocks, so
 * only the short JS steps (normalisation, decoding, NMS) stay in series with ORT.
 */
import './ort-offline';
import * as ort from 'onnxruntime-node';
import { OdraError } from '../../shared/errors';
import type { RgbImage } from '../images/rgb-image';
import { adapterConfigSchema, type AdapterConfig, type ExtraInput } from '../models/adapter-config';
import { imageRegion, type OutputMap, type OutputTensor } from '../models/adapters/decoding';
import { detectAdapter, type AdapterDetection } from '../models/detect-adapter';
import { inspectModelIO, type ModelIO } from '../models/inspect-io';
import type { Detection } from '../models/nms';
import { postprocess } from '../models/postprocess';
import { preprocessBatch, type ImageTransform, type PreprocessedBatch } from '../models/preprocess';
import { baseSessionOptions, createSessionWithFallback, fallbackWarning } from './execution-providers';
import { floatToHalfArray, halfToFloatArray } from './float16';

export type { Detection } from '../models/nms';

export interface DetectorOptions {
  /** intra-op threads; onnxruntime's default (one per physical core) when absent */
  threads?: number;
  /** 'cpu' (default), 'cuda', 'tensorrt', 'dml', 'coreml', 'webgpu': falls back to CPU when unavailable */
  executionProvider?: string;
  /** largest batch per run when the model's batch dim is dynamic (default 8) */
  maxBatch?: number;
  /** onnxruntime worker threads spin between ops (its default, true); false leaves cores to the pipeline */
  spinning?: boolean;
}

export interface DetectorTimings {
  images: number;
  runs: number;
  preprocessMs: number;
  inferenceMs: number;
  postprocessMs: number;
}

/** A batch ready for a run: the input tensors' data and each image's transform. */
export interface PreparedBatch {
  count: number;
  feeds: Record<string, ort.Tensor>;
  transforms: ImageTransform[];
}

/**
 * Raw output values beyond this magnitude are broken, whatever the output means: no box
 * in pixels, logit or probability comes near it, and decoded they vanish silently (a box
 * clipped to nothing) or overflow.
 */
export const MAX_OUTPUT_MAGNITUDE = 1e15;

/**
 * NaN, ±Inf or huge values in an output, in words, or null. Scored as they are, they
 * vanish silently (NaN fails every threshold: AP 0) or break the store (NaN is not a
 * number to SQLite).
 */
export function nonFiniteProblem(name: string, data: Float32Array): string | null {
  let nan = 0;
  let inf = 0;
  let huge = 0;
  let first = -1;
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    // one comparison in the hot loop: false for NaN, ±Inf and huge values alike
    if (!(v < MAX_OUTPUT_MAGNITUDE && v > -MAX_OUTPUT_MAGNITUDE)) {
      if (Number.isNaN(v)) nan++;
      else if (Number.isFinite(v)) huge++;
      else inf++;
      if (first < 0) first = i;
    }
  }
  if (first < 0) return null;
  const what = [nan ? `${nan} NaN` : '', inf ? `${inf} infinite` : '', huge ? `${huge} huge (beyond ±${MAX_OUTPUT_MAGNITUDE})` : '']
    .filter(Boolean)
    .join(' and ');
  return `output ${name} holds ${what} value(s) of ${data.length} (the first at element ${first})`;
}

function isFixed(d: number | string | undefined): d is number {
  return typeof d === 'number' && d > 0;
}

const INT_OUTPUTS = new Set(['int64', 'int32', 'int16', 'int8', 'uint8', 'uint16', 'uint32', 'uint64', 'bool']);

/** Widens an ORT output to float32 (labels and counts are exact: far below 2^24). */
export function toOutputTensor(name: string, value: ort.OnnxValue): OutputTensor {
  if (!(value instanceof ort.Tensor)) throw new Error(`output ${name} is not a tensor`);
  const dims = value.dims;
  const type = value.type;
  if (type === 'float32') return { dims, data: value.data as Float32Array, type };
  if (type === 'float16') return { dims, data: halfToFloatArray(value.data as Uint16Array), type };
  if (type === 'float64') return { dims, data: Float32Array.from(value.data as Float64Array), type };
  if (type === 'int64' || type === 'uint64') {
    const src = value.data as BigInt64Array | BigUint64Array;
    const data = new Float32Array(src.length);
    for (let i = 0; i < src.length; i++) data[i] = Number(src[i]);
    return { dims, data, type };
  }
  if (INT_OUTPUTS.has(type)) return { dims, data: Float32Array.from(value.data as ArrayLike<number>), type };
  throw new Error(`output ${name} is ${type}; detector outputs must be numeric`);
}

/** The tensor Odra feeds an extra input with, for `count` images. */
export function extraInputTensor(extra: ExtraInput, config: AdapterConfig, transforms: readonly ImageTransform[]): ort.Tensor {
  const { width, height } = config.input;
  const n = transforms.length;
  let values: Float64Array;
  let dims: number[];
  if (extra.fill === 'canvas-size-wh' || extra.fill === 'canvas-size-hw') {
    const pair = extra.fill === 'canvas-size-wh' ? [width, height] : [height, width];
    values = new Float64Array(n * 2);
    for (let b = 0; b < n; b++) values.set(pair, b * 2);
    dims = [n, 2];
  } else {
    const plane = width * height;
    values = new Float64Array(n * plane);
    transforms.forEach((t, b) => {
      const r = imageRegion(t, width, height);
      for (let y = r.y0; y < r.y0 + r.height; y++) values.fill(1, b * plane + y * width + r.x0, b * plane + y * width + r.x0 + r.width);
    });
    dims = [n, height, width];
  }
  if (extra.type === 'int64') return new ort.Tensor('int64', BigInt64Array.from(values, (v) => BigInt(v)), dims);
  if (extra.type === 'int32') return new ort.Tensor('int32', Int32Array.from(values), dims);
  return new ort.Tensor('float32', Float32Array.from(values), dims);
}

export class Detector {
  readonly timings: DetectorTimings = { images: 0, runs: 0, preprocessMs: 0, inferenceMs: 0, postprocessMs: 0 };
  private succeeded = false;

  private constructor(
    private session: ort.InferenceSession,
    readonly modelPath: string,
    readonly config: AdapterConfig,
    /** the provider the session runs on (CPU after a fallback) */
    private provider: string,
    /** what the user asked for */
    readonly requestedProvider: string,
    /** why the requested provider is not the one running, null when it is */
    private fallback: string | null,
    /** how the adapter was found when none was given, with the inspected I/O */
    readonly detection: (AdapterDetection & { io: ModelIO }) | null,
    private readonly inputType: 'float32' | 'float16',
    /** images per run: 1 unless the batch dim is dynamic */
    readonly batchSize: number,
    private readonly options: DetectorOptions,
  ) {}

  /** The provider that actually runs (CPU after a fallback): record this with results. */
  get executionProvider(): string {
    return this.provider;
  }

  get fallbackReason(): string | null {
    return this.fallback;
  }

  /** A sentence for the user when the requested provider is not the one running. */
  get warning(): string | null {
    return fallbackWarning({ requested: this.requestedProvider, executionProvider: this.provider, fallbackReason: this.fallback });
  }

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
    if (options.maxBatch !== undefined && !(Number.isInteger(options.maxBatch) && options.maxBatch >= 1)) {
      throw new Error(`maxBatch must be a positive integer, got ${options.maxBatch}`);
    }
    const choice = await createSessionWithFallback(modelPath, options.executionProvider, baseSessionOptions(options));
    const session = choice.session;
    try {
      const meta = session.inputMetadata.find((m) => m.name === adapter.input.name);
      if (!meta) {
        throw new Error(`model has no input '${adapter.input.name}' (inputs: ${session.inputNames.join(', ')})`);
      }
      if (!meta.isTensor) throw new Error(`input ${meta.name} is not a tensor`);
      if (meta.type !== 'float32' && meta.type !== 'float16') throw new Error(`input ${meta.name} is ${meta.type}, not float32/float16`);
      const shape = meta.shape;
      const chw = adapter.input.layout === 'CHW';
      const rank = chw ? 3 : 4;
      if (shape.length !== rank) throw new Error(`input ${meta.name} has rank ${shape.length}, the adapter's ${adapter.input.layout} layout needs ${rank}`);
      const want = [3, adapter.input.height, adapter.input.width];
      const imageDims = chw ? shape : shape.slice(1);
      for (let k = 0; k < 3; k++) {
        const d = imageDims[k];
        if (isFixed(d) && d !== want[k]) {
          throw new Error(`input ${meta.name} is [${shape.join(', ')}] but the adapter feeds [${chw ? '' : 'N, '}${want.join(', ')}]`);
        }
      }
      const declared = new Set([adapter.input.name, ...(adapter.extraInputs ?? []).map((e) => e.name)]);
      const unfed = session.inputNames.filter((n) => !declared.has(n));
      if (unfed.length) throw new Error(`model input(s) ${unfed.join(', ')} are not fed by the adapter (add them as extra inputs)`);
      for (const e of adapter.extraInputs ?? []) {
        if (!session.inputNames.includes(e.name)) throw new Error(`adapter extra input '${e.name}' is not an input of the model`);
      }
      let batchSize = 1;
      if (!chw) {
        if (isFixed(shape[0]) && shape[0] !== 1) throw new Error(`input ${meta.name} has a fixed batch of ${shape[0]}; only 1 or dynamic is supported`);
        batchSize = isFixed(shape[0]) ? 1 : (options.maxBatch ?? 8);
      }
      return new Detector(session, modelPath, adapter, choice.executionProvider, choice.requested, choice.fallbackReason, detection, meta.type, batchSize, options);
    } catch (err) {
      await session.release();
      throw err;
    }
  }

  /** Detections per image, in the order given, each list sorted by descending score. */
  async detect(images: readonly RgbImage[]): Promise<Detection[][]> {
    const out: Detection[][] = [];
    for (let start = 0; start < images.length; start += this.batchSize) {
      const batch = await this.prepare(images.slice(start, start + this.batchSize));
      out.push(...this.finish(batch, await this.infer(batch)));
    }
    return out;
  }

  /**
   * Pipelined detection of `count` images: images are loaded and preprocessed up to
   * `prefetch` batches ahead (sharp works on its own threads while a run blocks this
   * one), and `onDetections` gets each image's detections in index order as soon as
   * its batch is decoded.
   */
  async detectEach(
    count: number,
    load: (index: number) => Promise<RgbImage>,
    onDetections: (index: number, detections: Detection[]) => void | Promise<void>,
    options: { prefetch?: number; signal?: AbortSignal } = {},
  ): Promise<void> {
    const prefetch = Math.max(1, options.prefetch ?? 2);
    const batches = Math.ceil(count / this.batchSize);
    const pending: Promise<PreparedBatch>[] = [];
    const start = (j: number): void => {
      const from = j * this.batchSize;
      const indices = Array.from({ length: Math.min(this.batchSize, count - from) }, (_, k) => from + k);
      const p = Promise.all(indices.map((i) => load(i))).then((images) => this.prepare(images));
      p.catch(() => undefined); // surfaced when awaited, in order
      pending[j] = p;
    };
    for (let j = 0; j < Math.min(prefetch, batches); j++) start(j);
    for (let j = 0; j < batches; j++) {
      options.signal?.throwIfAborted();
      const batch = await pending[j];
      delete pending[j];
      if (j + prefetch < batches) start(j + prefetch);
      const outputs = await this.infer(batch);
      const detections = this.finish(batch, outputs);
      for (let k = 0; k < detections.length; k++) await onDetections(j * this.batchSize + k, detections[k]);
    }
  }

  /** Preprocesses up to batchSize images into the run's input tensors. */
  async prepare(images: readonly RgbImage[]): Promise<PreparedBatch> {
    if (images.length > this.batchSize) throw new Error(`${images.length} images for a batch of ${this.batchSize}`);
    const t0 = performance.now();
    const batch = await preprocessBatch(images, this.config);
    return this.feedsOf(batch, t0);
  }

  /**
   * The run's input tensors from images already preprocessed elsewhere (the corruption
   * pool's workers, with this adapter's input spec): each [3, H, W] float32 as
   * preprocess.ts makes it. One image is fed as it is; several are copied into one batch.
   */
  prepareFrom(images: readonly { data: Float32Array; transform: ImageTransform }[]): PreparedBatch {
    if (images.length > this.batchSize) throw new Error(`${images.length} images for a batch of ${this.batchSize}`);
    const t0 = performance.now();
    const { width, height } = this.config.input;
    const per = 3 * width * height;
    for (const im of images) {
      if (im.data.length !== per) throw new Error(`a preprocessed image has ${im.data.length} values; ${this.modelPath} takes 3x${height}x${width} = ${per}`);
    }
    let data: Float32Array;
    if (images.length === 1) data = images[0].data;
    else {
      data = new Float32Array(per * images.length);
      images.forEach((im, b) => data.set(im.data, b * per));
    }
    return this.feedsOf({ data, dims: [images.length, 3, height, width], transforms: images.map((im) => im.transform) }, t0);
  }

  private feedsOf(batch: PreprocessedBatch, t0: number): PreparedBatch {
    const dims = this.config.input.layout === 'CHW' ? batch.dims.slice(1) : batch.dims;
    const input =
      this.inputType === 'float16'
        ? new ort.Tensor('float16', floatToHalfArray(batch.data), dims)
        : new ort.Tensor('float32', batch.data, dims);
    const feeds: Record<string, ort.Tensor> = { [this.config.input.name]: input };
    for (const e of this.config.extraInputs ?? []) feeds[e.name] = extraInputTensor(e, this.config, batch.transforms);
    this.timings.preprocessMs += performance.now() - t0;
    return { count: batch.transforms.length, feeds, transforms: batch.transforms };
  }

  /** One session run, with the CPU fallback when a non-CPU provider fails on its first run. */
  async infer(batch: PreparedBatch): Promise<OutputMap> {
    const t0 = performance.now();
    let results: ort.InferenceSession.OnnxValueMapType;
    try {
      results = await this.session.run(batch.feeds);
    } catch (err) {
      if (this.provider === 'cpu' || this.succeeded) throw err;
      await this.switchToCpu(err);
      results = await this.session.run(batch.feeds);
    }
    this.succeeded = true;
    const t1 = performance.now();
    const outputs: Record<string, OutputTensor> = {};
    for (const [name, value] of Object.entries(results)) {
      outputs[name] = toOutputTensor(name, value);
      const bad = nonFiniteProblem(name, outputs[name].data);
      if (bad) throw new OdraError('BAD_INPUT', `${this.modelPath}: ${bad}: the model's outputs cannot be scored (a broken export or broken weights)`, { file: this.modelPath });
    }
    this.timings.inferenceMs += t1 - t0;
    this.timings.runs += 1;
    return outputs;
  }

  finish(batch: PreparedBatch, outputs: OutputMap): Detection[][] {
    const t0 = performance.now();
    const detections = postprocess(outputs, this.config, batch.transforms);
    this.timings.images += batch.count;
    this.timings.postprocessMs += performance.now() - t0;
    return detections;
  }

  private async switchToCpu(err: unknown): Promise<void> {
    const why = err instanceof Error ? err.message.split('\n')[0] : String(err);
    const choice = await createSessionWithFallback(this.modelPath, 'cpu', baseSessionOptions(this.options));
    await this.session.release();
    this.session = choice.session;
    this.fallback = `${this.provider} failed on its first run: ${why}`;
    this.provider = 'cpu';
  }

  async dispose(): Promise<void> {
    await this.session.release();
  }
}
