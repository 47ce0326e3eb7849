/**
 * Evaluating a policy (src/shared/policy.ts) against an audit's analysis
 * (src/shared/audit-results.ts): per rule and per model a verdict, pass / fail /
 * not evaluable, with the measured value, its 95% interval where there is one, and the
 * threshold. Pure: the same policy and analysis give the same result.
 *
 * Per rule kind (m = the model's analysis):
 *   minimum          m[metric] >= min           (estimate lower: ci95[0] >= min)
 *   class_minimum    per class k in scope: classes[k][P|mPC|rPC] >= overrides[k] ?? min
 *   max_drop         per corruption / family in scope: drop_rel (or drop) <= max
 *   max_delta        Δ = m.delta[metric] >= -max_drop; with count: significant a larger
 *                    drop fails only when significant, and a drop beyond the limit whose
 *                    significance is unknown (no intervals) is not evaluable
 *   class_max_delta  per class: the same on classes[k].delta[P|mPC|rPC]
 * A rule over several subjects (classes, corruptions) fails when one fails; otherwise it
 * is not evaluable when one is; otherwise it passes. Its headline is the deciding check:
 * the worst failing one, else the first not evaluable one, else the one closest to its
 * threshold.
 *
 * Not evaluable (never silently passed): a value the analysis leaves undefined (no clean
 * condition, no benchmark condition for mPC, no class with enough GT for the worst
 * class, a P of 0 under a ratio), a named class / corruption / family / model the audit
 * lacks, a listed class under min_gt, an interval asked for with the bootstrap off, a Δ
 * for the baseline or in a one-model audit.
 *
 * Models: `all` (default for minimum, class_minimum and max_drop), `baseline`,
 * `compressed` (default for the Δ rules; for them `all` means the same, since the
 * baseline has no Δ), or names / sha256 prefixes (>= 8 hex digits).
 */
import type { AuditAnalysis, Delta, Estimate, ModelAnalysis } from '../../shared/audit-results';
import type {
  ClassMetric,
  DeltaMetric,
  ModelMetric,
  ModelSelector,
  Policy,
  PolicyEvaluation,
  PolicyRule,
  RuleCheck,
  RuleResult,
  Verdict,
} from '../../shared/policy';
import { policyEvaluationSchema } from '../../shared/policy';

export interface PolicySource {
  file: string | null;
  sha256: string | null;
}

type Cmp = '>=' | '<=';

export function evaluatePolicy(policy: Policy, analysis: AuditAnalysis, source: PolicySource = { file: null, sha256: null }): PolicyEvaluation {
  const results: RuleResult[] = [];
  for (const rule of policy.rules) {
    for (const target of selectModels(rule, analysis.models)) {
      const checks = target.model ? checksFor(rule, target.model, analysis) : [notEvaluable('model', target.why ?? 'the model is not in the audit', ...ruleThreshold(rule))];
      results.push(ruleResult(rule, target, checks));
    }
  }
  const counts = { pass: 0, fail: 0, not_evaluable: 0 };
  for (const r of results) counts[r.verdict]++;
  const failed = counts.fail > 0 || (policy.not_evaluable === 'fail' && counts.not_evaluable > 0);
  return policyEvaluationSchema.parse({
    policy: { name: policy.name, file: source.file, sha256: source.sha256, not_evaluable: policy.not_evaluable },
    results,
    counts,
    verdict: failed ? 'fail' : 'pass',
  });
}

// ---- models ------------------------------------------------------------------------------

interface Target {
  name: string;
  sha256: string | null;
  baseline: boolean;
  model: ModelAnalysis | null;
  /** why there is no model to evaluate */
  why?: string;
}

const isDeltaRule = (rule: PolicyRule): boolean => rule.kind === 'max_delta' || rule.kind === 'class_max_delta';

