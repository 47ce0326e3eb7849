/**
 * Audits and jobs in the contract: the one place their shapes are defined.
 *
 * An audit is models x one dataset x conditions with a seed. A condition is a
 * (corruption, severity) pair; `clean` is severity 0 and is always the first condition.
 * A cell is one (model, condition); a unit is one (image, condition, model). Positions
 * (model position, condition index, image position) are 0-based indices into the
 * audit's own lists, fixed when the audit is planned.
 *
 * Condition selection (issue 9, item 1):
 *   preset benchmark = the 15 benchmark corruptions x severities 1..5   (75 + clean)
 *   preset all       = the 19 corruptions x severities 1..5             (95 + clean)
 *   preset quick     = the 15 benchmark corruptions at severity 3       (15 + clean)
 *   `corruptions` replaces the preset's corruption list, `severities` its severities;
 *   with neither a preset nor corruptions the audit has the clean condition only.
 *   Conditions are ordered clean first, then corruptions in catalogue order
 *   (CORRUPTION_NAMES), each with its severities ascending.
 *
 * Jobs are long work the engine owns (audits, evaluations, re-scoring): start returns
 * an id, any client watches it by id (`jobs.watch`, events below), and closing a
 * connection ends a watch, never a job.
 */
import { z } from 'zod';
import { classMapSchema, cocoStatsSchema, perCategorySchema } from './schemas';
import { BENCHMARK_CORRUPTIONS, CORRUPTION_NAMES, type CorruptionName } from './corruptions';
import { adapterConfigSchema, modelFingerprintSchema } from './adapter';
import { ERROR_CODES } from './errors';
import { modelTagsSchema } from './model-tags';

const id = z.number().int().nonnegative();

export const CONDITION_PRESETS = ['benchmark', 'all', 'quick'] as const;
export type ConditionPreset = (typeof CONDITION_PRESETS)[number];

export const conditionCorruptionSchema = z.union([z.literal('clean'), z.enum(CORRUPTION_NAMES)]);
export type ConditionCorruption = z.infer<typeof conditionCorruptionSchema>;

/** One (corruption, severity); clean has severity 0 and nothing else does. */
export const conditionSchema = z.object({
  corruption: conditionCorruptionSchema,
  severity: z.number().int().min(0).max(5),
});
export type Condition = z.infer<typeof conditionSchema>;

export const conditionSelectionSchema = z
  .object({
    preset: z.enum(CONDITION_PRESETS).optional(),
    corruptions: z.array(z.enum(CORRUPTION_NAMES)).max(CORRUPTION_NAMES.length).optional(),
    severities: z.array(z.number().int().min(1).max(5)).min(1).max(5).optional(),
  })
  .strict();
export type ConditionSelection = z.infer<typeof conditionSelectionSchema>;

/** The corruption list and severities of a preset. */
export function presetConditions(preset: ConditionPreset): { corruptions: CorruptionName[]; severities: number[] } {
  if (preset === 'quick') return { corruptions: [...BENCHMARK_CORRUPTIONS], severities: [3] };
  if (preset === 'benchmark') return { corruptions: [...BENCHMARK_CORRUPTIONS], severities: [1, 2, 3, 4, 5] };
  return { corruptions: [...CORRUPTION_NAMES], severities: [1, 2, 3, 4, 5] };
}

/** Clean first, then each corruption in catalogue order with its severities ascending; duplicates dropped. */
export function resolveConditions(selection: ConditionSelection): Condition[] {
  const base = selection.preset ? presetConditions(selection.preset) : { corruptions: [], severities: [1, 2, 3, 4, 5] };
  const wanted = new Set<string>(selection.corruptions ?? base.corruptions);
  const severities = [...new Set(selection.severities ?? base.severities)].sort((a, b) => a - b);
  const out: Condition[] = [{ corruption: 'clean', severity: 0 }];
  for (const name of CORRUPTION_NAMES) {
    if (!wanted.has(name)) continue;
    for (const severity of severities) out.push({ corruption: name, severity });
  }
  return out;
}

export function conditionLabel(c: Condition): string {
  return c.corruption === 'clean' ? 'clean' : `${c.corruption}/${c.severity}`;
}

