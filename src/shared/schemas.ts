/**
 * Domain schemas: the one place where Odra's data shapes are defined. Types are
 * inferred from these zod schemas; the engine validates every request against them.
 * No Node and no DOM imports here: the renderer bundles this file too.
 */
import { z } from 'zod';
import { adapterConfigSchema, modelFingerprintSchema } from './adapter';
import { modelTagsSchema, tagSuggestionSchema } from './model-tags';

export const bboxSchema = z.tuple([z.number(), z.number(), z.number(), z.number()]);

export const cocoStatsSchema = z.object({
  AP: z.number(),
  AP50: z.number(),
  AP75: z.number(),
  APs: z.number(),
  APm: z.number(),
  APl: z.number(),
  AR1: z.number(),
  AR10: z.number(),
  AR100: z.number(),
  ARs: z.number(),
  ARm: z.number(),
  ARl: z.number(),
});
export type CocoStatsDto = z.infer<typeof cocoStatsSchema>;

export const perCategorySchema = z.object({
  id: z.number(),
  name: z.string(),
  AP: z.number().nullable(),
  AP50: z.number().nullable(),
  num_gt: z.number(),
  num_dets: z.number(),
  /** a merged evaluation category: the dataset categories scored as it */
  datasetCategories: z.array(z.string()).optional(),
  /** dataset categories whose boxes are ignore regions for it */
  ignoring: z.array(z.string()).optional(),
});
export type PerCategoryDto = z.infer<typeof perCategorySchema>;

export const tensorInfoSchema = z.object({
  name: z.string(),
  type: z.string(),
  /** numbers for fixed dims, strings for symbolic ones, null when unknown */
  shape: z.array(z.union([z.number(), z.string(), z.null()])),
});

export const modelIOSchema = z.object({
  inputs: z.array(tensorInfoSchema),
  outputs: z.array(tensorInfoSchema),
  metadata: z.record(z.string(), z.string()),
  opset: z.number().nullable(),
  producer: z.string().nullable(),
});
export type ModelIODto = z.infer<typeof modelIOSchema>;

export const modelSummarySchema = z.object({
  id: z.number(),
  name: z.string(),
  path: z.string(),
  sha256: z.string(),
  fileSize: z.number(),
  io: modelIOSchema,
  adapter: adapterConfigSchema,
  adapterSource: z.enum(['auto', 'user']),
  detectConfidence: z.number(),
  detectReason: z.string(),
  /** the compression fingerprint; null for models stored before it existed */
  fingerprint: modelFingerprintSchema.nullable(),
  /** what the model is (compression, training, note): the user's tags, else the suggestion */
  tags: modelTagsSchema,
  tagsSource: z.enum(['user', 'suggested']),
  /** what the odra.* metadata or the fingerprint suggest, with the reasons */
  tagSuggestion: tagSuggestionSchema,
  createdAt: z.string(),
});
export type ModelSummary = z.infer<typeof modelSummarySchema>;

export const categorySchema = z.object({
  id: z.number(),
  name: z.string(),
  supercategory: z.string().nullable(),
  cocoEquivalent: z.string().nullable(),
  /** number of annotations (crowd included) */
  count: z.number(),
});
export type CategoryDto = z.infer<typeof categorySchema>;

/** Dataset folder formats Odra imports; detected from the folder unless the caller names one. */
export const DATASET_FORMATS = ['coco', 'yolo', 'voc', 'kitti', 'bdd'] as const;
export const datasetFormatSchema = z.enum(DATASET_FORMATS);
export type DatasetFormat = z.infer<typeof datasetFormatSchema>;

export const datasetSummarySchema = z.object({
  id: z.number(),
  name: z.string(),
  root: z.string(),
  format: z.string(),
  contentHash: z.string(),
  imageCount: z.number(),
  annotationCount: z.number(),
  createdAt: z.string(),
  categories: z.array(categorySchema),
  /** what the import changed or wants the analyst to know (e.g. boxes clipped to the image) */
  notes: z.array(z.string()),
});
export type DatasetSummary = z.infer<typeof datasetSummarySchema>;