function selectModels(rule: PolicyRule, models: readonly ModelAnalysis[]): Target[] {
  const selector: ModelSelector = rule.models ?? (isDeltaRule(rule) ? 'compressed' : 'all');
  const target = (m: ModelAnalysis): Target => ({ name: m.name, sha256: m.sha256, baseline: m.baseline, model: m });
  let chosen: Target[];
  if (selector === 'baseline') chosen = models.filter((m) => m.baseline).map(target);
  else if (selector === 'compressed' || (selector === 'all' && isDeltaRule(rule))) chosen = models.filter((m) => !m.baseline).map(target);
  else if (selector === 'all') chosen = models.map(target);
  else {
    chosen = selector.map((wanted) => {
      const m = findModel(models, wanted);
      return m ? target(m) : { name: wanted, sha256: null, baseline: false, model: null, why: `no model of the audit is named "${wanted}" or has a sha256 starting with it` };
    });
  }
  if (chosen.length === 0) {
    const why =
      models.length === 1
        ? 'the audit has one model: there is no compressed model to compare with a baseline'
        : `no model of the audit matches models: ${typeof selector === 'string' ? selector : selector.join(', ')}`;
    return [{ name: '(none)', sha256: null, baseline: false, model: null, why }];
  }
  return chosen;
}

function findModel(models: readonly ModelAnalysis[], wanted: string): ModelAnalysis | undefined {
  const byName = models.find((m) => m.name === wanted);
  if (byName) return byName;
  const prefix = wanted.toLowerCase();
  if (!/^[0-9a-f]{8,64}$/.test(prefix)) return undefined;
  const hits = models.filter((m) => m.sha256.toLowerCase().startsWith(prefix));
  return hits.length === 1 ? hits[0] : undefined;
}

// ---- checks ------------------------------------------------------------------------------

function ruleThreshold(rule: PolicyRule): [number, Cmp] {
  switch (rule.kind) {
    case 'minimum':
    case 'class_minimum':
      return [rule.min, '>='];
    case 'max_drop':
      return [rule.max, '<='];
    case 'max_delta':
    case 'class_max_delta':
      return [-rule.max_drop, '>='];
  }
}

function notEvaluable(subject: string, reason: string, threshold: number, comparator: Cmp): RuleCheck {
  return { subject, verdict: 'not_evaluable', measured: null, ci95: null, significant: null, threshold, comparator, reason };
}

function checksFor(rule: PolicyRule, m: ModelAnalysis, a: AuditAnalysis): RuleCheck[] {
  switch (rule.kind) {
    case 'minimum':
      return [minimumCheck('model', modelEstimate(m, rule.metric), rule.min, rule.estimate, undefinedWhy(rule.metric, m))];
    case 'class_minimum':
      return classChecks(rule, m, a, (k, threshold, subject) => {
        const e = classEstimate(m, k, rule.metric);
        return minimumCheck(subject, e, threshold, rule.estimate, `the class's ${rule.metric === 'AP' ? 'clean AP' : rule.metric} is undefined`);
      }, rule.min);
    case 'max_drop':
      return dropChecks(rule, m);
    case 'max_delta': {
      if (!m.delta) return [notEvaluable('model', 'the baseline has no Δ against itself', -rule.max_drop, '>=')];
      return [deltaCheck('model', m.delta[rule.metric], rule.max_drop, rule.count)];
    }
    case 'class_max_delta':
      if (!m.delta) return [notEvaluable('model', 'the baseline has no Δ against itself', -rule.max_drop, '>=')];
      return classChecks(rule, m, a, (k, maxDrop, subject) => {
        const d = m.classes[k].delta;
        const metric = rule.metric === 'AP' ? 'P' : rule.metric;
        return d ? deltaCheck(subject, d[metric], maxDrop, rule.count) : notEvaluable(subject, 'no Δ for this class', -maxDrop, '>=');
      }, rule.max_drop);
  }
}

function modelEstimate(m: ModelAnalysis, metric: ModelMetric): Estimate {
  switch (metric) {
    case 'worst_class_AP':
      return m.worst_class.by_AP?.value ?? { value: null, ci95: null };
    case 'worst_class_mPC':
      return m.worst_class.by_mPC?.value ?? { value: null, ci95: null };
    case 'worst_class_rPC':
      return m.worst_class.by_rPC?.value ?? { value: null, ci95: null };
    default:
      return m[metric];
  }
}