const executionProviderSchema = z.string().regex(/^[a-z0-9_-]{2,32}$/);

export const auditStartInputSchema = z
  .object({
    name: z.string().min(1).max(200).optional(),
    /** models in the order they are reported; at least one */
    modelIds: z.array(id).min(1).max(32),
    /** one of modelIds; the first model when absent */
    baselineModelId: id.optional(),
    datasetId: id,
    /** a seeded sample of this many images (all images when absent or larger than the dataset) */
    sample: z.number().int().positive().optional(),
    conditions: conditionSelectionSchema,
    seed: z.number().int().min(0).max(0xffffffff).default(0),
    /** cpu, cuda, tensorrt, dml, coreml, webgpu: tried, with a visible fallback to cpu */
    executionProvider: executionProviderSchema.optional(),
    /** onnxruntime intra-op threads (the rest of the CPU budget goes to the corruption pool) */
    threads: z.number().int().positive().max(256).optional(),
    /** images per ORT run, where the model's batch dimension allows it */
    batchSize: z.number().int().positive().max(256).optional(),
    /** corruption worker threads (the rest of the cores by default) */
    workers: z.number().int().positive().max(256).optional(),
    /** class map per model id (as a string key); the map in force for (model, dataset) when absent */
    classMaps: z.record(z.string(), classMapSchema).optional(),
    /** record the SHA-256 of every corrupted image fed to the models (costs a few ms per image) */
    recordInputDigests: z.boolean().optional(),
    /** run only shard `index` of `count` of the plan's images (audits/shards.ts); merged later by audits.merge */
    shard: z
      .object({ index: z.number().int().nonnegative(), count: z.number().int().positive().max(100000) })
      .strict()
      .refine((s) => s.index < s.count, { message: 'the shard index must be below the shard count' })
      .optional(),
  })
  .strict();
export type AuditStartInput = z.input<typeof auditStartInputSchema>;

/**
 * What `audits.estimate` answers: the wall time the audit of this setup is expected to
 * take on this machine, from a short calibration run (engine/audits/calibration.ts,
 * extrapolated by engine/audits/estimate-math.ts). Seconds; `low`..`high` is the range.
 */
export const auditEstimateSchema = z.object({
  seconds: z.number().nonnegative(),
  low: z.number().nonnegative(),
  high: z.number().nonnegative(),
  /** models x images x conditions of the full plan */
  units: z.number().int().nonnegative(),
  images: z.number().int().nonnegative(),
  conditions: z.number().int().nonnegative(),
  /** per model: its cost per unit on the runner's inference thread (preprocess, run, decode) and its share of the plan */
  perModel: z.array(
    z.object({ modelId: z.number(), name: z.string(), secondsPerUnit: z.number().nonnegative(), seconds: z.number().nonnegative() }),
  ),
  /** per corruption in the plan: kernel seconds per image (clean: 0) */
  perCorruption: z.array(z.object({ corruption: conditionCorruptionSchema, secondsPerImage: z.number().nonnegative() })),
  /** the stage that sets the pace: the runner's inference thread, the corruption pool, scoring, or the CPU as a whole */
  bottleneck: z.enum(['inference', 'corruption', 'scoring', 'cpu']),
  /** wall time the calibration itself took */
  calibrationSeconds: z.number().nonnegative(),
  /** what was measured, in words: "4 images x 7 conditions" */
  basis: z.string(),
  /** the parallelism the estimate assumes (the real run's CPU budget) */
  ortThreads: z.number().int().positive(),
  poolWorkers: z.number().int().positive(),
});
export type AuditEstimate = z.infer<typeof auditEstimateSchema>;

export const AUDIT_STATUSES = ['running', 'paused', 'interrupted', 'done', 'failed', 'cancelled'] as const;
export const auditStatusSchema = z.enum(AUDIT_STATUSES);
export type AuditStatus = z.infer<typeof auditStatusSchema>;

export const auditModelSchema = z.object({
  position: z.number().int(),
  modelId: z.number(),
  name: z.string(),
  path: z.string(),
  sha256: z.string(),
  baseline: z.boolean(),
  /** the provider that actually ran; null before the model ran */
  executionProvider: z.string().nullable(),
  requestedProvider: z.string().nullable(),
  /** why the requested provider is not the one that ran */
  providerWarning: z.string().nullable(),
  classMap: classMapSchema,
  /** dataset categories with GT that no model class maps to: left out of the metrics */
  unmappedCategories: z.array(z.string()),
});
export type AuditModelDto = z.infer<typeof auditModelSchema>;

