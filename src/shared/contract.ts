/**
 * The one contract between the renderer (or the CLI) and the engine.
 *
 * Each method has a zod input schema (validated by the engine on every call, whatever
 * the transport) and an output schema (the renderer trusts the engine; the output
 * schema types it and the tests validate it). Long methods stream `progress` events
 * on the same request id and can be cancelled with a `cancel` message.
 *
 * Wire messages are the same on all three transports (Electron MessagePort,
 * WebSocket, in-process):
 *   client -> engine  {type:'request', id, method, input} | {type:'cancel', id}
 *   engine -> client  {type:'response', id, ok:true, output}
 *                     {type:'response', id, ok:false, error:{code, message, details}}
 *                     {type:'progress', id, progress}
 */
import { z } from 'zod';
import { adapterConfigSchema } from './adapter';
import { CORRUPTION_NAMES } from './corruptions';
import { errorPayloadSchema } from './errors';
import {
  attributeFilterSchema,
  attributeSummarySchema,
  classMapSchema,
  classMapStateSchema,
  datasetFormatSchema,
  datasetSummarySchema,
  detectionSchema,
  evaluationSchema,
  imageEntrySchema,
  imageMatchesSchema,
  modelSummarySchema,
  progressSchema,
} from './schemas';

const id = z.number().int().nonnegative();

export const contract = {
  'system.info': {
    input: z.object({}).strict(),
    output: z.object({
      version: z.string(),
      onnxruntime: z.string(),
      /** providers this onnxruntime build lists (listing is not loading) */
      executionProviders: z.array(z.string()),
      /** the subset that ships inside onnxruntime-node; the others need their runtime (CUDA, TensorRT) installed */
      bundledExecutionProviders: z.array(z.string()),
      storePath: z.string(),
    }),
  },
  'datasets.list': {
    input: z.object({}).strict(),
    output: z.array(datasetSummarySchema),
  },
  'datasets.import': {
    input: z
      .object({
        /** dataset folder (COCO, YOLO, Pascal VOC, KITTI or BDD100K) */
        dir: z.string().min(1),
        name: z.string().min(1).optional(),
        /** the folder's format; detected from what it holds when absent */
        format: datasetFormatSchema.optional(),
        /** YOLO data.yaml split, VOC ImageSets/Main/<split>.txt, BDD label file; default val */
        split: z.string().min(1).optional(),
      })
      .strict(),
    output: datasetSummarySchema,
  },
  'datasets.get': {
    input: z.object({ id }).strict(),
    output: datasetSummarySchema,
  },
  'datasets.images': {
    input: z
      .object({
        id,
        offset: z.number().int().nonnegative().default(0),
        limit: z.number().int().positive().max(500).default(60),
        categoryId: z.number().int().optional(),
        /** only images with this attribute value (or, scope annotation, with a box that has it; of categoryId when given) */
        attribute: attributeFilterSchema.optional(),
      })
      .strict(),
    output: z.object({ total: z.number(), images: z.array(imageEntrySchema) }),
  },
  /** What the dataset can be sliced by: scalar image and box attributes and their value counts. */
  'datasets.attributes': {
    input: z.object({ id }).strict(),
    output: z.array(attributeSummarySchema),
  },
  /** Main-process only (the file protocol): refused on renderer connections. */
  'datasets.imagePath': {
    input: z.object({ datasetId: id, imageId: z.number().int() }).strict(),
    output: z.object({ path: z.string(), root: z.string() }),
  },
  'datasets.delete': {
    input: z.object({ id }).strict(),
    output: z.object({ deleted: z.boolean() }),
  },
  'models.list': {
    input: z.object({}).strict(),
    output: z.array(modelSummarySchema),
  },
  'models.import': {
    input: z
      .object({
        path: z.string().min(1),
        name: z.string().min(1).optional(),
        /** adapter family to force instead of auto-detection */
        family: adapterConfigSchema.shape.family.optional(),
        /** class names file (.txt/.names one per line, .json list or map, YOLO data.yaml) */
        namesFile: z.string().min(1).optional(),
      })
      .strict(),
    output: modelSummarySchema,
  },
  'models.get': {
    input: z.object({ id }).strict(),
    output: modelSummarySchema,
  },
  'models.setAdapter': {
    input: z.object({ id, adapter: adapterConfigSchema }).strict(),
    output: modelSummarySchema,
  },
  'models.delete': {
    input: z.object({ id }).strict(),
    output: z.object({ deleted: z.boolean() }),
  },
  'evaluations.run': {
    input: z
      .object({
        modelId: id,
        datasetId: id,
        /** overrides the class map in force (saved, else suggested); refused when it maps a model class twice */
        classMap: classMapSchema.optional(),
        threads: z.number().int().positive().max(256).optional(),
        /** images per ORT run, where the model's batch dimension allows it */
        batchSize: z.number().int().positive().max(256).optional(),
        /** cpu, cuda, tensorrt, dml, coreml, webgpu: tried, with a visible fallback to cpu */
        executionProvider: z.string().regex(/^[a-z0-9_-]{2,32}$/).optional(),
      })
      .strict(),
    output: evaluationSchema,
  },
  'evaluations.list': {
    input: z.object({ modelId: id.optional(), datasetId: id.optional() }).strict(),
    output: z.array(evaluationSchema),
  },
  'evaluations.get': {
    input: z.object({ id }).strict(),
    output: evaluationSchema,
  },
  'evaluations.detections': {
    input: z.object({ id, imageId: z.number().int().optional() }).strict(),
    output: z.array(detectionSchema),
  },
  /**
   * One image's detections and ground truth matched COCO-style under the evaluation's class map (per category, greedy by
   * score, crowd and ignore regions absorb, 100 per category); detections of unscored model classes come back as not-scored.
   */
  'evaluations.imageMatches': {
    input: z
      .object({
        id,
        imageId: z.number().int(),
        iouThreshold: z.number().min(0).max(1).default(0.5),
        scoreThreshold: z.number().min(0).max(1).default(0),
      })
      .strict(),
    output: imageMatchesSchema,
  },
  'corruptions.list': {
    input: z.object({}).strict(),
    output: z.array(
      z.object({
        name: z.enum(CORRUPTION_NAMES),
        label: z.string(),
        family: z.enum(['noise', 'blur', 'weather', 'digital']),
        role: z.enum(['benchmark', 'held-out']),
        stochastic: z.boolean(),
        parameter: z.string(),
      }),
    ),
  },
  /** Corrupted versions of one dataset image, as PNG data URLs at full resolution. */
  'corruptions.preview': {
    input: z
      .object({
        datasetId: id,
        imageId: z.number().int(),
        corruptions: z.array(z.enum(CORRUPTION_NAMES)).min(1).max(CORRUPTION_NAMES.length),
        severities: z.array(z.number().int().min(1).max(5)).min(1).max(5),
        seed: z.number().int().min(0).max(0xffffffff).default(0),
      })
      .strict(),
    output: z.object({
      width: z.number(),
      height: z.number(),
      clean: z.string(),
      cells: z.array(
        z.object({ corruption: z.enum(CORRUPTION_NAMES), severity: z.number(), seed: z.number(), image: z.string(), ms: z.number() }),
      ),
    }),
  },
  'classMap.suggest': {
    input: z.object({ modelId: id, datasetId: id }).strict(),
    /** notes: what the suggestion decided where several categories wanted one model class (merges, ignore rules) */
    output: z.object({ classMap: classMapSchema, unmapped: z.array(z.string()), notes: z.array(z.string()) }),
  },
  /** The map evaluations of this (model, dataset) use: the saved one, else the suggestion. */
  'classMap.get': {
    input: z.object({ modelId: id, datasetId: id }).strict(),
    output: classMapStateSchema,
  },
  /** Saves the map for this (model, dataset), checked against the model's classes and the dataset's categories; a one-to-many map is refused. */
  'classMap.save': {
    input: z.object({ modelId: id, datasetId: id, classMap: classMapSchema }).strict(),
    output: classMapStateSchema,
  },
} as const;