/** Why a model statistic is undefined, in the analyst's terms. */
function undefinedWhy(metric: ModelMetric, m: ModelAnalysis): string {
  if (metric.startsWith('worst_class')) {
    return `no class has at least ${m.worst_class.min_gt} scored boxes (the worst-class minimum)`;
  }
  if (metric === 'mPC' && m.mPC.n_conditions === 0) return 'the audit has no benchmark corruption conditions';
  if (metric.endsWith('heldout') && m.mPC_heldout.n_conditions === 0) return 'the audit has no held-out corruption conditions';
  if (m.P.value === null) return 'the audit has no clean condition or no scored ground truth';
  return `${metric} is undefined (a ratio over a clean AP of 0)`;
}

function classEstimate(m: ModelAnalysis, k: number, metric: ClassMetric): Estimate {
  const c = m.classes[k];
  return metric === 'AP' ? c.P : c[metric];
}

function fmt(v: number): string {
  return v.toFixed(4);
}

function minimumCheck(subject: string, e: Estimate, min: number, estimate: 'point' | 'lower', undefinedReason: string): RuleCheck {
  if (e.value === null) return notEvaluable(subject, undefinedReason, min, '>=');
  if (estimate === 'lower') {
    if (e.ci95 === null) return { ...notEvaluable(subject, 'the rule reads the interval\'s lower end, but the audit has no intervals (bootstrap off)', min, '>='), measured: null };
    const low = e.ci95[0];
    const pass = low >= min;
    return {
      subject, verdict: pass ? 'pass' : 'fail', measured: low, ci95: e.ci95, significant: null, threshold: min, comparator: '>=',
      reason: `lower 95% bound ${fmt(low)} (value ${fmt(e.value)}) ${pass ? '>=' : '<'} ${fmt(min)}`,
    };
  }
  const pass = e.value >= min;
  return {
    subject, verdict: pass ? 'pass' : 'fail', measured: e.value, ci95: e.ci95, significant: null, threshold: min, comparator: '>=',
    reason: `${fmt(e.value)} ${pass ? '>=' : '<'} ${fmt(min)}`,
  };
}

function deltaCheck(subject: string, d: Delta, maxDrop: number, count: 'significant' | 'all'): RuleCheck {
  const threshold = -maxDrop;
  if (d.value === null) return notEvaluable(subject, 'the Δ is undefined (the model\'s or the baseline\'s value is)', threshold, '>=');
  const base = { subject, measured: d.value, ci95: d.ci95, significant: d.significant, threshold, comparator: '>=' as const };
  if (d.value >= threshold) return { ...base, verdict: 'pass', reason: `Δ ${fmt(d.value)} >= ${fmt(threshold)}` };
  if (count === 'all') return { ...base, verdict: 'fail', reason: `Δ ${fmt(d.value)} < ${fmt(threshold)}` };
  if (d.significant === null) {
    return { ...base, verdict: 'not_evaluable', reason: `Δ ${fmt(d.value)} < ${fmt(threshold)}, but its significance is unknown (no intervals: bootstrap off)` };
  }
  if (!d.significant) {
    return { ...base, verdict: 'pass', reason: `Δ ${fmt(d.value)} < ${fmt(threshold)} but not significant (95% interval includes 0)` };
  }
  return { ...base, verdict: 'fail', reason: `Δ ${fmt(d.value)} < ${fmt(threshold)}, significant (95% interval excludes 0)` };
}

type ClassRule = Extract<PolicyRule, { kind: 'class_minimum' | 'class_max_delta' }>;