export const machineSchema = z.object({
  cpuModel: z.string(),
  cores: z.number(),
  ramBytes: z.number(),
  os: z.string(),
  platform: z.string(),
  arch: z.string(),
  node: z.string(),
  /** a GPU the operating system reports (name), null when none is found */
  gpu: z.string().nullable(),
});
export type Machine = z.infer<typeof machineSchema>;

/**
 * Sharding of an audit. A shard audit (index set) ran one shard of a plan into
 * its own store; a merged audit (index null) holds the units of the shards in `merged`
 * and is `partial` until they cover all `count` shards. `planFingerprint` identifies the
 * whole plan (audits/shards.ts): shards agree on it or they do not merge.
 */
export const auditShardSchema = z.object({
  planFingerprint: z.string(),
  count: z.number().int().positive(),
  index: z.number().int().nonnegative().nullable(),
  merged: z.array(z.number().int().nonnegative()),
  partial: z.boolean(),
});
export type AuditShard = z.infer<typeof auditShardSchema>;

/** What every number of an audit is traceable to. */
export const provenanceSchema = z.object({
  odraVersion: z.string(),
  /** bumps whenever a corruption's output changes (src/shared/corruptions.ts) */
  corruptionCatalogueVersion: z.string(),
  onnxruntime: z.string(),
  seed: z.number(),
  dataset: z.object({
    id: z.number(),
    name: z.string(),
    root: z.string(),
    format: z.string(),
    contentHash: z.string(),
    imageCount: z.number(),
    /** images in the audit (a seeded sample, or all) */
    auditedImages: z.number(),
  }),
  models: z.array(
    z.object({
      name: z.string(),
      path: z.string(),
      sha256: z.string(),
      fileSize: z.number(),
      baseline: z.boolean(),
      adapter: adapterConfigSchema,
      fingerprint: modelFingerprintSchema.nullable(),
      classMap: classMapSchema,
      /** the model's tags when the run started (absent in audits made before tags existed) */
      tags: modelTagsSchema.optional(),
      tagsSource: z.enum(['user', 'suggested']).optional(),
    }),
  ),
  requestedProvider: z.string(),
  /** the shard this audit ran, or the shards merged into it (absent: run whole) */
  shard: auditShardSchema.optional(),
  /** the machine of the latest run (a resumed audit may have run on several) */
  machine: machineSchema,
  /** every run: when, where and with which settings (resumes append) */
  runs: z.array(
    z.object({
      startedAt: z.string(),
      machine: machineSchema,
      threads: z.number(),
      poolWorkers: z.number(),
      batchSize: z.number().nullable(),
      executionProviders: z.array(z.string()),
    }),
  ),
});
export type Provenance = z.infer<typeof provenanceSchema>;


