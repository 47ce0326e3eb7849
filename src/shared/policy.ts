/**
 * Policies: thresholds that turn an audit's analysis into pass / fail verdicts, and the
 * shape of those verdicts. One schema each (zod), the types inferred from them. The
 * policy file (YAML or JSON) is parsed and located line by line in
 * engine/policy/parse-policy.ts and evaluated in engine/policy/evaluate-policy.ts;
 * resources/policies/example.yaml shows every rule kind.
 *
 * Conventions:
 *   - AP values are COCO AP@[.5:.95] in [0, 1] (src/shared/audit-results.ts), and so are
 *     thresholds on them; rPC and relative drops are ratios.
 *   - A Δ is model minus baseline (negative: the model is worse). A `max_drop` of 0.02
 *     allows Δ >= -0.02: the rule fails when Δ < -max_drop, and with `count: significant`
 *     only when that drop is also significant (its 95% interval excludes 0).
 *   - `estimate: lower` asks the lower end of the 95% interval to clear a minimum (the
 *     conservative reading); without intervals (bootstrap off) such a rule is not
 *     evaluable, never silently read as the point value.
 *   - Classes are named by the audit's category names, matched case-insensitively.
 *   - Models (`models`): all, baseline, compressed (every model but the baseline), or a
 *     list of model names or sha256 prefixes (8 hex digits at least). A listed model the
 *     audit lacks is not evaluable: a gate never passes on evidence it does not have.
 */
import { z } from 'zod';

export const POLICY_VERSION = 1;

const ruleId = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'a rule id is 1-64 letters, digits, "_", "-" or ".", starting with a letter or digit');

const modelSelector = z.union([
  z.enum(['all', 'baseline', 'compressed']),
  z.array(z.string().min(1)).min(1),
]);
export type ModelSelector = z.infer<typeof modelSelector>;

const ratio = z.number().min(0).max(10);

/** Model-level statistics of the analysis (src/shared/audit-results.ts ModelAnalysis). */
export const MODEL_METRICS = [
  'P',
  'mPC',
  'rPC',
  'mPC_heldout',
  'rPC_heldout',
  'worst_class_AP',
  'worst_class_mPC',
  'worst_class_rPC',
] as const;
export type ModelMetric = (typeof MODEL_METRICS)[number];

/** Model-level Δs of the analysis (ModelAnalysis.delta). */
export const DELTA_METRICS = ['P', 'mPC', 'rPC', 'mPC_heldout', 'worst_class_AP', 'worst_class_mPC', 'worst_class_rPC'] as const;
export type DeltaMetric = (typeof DELTA_METRICS)[number];

/** Per-class statistics: AP = the class's clean AP (its P). */
export const CLASS_METRICS = ['AP', 'mPC', 'rPC'] as const;
export type ClassMetric = (typeof CLASS_METRICS)[number];

const common = {
  id: ruleId,
  description: z.string().max(500).optional(),
  models: modelSelector.optional(),
};

const classScope = {
  /** `all` (every class with at least min_gt scored boxes) or a list of class names */
  classes: z.union([z.literal('all'), z.array(z.string().min(1)).min(1)]).default('all'),
  /** a stricter (or looser) threshold per class name */
  overrides: z.record(z.string().min(1), z.number()).optional(),
  /** classes with fewer scored GT boxes are left out of `all`; a listed one is not evaluable. Default: the audit's worst-class minimum */
  min_gt: z.number().int().min(0).optional(),
};

const count = z.enum(['significant', 'all']).default('significant');

export const minimumRuleSchema = z
  .object({
    ...common,
    kind: z.literal('minimum'),
    metric: z.enum(MODEL_METRICS),
    min: ratio,
    estimate: z.enum(['point', 'lower']).default('point'),
  })
  .strict();

export const classMinimumRuleSchema = z
  .object({
    ...common,
    kind: z.literal('class_minimum'),
    metric: z.enum(CLASS_METRICS),
    min: ratio,
    estimate: z.enum(['point', 'lower']).default('point'),
    ...classScope,
  })
  .strict();

export const maxDropRuleSchema = z
  .object({
    ...common,
    kind: z.literal('max_drop'),
    /** per corruption (mean over its audited severities) or per family (mean over its audited benchmark conditions) */
    scope: z.enum(['corruption', 'family']),
    /** `all` audited ones, or a list of corruption / family names */
    names: z.union([z.literal('all'), z.array(z.string().min(1)).min(1)]).default('all'),
    /** relative: (P - AP) / P; absolute: P - AP in AP units */
    measure: z.enum(['relative', 'absolute']).default('relative'),
    max: ratio,
  })
  .strict();