function classChecks(
  rule: ClassRule,
  m: ModelAnalysis,
  a: AuditAnalysis,
  check: (k: number, threshold: number, subject: string) => RuleCheck,
  defaultThreshold: number,
): RuleCheck[] {
  const minGt = rule.min_gt ?? m.worst_class.min_gt;
  const key = (s: string): string => s.toLowerCase();
  const overrides = new Map(Object.entries(rule.overrides ?? {}).map(([n, v]) => [key(n), { name: n, value: v }]));
  const index = new Map(a.categories.map((c, k) => [key(c.name), k]));
  const signedThreshold = (t: number): number => (rule.kind === 'class_max_delta' ? -t : t);
  const out: RuleCheck[] = [];
  const inScope: number[] = [];
  if (rule.classes === 'all') {
    a.categories.forEach((c, k) => {
      if (c.gt_count >= minGt && c.gt_count > 0) inScope.push(k);
    });
    if (inScope.length === 0) {
      return [notEvaluable('classes', `no class has at least ${minGt} scored boxes`, signedThreshold(defaultThreshold), rule.kind === 'class_max_delta' ? '>=' : '>=')];
    }
  } else {
    for (const name of rule.classes) {
      const k = index.get(key(name));
      if (k === undefined) out.push(notEvaluable(`class ${name}`, `the audit has no class "${name}"`, signedThreshold(overrides.get(key(name))?.value ?? defaultThreshold), '>='));
      else if (a.categories[k].gt_count < minGt || a.categories[k].gt_count === 0) {
        out.push(notEvaluable(`class ${a.categories[k].name}`, `${a.categories[k].gt_count} scored boxes, fewer than min_gt ${minGt}`, signedThreshold(overrides.get(key(name))?.value ?? defaultThreshold), '>='));
      } else inScope.push(k);
    }
  }
  for (const k of inScope) {
    const name = a.categories[k].name;
    out.push(check(k, overrides.get(key(name))?.value ?? defaultThreshold, `class ${name}`));
  }
  // an override for a class that is not checked: the stricter limit would silently not apply
  for (const [k, o] of overrides) {
    const idx = index.get(k);
    if (idx === undefined) out.push(notEvaluable(`class ${o.name}`, `an override names class "${o.name}", which the audit lacks`, signedThreshold(o.value), '>='));
    else if (!inScope.includes(idx) && !out.some((c) => c.subject === `class ${a.categories[idx].name}`)) {
      out.push(notEvaluable(`class ${a.categories[idx].name}`, `an override names class "${o.name}", which has ${a.categories[idx].gt_count} scored boxes, fewer than min_gt ${minGt}`, signedThreshold(o.value), '>='));
    }
  }
  return out;
}

function dropChecks(rule: Extract<PolicyRule, { kind: 'max_drop' }>, m: ModelAnalysis): RuleCheck[] {
  const pick = (e: { drop: Estimate; drop_rel: Estimate }): Estimate => (rule.measure === 'relative' ? e.drop_rel : e.drop);
  const what = rule.measure === 'relative' ? 'relative AP drop' : 'AP drop';
  const check = (subject: string, e: Estimate, note = ''): RuleCheck => {
    if (e.value === null) return notEvaluable(subject, `the ${what} is undefined (no clean AP, or a clean AP of 0)`, rule.max, '<=');
    const pass = e.value <= rule.max;
    return {
      subject, verdict: pass ? 'pass' : 'fail', measured: e.value, ci95: e.ci95, significant: null, threshold: rule.max, comparator: '<=',
      reason: `${what} ${fmt(e.value)} ${pass ? '<=' : '>'} ${fmt(rule.max)}${note}`,
    };
  };
  if (rule.scope === 'corruption') {
    const audited = new Map(m.corruptions.map((c) => [c.corruption as string, c]));
    const names = rule.names === 'all' ? [...audited.keys()] : rule.names;
    if (names.length === 0) return [notEvaluable('corruptions', 'the audit has no corruption conditions', rule.max, '<=')];
    return names.map((n) => {
      const c = audited.get(n);
      if (!c) return notEvaluable(`corruption ${n}`, `the audit has no condition of ${n}`, rule.max, '<=');
      return check(`corruption ${n}`, pick(c), ` (severities ${c.severities.join(', ')})`);
    });
  }
  const audited = new Map(m.families.filter((f) => f.n_conditions > 0).map((f) => [f.family as string, f]));
  const names = rule.names === 'all' ? [...audited.keys()] : rule.names;
  if (names.length === 0) return [notEvaluable('families', 'the audit has no benchmark corruption conditions', rule.max, '<=')];
  return names.map((n) => {
    const f = audited.get(n);
    if (!f) return notEvaluable(`family ${n}`, `the audit has no benchmark condition of the ${n} family`, rule.max, '<=');
    const cover = f.complete ? '' : ` (partial: ${f.n_conditions} of ${f.n_suite} conditions)`;
    return check(`family ${n}`, pick(f), cover);
  });
}