/**
 * Whether the files a stored model or dataset names are still where the store says,
 * from stat() alone (no hashing: the list shows it for every item). `missing`: some file
 * (or the folder) is not there or is not a regular file; `changed`: some file is there
 * with another size than it had, so it holds other bytes; `present`: every file is there
 * with the size it had (a run still re-hashes what changed since its last check).
 * Missing wins over changed. Either of the first two is mended by relocate (to the
 * folder or file holding the same bytes) or by importing the new bytes as a new item.
 */
export const FILE_STATES = ['present', 'missing', 'changed'] as const;
export const fileStatusSchema = z.object({
  state: z.enum(FILE_STATES),
  /** the dataset's folder or the model's file */
  path: z.string(),
  files: z.number(),
  missing: z.number(),
  changed: z.number(),
  /** the first FILE_STATUS_PROBLEMS problem files, sorted by path */
  problems: z.array(z.object({ file: z.string(), problem: z.string() })),
  /** what is wrong and what to do, in one sentence; null when present */
  message: z.string().nullable(),
});
export type FileStatus = z.infer<typeof fileStatusSchema>;
/** Problem files a status lists (the counts cover all of them). */
export const FILE_STATUS_PROBLEMS = 20;

/**
 * On an import's answer when the store already held the same bytes (a model's SHA-256,
 * a dataset's content hash): nothing new was stored and the answer is the stored one.
 * The UI says "already imported as …", links to it and, when another name was asked
 * for, offers to rename it (models.rename / datasets.rename); the CLI prints one line.
 */
export const alreadyImportedSchema = z.object({
  /** the name the import asked for when it differs from the stored one */
  requestedName: z.string().nullable(),
  /** the file or folder the import named when it is not the stored one's (same bytes elsewhere) */
  requestedPath: z.string().nullable(),
});
export type AlreadyImported = z.infer<typeof alreadyImportedSchema>;

export const modelImportSchema = modelSummarySchema.extend({ alreadyImported: alreadyImportedSchema.optional() });
export type ModelImport = z.infer<typeof modelImportSchema>;
export const datasetImportSchema = datasetSummarySchema.extend({ alreadyImported: alreadyImportedSchema.optional() });
export type DatasetImport = z.infer<typeof datasetImportSchema>;

/** The one sentence every front end shows for an import that found its bytes already stored. */
export function alreadyImportedMessage(kind: 'model' | 'dataset', stored: { name: string; path: string }, already: AlreadyImported): string {
  const elsewhere = already.requestedPath
    ? ` (from ${stored.path}, which holds the same ${kind === 'model' ? 'bytes' : 'images and labels'}; Odra reads it from there)`
    : '';
  const rename = already.requestedName ? `; it keeps its name "${stored.name}" unless you rename it to "${already.requestedName}"` : '';
  return `this ${kind} is already imported as "${stored.name}"${elsewhere}: nothing new was imported${rename}`;
}

/** A scalar attribute value kept from the source format; "1", 1 and true are different values. */
export const attributeValueSchema = z.union([z.string(), z.number(), z.boolean()]);
export type AttributeValueDto = z.infer<typeof attributeValueSchema>;

export const annotationSchema = z.object({
  id: z.number(),
  categoryId: z.number(),
  bbox: bboxSchema,
  iscrowd: z.boolean(),
  /** the box's scalar attributes (KITTI truncated/occluded, BDD occluded, VOC difficult, ...) */
  attributes: z.record(z.string(), attributeValueSchema).optional(),
});

export const imageEntrySchema = z.object({
  id: z.number(),
  fileName: z.string(),
  width: z.number(),
  height: z.number(),
  annotations: z.array(annotationSchema),
  /** the image's scalar attributes (BDD weather, timeofday, scene, ...) */
  attributes: z.record(z.string(), attributeValueSchema).optional(),
});
export type ImageEntry = z.infer<typeof imageEntrySchema>;

const attributeScopeSchema = z.enum(['image', 'annotation']);

/** [min, max) of a numeric attribute, or [min, max] with includeMax (a dataset's top bin). */
export const attributeRangeSchema = z
  .object({ min: z.number(), max: z.number(), includeMax: z.boolean().default(false) })
  .strict()
  .refine((r) => r.min <= r.max, { message: 'range min must not exceed max' });

/**
 * One attribute a dataset can be sliced by (attribute-classes.ts decides which kind):
 * `values`: a category-like field, each value with how often it occurs;
 * `range`: a numeric measurement, offered as bins over [min, max] (the last bin
 * includes max). Counts are images (scope image) or boxes (scope annotation).
 */
