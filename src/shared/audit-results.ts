/**
 * The analysis of an audit (engine/analytics/analyse-audit.ts): its options and its
 * result, one zod schema each, the types inferred from them. Plain JSON data: the CLI's
 * `odra audit --json`, the views and the report map from it; nothing here is computed.
 *
 * Conventions (the formulas and their sources are in the analytics modules' headers):
 *   - AP is COCO AP@[.5:.95] (101-point interpolation, area 'all', maxDets 100), a number
 *     in [0, 1]; null where it is undefined (no scored GT; a ratio over a zero P).
 *   - Every estimate carries `ci95`: the 95% paired-bootstrap percentile interval
 *     [2.5th, 97.5th percentile] (numpy's default 'linear' method) over the resamples in
 *     which the statistic is defined; null when the bootstrap is off (resamples 0) or no
 *     resample defines it.
 *   - A delta is model minus baseline (negative: the model is worse); it is
 *     `significant` when its interval excludes 0, null without an interval.
 *   - Means over conditions state how many conditions they cover (`n_conditions`) out of
 *     the full suite (`n_suite`), so a partial suite never reads as the full one.
 *   - Conditions are listed clean first, then corruptions in catalogue order
 *     (src/shared/corruptions.ts), severities ascending.
 */
import { z } from 'zod';
import { CORRUPTION_NAMES } from './corruptions';

export const CORRUPTION_FAMILIES = ['noise', 'blur', 'weather', 'digital'] as const;

export const conditionNameSchema = z.union([z.literal('clean'), z.enum(CORRUPTION_NAMES)]);

/** A condition: `clean` with severity 0, or a corruption at severity 1..5. */
export const conditionRefSchema = z
  .object({ corruption: conditionNameSchema, severity: z.number().int().min(0).max(5) })
  .refine((c) => (c.corruption === 'clean') === (c.severity === 0), {
    message: 'clean has severity 0 and a corruption severity 1..5',
  });
export type ConditionRef = z.infer<typeof conditionRefSchema>;

export const analysisOptionsSchema = z.object({
  /** bootstrap resamples; 0 turns the intervals off */
  resamples: z.number().int().min(0).max(100_000).default(1000),
  /** seeds the resamples (the audit's seed; any safe integer, formatted into the resample's key) */
  seed: z.number().int(),
  /** classes with fewer scored GT boxes take no part in the worst-class statistics */
  minGtForWorst: z.number().int().min(0).default(10),
  /** training-set count per category name, used for the imbalance analysis instead of the GT counts */
  classCounts: z.record(z.string(), z.number().int().min(0)).optional(),
});
export type AnalysisOptions = z.input<typeof analysisOptionsSchema>;

export const analysisModelSchema = z.object({
  id: z.number(),
  name: z.string(),
  sha256: z.string(),
  baseline: z.boolean().optional(),
});
export type AnalysisModel = z.infer<typeof analysisModelSchema>;

export const analysisCategorySchema = z.object({ id: z.number(), name: z.string() });

const ci95Schema = z.tuple([z.number(), z.number()]).nullable();

export const estimateSchema = z.object({ value: z.number().nullable(), ci95: ci95Schema });
export type Estimate = z.infer<typeof estimateSchema>;

export const deltaSchema = z.object({
  value: z.number().nullable(),
  ci95: ci95Schema,
  significant: z.boolean().nullable(),
});
export type Delta = z.infer<typeof deltaSchema>;

export const coverageSchema = z.object({
  n_conditions: z.number().int(),
  n_suite: z.number().int(),
  complete: z.boolean(),
});
export type Coverage = z.infer<typeof coverageSchema>;

const coveredEstimateSchema = estimateSchema.extend(coverageSchema.shape);

const worstEntrySchema = z.object({ id: z.number(), name: z.string(), value: estimateSchema }).nullable();

export const worstClassSchema = z.object({
  /** the minimum scored-GT count a class needs to take part */
  min_gt: z.number().int(),
  /** classes taking part */
  eligible: z.number().int(),
  /** classes with scored GT but fewer than min_gt */
  skipped: z.number().int(),
  /** classes without scored GT (no AP at all) */
  without_gt: z.number().int(),
  /** lowest clean AP (P) among eligible classes: which class in the audit, and the minimum's estimate */
  by_AP: worstEntrySchema,
  by_mPC: worstEntrySchema,
  by_rPC: worstEntrySchema,
});

const cellClassSchema = z.object({
  id: z.number(),
  AP: estimateSchema,
  AP50: z.number().nullable(),
  num_dets: z.number().int(),
  /** AP minus the baseline's in the same cell; null for the baseline */
  delta_AP: deltaSchema.nullable(),
});

