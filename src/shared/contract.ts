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
 *                     {type:'event', id, event}      a job's typed events (jobs.watch)
 *
 * Long work is a job the engine owns (src/shared/audits.ts): `audits.start` returns a
 * job id and any client follows it with `jobs.watch`, which streams events until the job
 * ends. Cancelling or dropping a watch ends the watch, not the job; `jobs.cancel` and
 * `audits.pause/cancel` stop jobs. Closing a connection never cancels an import or an
 * evaluation either: only an explicit `cancel` message does.
 */
import { z } from 'zod';
import { adapterConfigSchema } from './adapter';
import { CORRUPTION_NAMES } from './corruptions';
import { auditAnalysisSchema } from './audit-results';
import {
  analysisRequestSchema,
  auditCellSchema,
  auditDetailSchema,
  auditEstimateSchema,
  auditMetricRowSchema,
  auditMetricsInputSchema,
  auditResultSchema,
  auditStartInputSchema,
  auditSummarySchema,
  cellImageRowSchema,
  conditionSchema,
  jobEventSchema,
  jobInfoSchema,
} from './audits';
import { demoSetupInputSchema, demoWorkspaceSchema } from './demo';
import { errorPayloadSchema } from './errors';
import { modelTagsSchema } from './model-tags';
import { reportRenderInputSchema, reportRenderOutputSchema, reportWriteInputSchema, reportWriteOutputSchema } from './report-export';
import {
  attributeFilterSchema,
  attributeSummarySchema,
  bboxSchema,
  boxFacetsSchema,
  boxSizeSchema,
  classMapSchema,
  classMapStateSchema,
  datasetFormatSchema,
  datasetImportSchema,
  datasetSummarySchema,
  detectionSchema,
  evaluationSchema,
  fileStatusSchema,
  imageEntrySchema,
  imageMatchesSchema,
  modelImportSchema,
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
    output: datasetImportSchema,
  },
  'datasets.rename': {
    input: z.object({ id, name: z.string().trim().min(1).max(200) }).strict(),
    output: datasetSummarySchema,
  },
  /**
   * Points a stored dataset at the folder it was moved to. Every image is re-hashed
   * there and must be the bytes the dataset was imported with, so its content hash and
   * evaluations stay true; anything else is refused naming the first file that differs.
   */
  'datasets.relocate': {
    input: z.object({ id, dir: z.string().min(1) }).strict(),
    output: datasetSummarySchema,
  },
  /** Whether the dataset's folder and images are still there (stat only, no hashing): what the list shows and relocate mends. */
  'datasets.fileStatus': {
    input: z.object({ id }).strict(),
    output: fileStatusSchema,
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
        /** only images with this attribute value or range (or, scope annotation, with a box that has it; of categoryId when given) */
        attribute: attributeFilterSchema.optional(),
        /** only images with a non-crowd box of this COCO size (of categoryId when given) */
        boxSize: boxSizeSchema.optional(),
        /** true: only images with a crowd region; false: only images without one (of categoryId when given) */
        crowd: z.boolean().optional(),
      })
      .strict(),
    output: z.object({ total: z.number(), images: z.array(imageEntrySchema) }),
  },
  /**
   * What the dataset can be sliced by: scalar image and box attributes, as value lists
   * with counts or as numeric ranges with binned counts; identifier-like fields (URLs,
   * frame names, per-box ids) are left out.
   */
  'datasets.attributes': {
    input: z.object({ id }).strict(),
    output: z.array(attributeSummarySchema),
  },
  /** Images per COCO box size (small / medium / large) and with / without crowd regions. */
  'datasets.boxFacets': {
    input: z.object({ id }).strict(),
    output: boxFacetsSchema,
  },
  /** Main-process only (the file protocol): refused on renderer connections. */
  'datasets.imagePath': {
    input: z.object({ datasetId: id, imageId: z.number().int() }).strict(),
    output: z.object({ path: z.string(), root: z.string() }),
  },
  /**
   * Main-process only (the file protocol): the grid thumbnail of an image, made first
   * if there is none; `root` is the thumbnail cache, the only folder it may be served from.
   */
  'datasets.thumbnailPath': {
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
    output: modelImportSchema,
  },
  'models.rename': {
    input: z.object({ id, name: z.string().trim().min(1).max(200) }).strict(),
    output: modelSummarySchema,
  },
  /** Points a stored model at the file it was moved to; the file must have the stored SHA-256. */
  'models.relocate': {
    input: z.object({ id, path: z.string().min(1) }).strict(),
    output: modelSummarySchema,
  },
  /** Whether the model's file is still there with its size (stat only, no hashing). */
  'models.fileStatus': {
    input: z.object({ id }).strict(),
    output: fileStatusSchema,
  },
  'models.get': {
    input: z.object({ id }).strict(),
    output: modelSummarySchema,
  },
  'models.setAdapter': {
    input: z.object({ id, adapter: adapterConfigSchema }).strict(),
    output: modelSummarySchema,
  },
  /** The model's tags as the user states them; null goes back to the suggestion. */
  'models.setTags': {
    input: z.object({ id, tags: modelTagsSchema.nullable() }).strict(),
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
  /** Removes evaluations with their detections and metrics (not their model or dataset). */
  'evaluations.delete': {
    input: z.object({ ids: z.array(id).min(1).max(10_000) }).strict(),
    output: z.object({ deleted: z.number() }),
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
  /** What a plan resolves to (conditions, images, units) and the audit that already computes it, if any; stores nothing. */
  'audits.plan': {
    input: auditStartInputSchema,
    output: z.object({
      conditions: z.array(conditionSchema),
      images: z.number(),
      units: z.number(),
      fingerprint: z.string(),
      existing: auditSummarySchema.nullable(),
    }),
  },
  /**
   * How long the audit of this setup would take here: a short calibration run (a few
   * images x one condition per corruption, every model, the real runner and CPU budget)
   * extrapolated to the plan. Stores nothing; streams progress; a cancel stops it.
   */
  'audits.estimate': {
    input: auditStartInputSchema,
    output: auditEstimateSchema,
  },
  /** Plans and starts an audit; follow it with jobs.watch(jobId). */
  'audits.start': {
    input: auditStartInputSchema,
    output: z.object({ audit: auditSummarySchema, jobId: z.string() }),
  },
  'audits.list': {
    input: z.object({ kind: z.enum(['audit', 'evaluation']).optional(), datasetId: id.optional(), modelId: id.optional() }).strict(),
    output: z.array(auditSummarySchema),
  },
  'audits.get': {
    input: z.object({ id }).strict(),
    output: auditDetailSchema,
  },
  /** Stops sending work, lets what is in flight finish and be stored; resolves when paused. */
  'audits.pause': {
    input: z.object({ id }).strict(),
    output: auditSummarySchema,
  },
  /** Continues a paused, interrupted or failed audit from its last stored unit. */
  'audits.resume': {
    input: z.object({ id }).strict(),
    output: z.object({ audit: auditSummarySchema, jobId: z.string() }),
  },
  /** Stops for good (what was stored stays); a stopped audit is no longer offered for resume. */
  'audits.cancel': {
    input: z.object({ id }).strict(),
    output: auditSummarySchema,
  },
  'audits.delete': {
    input: z.object({ id }).strict(),
    output: z.object({ deleted: z.boolean() }),
  },
  /** Every (model, condition) with its 12 COCO stats once scored. */
  'audits.cells': {
    input: z.object({ id }).strict(),
    output: z.array(auditCellSchema),
  },
  /** Per (cell, category) AP, AP50, GT and detection counts, filtered and bounded. */
  'audits.metrics': {
    input: auditMetricsInputSchema,
    output: z.array(auditMetricRowSchema),
  },
  /**
   * Merges shard stores (made by `odra audit --shard I/N --db FILE`) into one audit of the
   * whole plan in this store: same plan, each shard once, all of them unless allowPartial
   * (stored marked partial; a later merge of the rest completes it). When complete the
   * audit is scored once over the whole plan: follow it with jobs.watch(jobId).
   */
  'audits.merge': {
    input: z.object({ stores: z.array(z.string().min(1)).min(1).max(100000), allowPartial: z.boolean().default(false) }).strict(),
    output: z.object({
      audit: auditSummarySchema,
      jobId: z.string().nullable(),
      merged: z.array(z.number().int()),
      missing: z.array(z.number().int()),
    }),
  },
  /** Scores every complete cell again with these class maps (per model id), or the maps in force now: no inference. */
  'audits.rescore': {
    input: z.object({ id, classMaps: z.record(z.string(), classMapSchema).optional() }).strict(),
    output: z.object({ audit: auditSummarySchema, jobId: z.string() }),
  },
  /**
   * The audit's analysis: robustness (P, mPC, rPC; Michaelis et al. 2019) per model and
   * class, per corruption and family, worst class, imbalance, deltas vs the baseline, with
   * paired-bootstrap intervals. Computed off the engine's thread; stored once the audit is done.
   */
  'audits.analysis': {
    input: analysisRequestSchema,
    output: auditAnalysisSchema,
  },
  /** What `odra audit --json` prints: the analysis mapped, with every cell's COCO stats. */
  'audits.result': {
    input: analysisRequestSchema,
    output: auditResultSchema,
  },
  /** One unit's raw detections (model class) and the evaluation categories each scores as. */
  'audits.detections': {
    input: z.object({ id, modelId: id, conditionIndex: z.number().int().nonnegative(), imageId: z.number().int() }).strict(),
    output: z.array(
      z.object({
        bbox: z.tuple([z.number(), z.number(), z.number(), z.number()]),
        score: z.number(),
        classIndex: z.number(),
        className: z.string(),
        categoryIds: z.array(z.number()),
      }),
    ),
  },
  /** One unit's detections matched against the image's GT at one IoU threshold (the drill-down's boxes). */
  'audits.imageMatches': {
    input: z
      .object({
        id,
        modelId: id,
        conditionIndex: z.number().int().nonnegative(),
        imageId: z.number().int(),
        iouThreshold: z.number().min(0).max(1).default(0.5),
      })
      .strict(),
    output: imageMatchesSchema.extend({ done: z.boolean() }),
  },
  /** Per image of the audit: one category's TP / FP / FN under one condition for two models (the drill-down's list). */
  'audits.cellImages': {
    input: z
      .object({
        id,
        conditionIndex: z.number().int().nonnegative(),
        categoryId: z.number().int(),
        modelA: id,
        modelB: id,
        iouThreshold: z.number().min(0).max(1).default(0.5),
      })
      .strict(),
    output: z.array(cellImageRowSchema),
  },
  /** One cell's detections as a COCO results file. */
  'audits.cocoResults': {
    input: z.object({ id, modelId: id, conditionIndex: z.number().int().nonnegative() }).strict(),
    output: z.array(z.object({ image_id: z.number(), category_id: z.number(), bbox: bboxSchema, score: z.number() })),
  },
  /**
   * The demo workspace (first run): generates the demo scenes beside the store, imports
   * them and the demo detector family, and starts (or resumes, or returns the finished)
   * demo audit; follow it with jobs.watch(jobId). Progress while scenes are generated.
   */
  'demo.setup': {
    input: demoSetupInputSchema,
    output: demoWorkspaceSchema,
  },
  /**
   * A finished audit's safety report as one self-contained HTML document (the preview);
   * progress while the audit is read and rendered. src/shared/report-export.ts.
   */
  'reports.render': {
    input: reportRenderInputSchema,
    output: reportRenderOutputSchema,
  },
  /** The same report written to a .pdf (printed by the engine's printer, audit record attached) or .html file. */
  'reports.write': {
    input: reportWriteInputSchema,
    output: reportWriteOutputSchema,
  },
  'jobs.list': {
    input: z.object({}).strict(),
    output: z.array(jobInfoSchema),
  },
  'jobs.get': {
    input: z.object({ id: z.string().min(1).max(100) }).strict(),
    output: jobInfoSchema,
  },
  /** Streams the job's events (its latest progress first) until it ends; answers with its final info. */
  'jobs.watch': {
    input: z.object({ id: z.string().min(1).max(100) }).strict(),
    output: jobInfoSchema,
  },
  /** Cancels the job (an audit keeps what it stored); answers at once with its info. */
  'jobs.cancel': {
    input: z.object({ id: z.string().min(1).max(100) }).strict(),
    output: jobInfoSchema,
  },
} as const;

export type Contract = typeof contract;

/** Methods only a trusted caller (Electron main, the CLI, the HTTP file route) may use. */
export const PRIVILEGED_METHODS: ReadonlySet<string> = new Set(['datasets.imagePath', 'datasets.thumbnailPath']);
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
export const eventMessageSchema = z.object({ type: z.literal('event'), id: z.string(), event: jobEventSchema });
export type ResponseMessage = z.infer<typeof responseMessageSchema>;
export type ProgressMessage = z.infer<typeof progressMessageSchema>;
export type EventMessage = z.infer<typeof eventMessageSchema>;
export type EngineMessage = ResponseMessage | ProgressMessage | EventMessage;