export const attributeSummarySchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('values'),
    key: z.string(),
    scope: attributeScopeSchema,
    values: z.array(z.object({ value: attributeValueSchema, count: z.number() })),
  }),
  z.object({
    kind: z.literal('range'),
    key: z.string(),
    scope: attributeScopeSchema,
    min: z.number(),
    max: z.number(),
    bins: z.array(z.object({ min: z.number(), max: z.number(), includeMax: z.boolean(), count: z.number() })),
  }),
]);
export type AttributeSummaryDto = z.infer<typeof attributeSummarySchema>;

/**
 * Images that have this attribute value, or a value in this range (scope image), or a
 * box with it (scope annotation). Exactly one of value / range.
 */
export const attributeFilterSchema = z.union([
  z
    .object({
      key: z.string().min(1),
      value: attributeValueSchema,
      scope: attributeScopeSchema.default('image'),
    })
    .strict(),
  z
    .object({
      key: z.string().min(1),
      range: attributeRangeSchema,
      scope: attributeScopeSchema.default('image'),
    })
    .strict(),
]);

/** COCO area ranges (box-filters.ts): small [0, 32²), medium [32², 96²), large [96², ∞). */
export const boxSizeSchema = z.enum(['small', 'medium', 'large']);
export type BoxSize = z.infer<typeof boxSizeSchema>;

/** Images per box-size class and with / without crowd regions: the counts beside those filters. */
export const boxFacetsSchema = z.object({
  /** images with at least one non-crowd box of the size */
  sizes: z.object({ small: z.number(), medium: z.number(), large: z.number() }),
  /** images with at least one crowd region (yes), and the others (no) */
  crowd: z.object({ yes: z.number(), no: z.number() }),
});
export type BoxFacetsDto = z.infer<typeof boxFacetsSchema>;

/**
 * One evaluation category of a class map: what is scored under one name. Semantics
 * (src/shared/class-map.ts): the detections of `modelClasses` score as this category;
 * the GT of every dataset category in `datasetCategories` is its GT (several: a merge,
 * e.g. KITTI Car + Van -> vehicle); the boxes of the dataset categories in `ignore`
 * are ignore regions for it (a detection on one is neither TP nor FP, matched like a
 * COCO crowd region; never counted as GT). A model class may appear in at most one
 * evaluation category, a dataset category in at most one `datasetCategories`.
 */
export const classMapCategorySchema = z
  .object({
    /** shown in the results; a single dataset category keeps its own name, a merge is named by the analyst */
    name: z.string().trim().min(1).max(200),
    /** dataset category ids scored as this category; the smallest is the evaluation category's id */
    datasetCategories: z.array(z.number().int()).min(1),
    /** model class names whose detections score as this category; none: not scored */
    modelClasses: z.array(z.string()),
    /** dataset category ids whose boxes are ignore regions for this category */
    ignore: z.array(z.number().int()).default([]),
  })
  .strict();
export type ClassMapCategory = z.infer<typeof classMapCategorySchema>;

/** How a model's classes are scored against a dataset's categories (format 2). */
export const classMapSchema = z
  .object({
    version: z.literal(2),
    categories: z.array(classMapCategorySchema),
  })
  .strict();
export type ClassMap = z.infer<typeof classMapSchema>;
export type ClassMapInput = z.input<typeof classMapSchema>;

/**
 * The first format (stores before schema 4, evaluations recorded then, old
 * --class-map files): dataset category id -> model class names. Read, converted, never written.
 */
export const legacyClassMapSchema = z.record(z.string(), z.array(z.string()));
export type LegacyClassMap = z.infer<typeof legacyClassMapSchema>;

/** The class map in force for one (model, dataset): the saved one, else the automatic suggestion. */
export const classMapStateSchema = z.object({
  classMap: classMapSchema,
  source: z.enum(['saved', 'suggested']),
  /** dataset categories no scored evaluation category takes: excluded from the metrics */
  unmapped: z.array(z.string()),
  /** annotations of those categories (crowd regions included) */
  unmappedAnnotations: z.number(),
  /** why a saved map is not in force (it no longer fits the model's classes, or it counts a class twice) */
  note: z.string().optional(),
  /** what the automatic suggestion decided and why (merges, ignore rules); empty for a saved map */
  notes: z.array(z.string()),
});
export type ClassMapState = z.infer<typeof classMapStateSchema>;