export const auditSummarySchema = z.object({
  id: z.number(),
  /** evaluation: a clean evaluation (one model, the clean condition), shown by the Evaluate view */
  kind: z.enum(['audit', 'evaluation']),
  name: z.string(),
  status: auditStatusSchema,
  datasetId: z.number(),
  datasetName: z.string(),
  datasetHash: z.string(),
  models: z.array(auditModelSchema),
  conditions: z.array(conditionSchema),
  images: z.number(),
  seed: z.number(),
  sample: z.number().nullable(),
  unitsDone: z.number(),
  unitsTotal: z.number(),
  cellsDone: z.number(),
  cellsTotal: z.number(),
  toolVersion: z.string(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  /** running time summed over every run */
  seconds: z.number(),
  error: z.string().nullable(),
  /** the job running it now, null when none */
  jobId: z.string().nullable(),
  /** paused, interrupted or failed audits can be resumed from their last committed unit */
  resumable: z.boolean(),
  /** migrated from an evaluation made before raw detections were stored: not resumable, not re-scorable */
  legacy: z.boolean(),
  /** a shard of a plan, or a merge of shards; null for an audit run whole */
  shard: auditShardSchema.nullable(),
});
export type AuditSummary = z.infer<typeof auditSummarySchema>;

export const auditDetailSchema = auditSummarySchema.extend({
  provenance: provenanceSchema.nullable(),
  executionProvider: z.string().nullable(),
  threads: z.number().nullable(),
  batchSize: z.number().nullable(),
  workers: z.number().nullable(),
});
export type AuditDetail = z.infer<typeof auditDetailSchema>;

/** One (model, condition) of an audit; stats is null until its last image is scored. */
export const auditCellSchema = z.object({
  modelId: z.number(),
  modelPosition: z.number(),
  conditionIndex: z.number(),
  corruption: conditionCorruptionSchema,
  severity: z.number(),
  stats: cocoStatsSchema.nullable(),
});
export type AuditCell = z.infer<typeof auditCellSchema>;

/** Per (cell, category): what heatmaps and tables read. */
export const auditMetricRowSchema = perCategorySchema.extend({
  modelId: z.number(),
  modelPosition: z.number(),
  conditionIndex: z.number(),
  corruption: conditionCorruptionSchema,
  severity: z.number(),
});
export type AuditMetricRow = z.infer<typeof auditMetricRowSchema>;

export const auditMetricsInputSchema = z
  .object({
    id,
    modelId: id.optional(),
    corruption: conditionCorruptionSchema.optional(),
    severity: z.number().int().min(0).max(5).optional(),
    categoryId: z.number().int().optional(),
    offset: z.number().int().nonnegative().default(0),
    limit: z.number().int().positive().max(100_000).default(20_000),
  })
  .strict();

const matchCountsSchema = z.object({ tp: z.number().int(), fp: z.number().int(), fn: z.number().int() });

/** One image of a drill-down: a category's TP / FP / FN under one condition for models A and B. */
export const cellImageRowSchema = z.object({
  imageId: z.number(),
  fileName: z.string(),
  a: matchCountsSchema,
  b: matchCountsSchema,
  /** A finds a GT box that B misses */
  missedOnlyByB: z.boolean(),
  /** B finds a GT box that A misses */
  foundOnlyByB: z.boolean(),
});
export type CellImageRow = z.infer<typeof cellImageRowSchema>;

// ---- jobs ----------------------------------------------------------------------------

export const JOB_KINDS = ['audit', 'evaluation', 'rescore'] as const;
export const jobKindSchema = z.enum(JOB_KINDS);
export type JobKind = z.infer<typeof jobKindSchema>;

export const JOB_STATUSES = ['running', 'done', 'failed', 'cancelled', 'paused', 'interrupted'] as const;
export const jobStatusSchema = z.enum(JOB_STATUSES);
export type JobStatus = z.infer<typeof jobStatusSchema>;

export const jobProgressSchema = z.object({
  stage: z.string(),
  done: z.number(),
  total: z.number(),
  /** units per second over this run (null before the first unit) */
  unitsPerSecond: z.number().nullable(),
  /** seconds left at that rate; null before there is a rate */
  etaSeconds: z.number().nullable(),
  message: z.string().optional(),
});
export type JobProgress = z.infer<typeof jobProgressSchema>;

export const jobInfoSchema = z.object({
  id: z.string(),
  kind: jobKindSchema,
  status: jobStatusSchema,
  label: z.string(),
  auditId: z.number().nullable(),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
  progress: jobProgressSchema.nullable(),
  error: z.string().nullable(),
  /** the kind of failure when status is failed (BAD_INPUT: the user can fix it) */
  errorCode: z.enum(ERROR_CODES).nullable(),
  /** warnings the job reported (an execution-provider fallback, ...) */
  warnings: z.array(z.string()),
});
export type JobInfo = z.infer<typeof jobInfoSchema>;

/** What `jobs.watch` streams; every event names its job. */
export const jobEventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('progress'), jobId: z.string(), progress: jobProgressSchema }),
  /** an audit cell finished: its metrics, so a heatmap can fill live */
  z.object({
    type: z.literal('cell'),
    jobId: z.string(),
    auditId: z.number(),
    cell: auditCellSchema,
    perCategory: z.array(perCategorySchema),
  }),
  z.object({ type: z.literal('warning'), jobId: z.string(), message: z.string() }),
  /** the job changed state; the last event of a watch is the final status */
  z.object({ type: z.literal('status'), jobId: z.string(), status: jobStatusSchema, message: z.string().optional() }),
]);
export type JobEvent = z.infer<typeof jobEventSchema>;