// ---- results -----------------------------------------------------------------------------

const METRIC_LABEL: Record<ModelMetric | DeltaMetric, string> = {
  P: 'P',
  mPC: 'mPC',
  rPC: 'rPC',
  mPC_heldout: 'held-out mPC',
  rPC_heldout: 'held-out rPC',
  worst_class_AP: 'worst-class AP',
  worst_class_mPC: 'worst-class mPC',
  worst_class_rPC: 'worst-class rPC',
};

/** The rule in one line, as the report and the JUnit file print it. */
export function ruleStatement(rule: PolicyRule): string {
  const over = 'overrides' in rule && rule.overrides && Object.keys(rule.overrides).length
    ? ` (${Object.entries(rule.overrides).map(([n, v]) => `${n} ${rule.kind === 'class_max_delta' ? '>= ' + fmt(-v) : '>= ' + fmt(v)}`).join(', ')})`
    : '';
  const classes = 'classes' in rule ? (rule.classes === 'all' ? 'every class' : rule.classes.join(', ')) : '';
  switch (rule.kind) {
    case 'minimum':
      return `${rule.estimate === 'lower' ? 'lower 95% bound of ' : ''}${METRIC_LABEL[rule.metric]} >= ${fmt(rule.min)}`;
    case 'class_minimum':
      return `${rule.estimate === 'lower' ? 'lower 95% bound of ' : ''}class ${rule.metric} >= ${fmt(rule.min)} for ${classes}${over}`;
    case 'max_drop':
      return `${rule.measure === 'relative' ? 'relative' : 'absolute'} AP drop <= ${fmt(rule.max)} per ${rule.scope} (${rule.names === 'all' ? 'all audited' : rule.names.join(', ')})`;
    case 'max_delta':
      return `Δ ${METRIC_LABEL[rule.metric]} >= ${fmt(-rule.max_drop)} vs baseline (${rule.count === 'significant' ? 'significant drops count' : 'every drop counts'})`;
    case 'class_max_delta':
      return `Δ class ${rule.metric} >= ${fmt(-rule.max_drop)} vs baseline for ${classes}${over} (${rule.count === 'significant' ? 'significant drops count' : 'every drop counts'})`;
  }
}

function margin(c: RuleCheck): number {
  if (c.measured === null) return Infinity;
  return c.comparator === '>=' ? c.measured - c.threshold : c.threshold - c.measured;
}

function ruleResult(rule: PolicyRule, target: Target, checks: RuleCheck[]): RuleResult {
  const failing = checks.filter((c) => c.verdict === 'fail');
  const open = checks.filter((c) => c.verdict === 'not_evaluable');
  const verdict: Verdict = failing.length ? 'fail' : open.length ? 'not_evaluable' : 'pass';
  const byMargin = (xs: RuleCheck[]): RuleCheck => xs.reduce((w, c) => (margin(c) < margin(w) ? c : w));
  const head = failing.length ? byMargin(failing) : open.length ? open[0] : byMargin(checks);
  const others = checks.length > 1 ? ` (${failing.length} of ${checks.length} checks fail${open.length ? `, ${open.length} not evaluable` : ''})` : '';
  return {
    rule_id: rule.id,
    rule_kind: rule.kind,
    statement: ruleStatement(rule),
    model: { name: target.name, sha256: target.sha256, baseline: target.baseline },
    verdict,
    measured: head.measured,
    ci95: head.ci95,
    significant: head.significant,
    threshold: head.threshold,
    comparator: head.comparator,
    subject: head.subject,
    reason: `${head.subject === 'model' ? '' : `${head.subject}: `}${head.reason}${others}`,
    checks,
  };
}