export const evaluationStatusSchema = z.enum(['running', 'paused', 'interrupted', 'done', 'failed', 'cancelled']);

export const evaluationSchema = z.object({
  id: z.number(),
  modelId: z.number(),
  datasetId: z.number(),
  modelName: z.string(),
  datasetName: z.string(),
  modelSha256: z.string(),
  datasetHash: z.string(),
  status: evaluationStatusSchema,
  /** the provider that actually ran */
  executionProvider: z.string().nullable(),
  requestedProvider: z.string().nullable(),
  /** set when the requested provider could not be used and Odra fell back to CPU */
  providerWarning: z.string().nullable(),
  toolVersion: z.string(),
  classMap: classMapSchema,
  /** dataset categories with GT that no model class maps to: excluded from the metrics */
  unmappedCategories: z.array(z.string()),
  /** the dataset folder the run read (null for runs stored before it was recorded) */
  datasetRoot: z.string().nullable(),
  /** the model file the run loaded (null for runs stored before it was recorded) */
  modelPath: z.string().nullable(),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
  seconds: z.number().nullable(),
  error: z.string().nullable(),
  stats: cocoStatsSchema.nullable(),
  perCategory: z.array(perCategorySchema),
});
export type EvaluationDto = z.infer<typeof evaluationSchema>;

export const progressSchema = z.object({
  /** what is being done, for the status line */
  stage: z.string(),
  done: z.number(),
  total: z.number(),
  /** seconds left, estimated from the rate so far; null before there is a rate */
  etaSeconds: z.number().nullable(),
  message: z.string().optional(),
});
export type Progress = z.infer<typeof progressSchema>;

/**
 * One stored detection of an evaluation: every detection the model made, with its own
 * class index; categoryId is the evaluation category it scored as, null when its class
 * is not scored (unmapped). Evaluations recorded before schema 4 stored only scored
 * detections, without the class index (null).
 */
export const detectionSchema = z.object({
  imageId: z.number(),
  categoryId: z.number().nullable(),
  classIndex: z.number().nullable(),
  bbox: bboxSchema,
  score: z.number(),
});
export type DetectionDto = z.infer<typeof detectionSchema>;

/**
 * One image of an evaluation matched COCO-style at one IoU threshold and a score
 * threshold (src/engine/evaluations/image-matches.ts): what the image view colours.
 */
export const imageMatchesSchema = z.object({
  /** at or above the score threshold, within maxDets per category; highest score first */
  detections: z.array(
    z.object({
      bbox: bboxSchema,
      score: z.number(),
      /** the evaluation category it scored as; null: its model class is not scored */
      categoryId: z.number().nullable(),
      /** the model's own class index (null for evaluations recorded before it was stored) */
      classIndex: z.number().nullable(),
      /** the evaluation category's name, or the model class's name when not scored */
      label: z.string(),
      /**
       * ignored: absorbed by a crowd region or an ignore region (neither TP nor FP);
       * not-scored: a model class the class map does not score (shown, never counted)
       */
      status: z.enum(['tp', 'fp', 'ignored', 'not-scored']),
      /** what absorbed an ignored detection */
      ignoredBy: z.enum(['crowd', 'ignore-region']).optional(),
      gtId: z.number().optional(),
      iou: z.number().optional(),
    }),
  ),
  groundTruth: z.array(
    z.object({
      id: z.number(),
      bbox: bboxSchema,
      /** the dataset category */
      categoryId: z.number(),
      /** the dataset category's name */
      label: z.string(),
      /** the evaluation category it is GT of (a merge's name differs from the label); null when not scored */
      scoredAs: z.string().nullable(),
      iscrowd: z.boolean(),
      /**
       * ignore-region: not scored itself, an ignore region for a scored category;
       * excluded: a category the evaluation does not score at all (unmapped)
       */
      status: z.enum(['matched', 'missed', 'crowd', 'ignore-region', 'excluded']),
    }),
  ),
  /** detections not shown: under the score threshold, or past maxDets in their category */
  hidden: z.object({ belowScore: z.number(), beyondMaxDets: z.number() }),
});
export type ImageMatchesDto = z.infer<typeof imageMatchesSchema>;