export const maxDeltaRuleSchema = z
  .object({
    ...common,
    kind: z.literal('max_delta'),
    metric: z.enum(DELTA_METRICS),
    /** the largest allowed decrease vs the baseline (>= 0) */
    max_drop: ratio,
    count,
  })
  .strict();

export const classMaxDeltaRuleSchema = z
  .object({
    ...common,
    kind: z.literal('class_max_delta'),
    metric: z.enum(CLASS_METRICS),
    max_drop: ratio,
    count,
    ...classScope,
  })
  .strict();

export const policyRuleSchema = z.discriminatedUnion('kind', [
  minimumRuleSchema,
  classMinimumRuleSchema,
  maxDropRuleSchema,
  maxDeltaRuleSchema,
  classMaxDeltaRuleSchema,
]);
export type PolicyRule = z.infer<typeof policyRuleSchema>;
export const POLICY_RULE_KINDS = ['minimum', 'class_minimum', 'max_drop', 'max_delta', 'class_max_delta'] as const;

export const policySchema = z
  .object({
    odra_policy: z.literal(POLICY_VERSION),
    name: z.string().min(1).max(200),
    description: z.string().max(2000).optional(),
    /** what a rule that cannot be evaluated does to the verdict: fail it (default) or leave it out */
    not_evaluable: z.enum(['fail', 'ignore']).default('fail'),
    rules: z.array(policyRuleSchema).min(1),
  })
  .strict();
export type Policy = z.infer<typeof policySchema>;
export type PolicyInput = z.input<typeof policySchema>;

// ---- verdicts ---------------------------------------------------------------------------

export const VERDICTS = ['pass', 'fail', 'not_evaluable'] as const;
export const verdictSchema = z.enum(VERDICTS);
export type Verdict = z.infer<typeof verdictSchema>;

const interval = z.tuple([z.number(), z.number()]).nullable();

/** One measured subject of a rule (a class, a corruption, a family, or the model itself). */
export const ruleCheckSchema = z.object({
  /** 'model', `class <name>`, `corruption <name>`, `family <name>` */
  subject: z.string(),
  verdict: verdictSchema,
  /** the value compared with the threshold; null when not evaluable */
  measured: z.number().nullable(),
  ci95: interval,
  /** Δ checks: whether the Δ is significant (null without an interval) */
  significant: z.boolean().nullable(),
  threshold: z.number(),
  /** measured must be >= threshold (minimums, Δ floors) or <= threshold (drops) */
  comparator: z.enum(['>=', '<=']),
  /** why, in words: the failing comparison or what the audit lacks */
  reason: z.string(),
});
export type RuleCheck = z.infer<typeof ruleCheckSchema>;

/** One rule x one model. */
export const ruleResultSchema = z.object({
  rule_id: z.string(),
  rule_kind: z.enum(POLICY_RULE_KINDS),
  /** a one-line statement of the rule ("mPC >= 0.150", "Δ mPC >= -0.020 (significant drops)") */
  statement: z.string(),
  model: z.object({ name: z.string(), sha256: z.string().nullable(), baseline: z.boolean() }),
  verdict: verdictSchema,
  /** the deciding check: the first failing one, else the first not evaluable one, else the tightest passing one */
  measured: z.number().nullable(),
  ci95: interval,
  significant: z.boolean().nullable(),
  threshold: z.number(),
  comparator: z.enum(['>=', '<=']),
  subject: z.string(),
  reason: z.string(),
  checks: z.array(ruleCheckSchema),
});
export type RuleResult = z.infer<typeof ruleResultSchema>;

export const policyEvaluationSchema = z.object({
  policy: z.object({
    name: z.string(),
    /** the file as given, and the SHA-256 of its bytes: the verdicts name the exact policy */
    file: z.string().nullable(),
    sha256: z.string().nullable(),
    not_evaluable: z.enum(['fail', 'ignore']),
  }),
  results: z.array(ruleResultSchema),
  counts: z.object({ pass: z.number().int(), fail: z.number().int(), not_evaluable: z.number().int() }),
  /** fail when a rule fails, or is not evaluable under not_evaluable: fail */
  verdict: z.enum(['pass', 'fail']),
});
export type PolicyEvaluation = z.infer<typeof policyEvaluationSchema>;

/** Exit code of a gate: 0 every rule passes, 3 a rule fails (2 and 1 stay bad input and other failures). */
export const POLICY_FAIL_EXIT_CODE = 3;