// ---- the result summary: `odra audit --json` ---------------------------------------------

const interval = z.tuple([z.number(), z.number()]).nullable();
const delta = z.object({ value: z.number().nullable(), ci95: interval, significant: z.boolean().nullable() });

/**
 * What `odra audit --json` prints: a thin mapping of the audit's analysis
 * (src/shared/audit-results.ts, engine/analytics) with the per-condition COCO stats of
 * every cell. P = clean AP, mPC = mean AP over the audited benchmark conditions,
 * rPC = mPC / P (Michaelis et al. 2019); `_ci95` are 95% paired-bootstrap percentile
 * intervals (null with `--bootstrap 0`); a delta (model minus baseline) is significant
 * when its interval excludes 0.
 */
export const auditResultSchema = z.object({
  audit: z.object({
    id: z.number(),
    name: z.string(),
    status: auditStatusSchema,
    seed: z.number(),
    conditions: z.number(),
    images: z.number(),
    /** bootstrap resamples behind the intervals (0: none) */
    bootstrap: z.number(),
    provenance: provenanceSchema.nullable(),
  }),
  models: z.array(
    z.object({
      name: z.string(),
      path: z.string(),
      sha256: z.string(),
      baseline: z.boolean(),
      P: z.number().nullable(),
      mPC: z.number().nullable(),
      rPC: z.number().nullable(),
      mPC_heldout: z.number().nullable(),
      P_ci95: interval,
      mPC_ci95: interval,
      rPC_ci95: interval,
      mPC_heldout_ci95: interval,
      /** conditions each mean covers, out of the full suite: a partial suite never reads as the full one */
      mPC_conditions: z.number(),
      mPC_suite: z.number(),
      mPC_heldout_conditions: z.number(),
      /** the lowest clean per-class AP among classes with at least worst_class_min_gt GT boxes, with that class's mPC and rPC */
      worst_class: z.object({ name: z.string(), AP: z.number().nullable(), mPC: z.number().nullable(), rPC: z.number().nullable() }).nullable(),
      worst_class_min_gt: z.number(),
      /** classes skipped for having fewer GT boxes than that */
      worst_class_skipped: z.number(),
      /** the corruption with the lowest mean AP over its audited severities */
      worst_corruption: z.object({ name: z.string(), AP: z.number().nullable() }).nullable(),
      /** Spearman's rank correlation of the class counts with clean AP and with rPC */
      spearman_AP: z.number().nullable(),
      spearman_rPC: z.number().nullable(),
      delta: z.object({ P: delta, mPC: delta, rPC: delta, worst_class_AP: delta }).nullable(),
    }),
  ),
  conditions: z.array(
    z.object({
      model_sha256: z.string(),
      corruption: conditionCorruptionSchema,
      severity: z.number(),
      stats: cocoStatsSchema.nullable(),
      AP_ci95: interval,
      per_category: z.array(perCategorySchema),
    }),
  ),
  classes: z.array(
    z.object({
      model_sha256: z.string(),
      id: z.number(),
      name: z.string(),
      P: z.number().nullable(),
      mPC: z.number().nullable(),
      rPC: z.number().nullable(),
      gt_count: z.number(),
      /** among the rarest third */
      tail: z.boolean(),
      spearman_gt_AP: z.number().nullable(),
      spearman_gt_rPC: z.number().nullable(),
    }),
  ),
});
export type AuditResult = z.infer<typeof auditResultSchema>;

export const analysisRequestSchema = z
  .object({
    id,
    /** bootstrap resamples (default 1000); 0 turns the intervals off */
    bootstrap: z.number().int().min(0).max(100_000).optional(),
    /** classes with fewer GT boxes take no part in the worst-class statistics (default 10) */
    minGt: z.number().int().nonnegative().optional(),
    /** training-set count per category name, for the imbalance analysis */
    classCounts: z.record(z.string(), z.number().int().min(0)).optional(),
  })
  .strict();