export const conditionResultSchema = z.object({
  corruption: conditionNameSchema,
  severity: z.number().int(),
  AP: estimateSchema,
  AP50: z.number().nullable(),
  delta_AP: deltaSchema.nullable(),
  per_class: z.array(cellClassSchema),
});

export const corruptionResultSchema = z.object({
  corruption: z.enum(CORRUPTION_NAMES),
  family: z.enum(CORRUPTION_FAMILIES),
  role: z.enum(['benchmark', 'held-out']),
  /** audited severities, ascending */
  severities: z.array(z.number().int()),
  /** mean AP over the audited severities */
  AP: estimateSchema,
  /** P - AP */
  drop: estimateSchema,
  /** (P - AP) / P */
  drop_rel: estimateSchema,
  /** AP per audited severity (the severity curve) */
  curve: z.array(z.object({ severity: z.number().int(), AP: estimateSchema })),
  delta_AP: deltaSchema.nullable(),
  delta_drop_rel: deltaSchema.nullable(),
});

export const familyResultSchema = z.object({
  family: z.enum(CORRUPTION_FAMILIES),
  /** the family's audited benchmark corruptions */
  corruptions: z.array(z.enum(CORRUPTION_NAMES)),
  ...coverageSchema.shape,
  /** mean AP over the family's audited benchmark conditions */
  AP: estimateSchema,
  drop: estimateSchema,
  drop_rel: estimateSchema,
  delta_AP: deltaSchema.nullable(),
  delta_drop_rel: deltaSchema.nullable(),
});

export const classResultSchema = z.object({
  id: z.number(),
  P: estimateSchema,
  mPC: estimateSchema,
  rPC: estimateSchema,
  mPC_heldout: estimateSchema,
  delta: z.object({ P: deltaSchema, mPC: deltaSchema, rPC: deltaSchema }).nullable(),
});

export const modelAnalysisSchema = z.object({
  id: z.number(),
  name: z.string(),
  sha256: z.string(),
  baseline: z.boolean(),
  P: estimateSchema,
  mPC: coveredEstimateSchema,
  rPC: coveredEstimateSchema,
  mPC_heldout: coveredEstimateSchema,
  rPC_heldout: coveredEstimateSchema,
  worst_class: worstClassSchema,
  imbalance: z.object({
    /** Spearman's rank correlation of the class count with the class's clean AP; null below 3 classes */
    spearman_AP: z.number().nullable(),
    spearman_rPC: z.number().nullable(),
    /** classes each coefficient is computed over */
    n_AP: z.number().int(),
    n_rPC: z.number().int(),
  }),
  /** model minus baseline; null for the baseline */
  delta: z
    .object({
      baseline_id: z.number(),
      P: deltaSchema,
      mPC: deltaSchema,
      rPC: deltaSchema,
      mPC_heldout: deltaSchema,
      /** lowest eligible class AP of the model minus the baseline's (each its own worst class) */
      worst_class_AP: deltaSchema,
      worst_class_mPC: deltaSchema,
      worst_class_rPC: deltaSchema,
    })
    .nullable(),
  classes: z.array(classResultSchema),
  conditions: z.array(conditionResultSchema),
  corruptions: z.array(corruptionResultSchema),
  families: z.array(familyResultSchema),
});
export type ModelAnalysis = z.infer<typeof modelAnalysisSchema>;

export const auditAnalysisSchema = z.object({
  schema_version: z.literal(1),
  /** images of the audit (the bootstrap's population) */
  images: z.number().int(),
  bootstrap: z.object({
    resamples: z.number().int(),
    seed: z.number().int(),
    level: z.literal(0.95),
    /** how the resamples are drawn and the interval is read */
    method: z.string(),
  }),
  conditions: z.array(
    z.object({
      corruption: conditionNameSchema,
      severity: z.number().int(),
      family: z.enum(CORRUPTION_FAMILIES).nullable(),
      role: z.enum(['clean', 'benchmark', 'held-out']),
    }),
  ),
  categories: z.array(
    z.object({
      id: z.number(),
      name: z.string(),
      /** GT boxes that count for AP (not crowd, not ignored) over the audit's images */
      gt_count: z.number().int(),
      /** GT boxes of the category, crowd included (the evaluator's num_gt) */
      num_gt: z.number().int(),
      /** the user's training-set count, when given */
      train_count: z.number().int().nullable(),
      /** among the rarest third by the imbalance count */
      tail: z.boolean(),
      /** takes part in the worst-class statistics */
      worst_eligible: z.boolean(),
    }),
  ),
  imbalance: z.object({
    count_source: z.enum(['ground-truth', 'training-set']),
    /** classes in the imbalance analysis (those with scored GT) */
    n_classes: z.number().int(),
    tail_classes: z.array(z.number()),
    tail_rule: z.string(),
  }),
  models: z.array(modelAnalysisSchema),
});
export type AuditAnalysis = z.infer<typeof auditAnalysisSchema>;