export type Contract = typeof contract;

/** Methods only a trusted caller (Electron main, the CLI, the HTTP file route) may use. */
export const PRIVILEGED_METHODS: ReadonlySet<string> = new Set(['datasets.imagePath']);
export type MethodName = keyof Contract;
export type MethodInput<M extends MethodName> = z.input<Contract[M]['input']>;
export type MethodParsedInput<M extends MethodName> = z.output<Contract[M]['input']>;
export type MethodOutput<M extends MethodName> = z.output<Contract[M]['output']>;

export const METHOD_NAMES = Object.keys(contract) as MethodName[];

export function isMethodName(name: string): name is MethodName {
  return Object.prototype.hasOwnProperty.call(contract, name);
}

// ---- wire messages ---------------------------------------------------------------

export const requestMessageSchema = z.object({
  type: z.literal('request'),
  id: z.string().min(1).max(100),
  method: z.string(),
  input: z.unknown(),
});
export const cancelMessageSchema = z.object({ type: z.literal('cancel'), id: z.string().min(1).max(100) });
export const clientMessageSchema = z.discriminatedUnion('type', [requestMessageSchema, cancelMessageSchema]);
export type ClientMessage = z.infer<typeof clientMessageSchema>;

export const responseMessageSchema = z.union([
  z.object({ type: z.literal('response'), id: z.string(), ok: z.literal(true), output: z.unknown() }),
  z.object({ type: z.literal('response'), id: z.string(), ok: z.literal(false), error: errorPayloadSchema }),
]);
export const progressMessageSchema = z.object({ type: z.literal('progress'), id: z.string(), progress: progressSchema });
export type ResponseMessage = z.infer<typeof responseMessageSchema>;
export type ProgressMessage = z.infer<typeof progressMessageSchema>;
export type EngineMessage = ResponseMessage | ProgressMessage;
