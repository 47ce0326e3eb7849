/**
 * `odra audit --json` (src/shared/audits.ts auditResultSchema) as a thin mapping of the
 * audit's analysis (src/shared/audit-results.ts): every number comes from
 * analyseAudit, except each cell's 12 COCO stats and per-category AP / AP50 / #GT /
 * #dets, which are the scored cells' own (the evaluator's, as `odra eval` prints them).
 *
 *   models[].P / mPC / rPC / mPC_heldout (+ _ci95)   the analysis' estimates
 *   models[].worst_class                             the class with the lowest clean AP among
 *                                                    eligible ones (by_AP), with its own mPC, rPC
 *   models[].worst_corruption                        the corruption with the lowest mean AP
 *   models[].delta                                   P, mPC, rPC, worst-class AP vs the baseline
 *   classes[]                                        per model and class P, mPC, rPC, GT count,
 *                                                    the tail flag and the model's Spearman coefficients
 */
import type { AuditResult, AuditStatus, Condition, Provenance } from '../../shared/audits';
import type { AuditAnalysis, Delta } from '../../shared/audit-results';
import type { CocoStatsDto, PerCategoryDto } from '../../shared/schemas';

export interface ResultInput {
  audit: { id: number; name: string; status: AuditStatus; seed: number; images: number; provenance: Provenance | null };
  models: { name: string; path: string; sha256: string; baseline: boolean }[];
  conditions: Condition[];
  /** [model][condition] */
  cells: { stats: CocoStatsDto | null; perCategory: PerCategoryDto[] }[][];
  analysis: AuditAnalysis;
}

const delta = (d: Delta): { value: number | null; ci95: [number, number] | null; significant: boolean | null } => ({
  value: d.value,
  ci95: d.ci95,
  significant: d.significant,
});

export function toAuditResult(input: ResultInput): AuditResult {
  const { analysis } = input;
  const names = new Map(analysis.categories.map((c) => [c.id, c]));
  return {
    audit: {
      id: input.audit.id,
      name: input.audit.name,
      status: input.audit.status,
      seed: input.audit.seed,
      conditions: input.conditions.length,
      images: input.audit.images,
      bootstrap: analysis.bootstrap.resamples,
      provenance: input.audit.provenance,
    },
    models: input.models.map((m, i) => {
      const a = analysis.models[i];
      const worst = a.worst_class.by_AP;
      const worstClass = worst ? a.classes.find((c) => c.id === worst.id) : undefined;
      const worstCorruption = a.corruptions
        .filter((c) => c.AP.value !== null)
        .reduce<{ name: string; AP: number | null } | null>((w, c) => (w === null || c.AP.value! < w.AP! ? { name: c.corruption, AP: c.AP.value } : w), null);
      return {
        name: m.name,
        path: m.path,
        sha256: m.sha256,
        baseline: a.baseline,
        P: a.P.value,
        mPC: a.mPC.value,
        rPC: a.rPC.value,
        mPC_heldout: a.mPC_heldout.value,
        P_ci95: a.P.ci95,
        mPC_ci95: a.mPC.ci95,
        rPC_ci95: a.rPC.ci95,
        mPC_heldout_ci95: a.mPC_heldout.ci95,
        mPC_conditions: a.mPC.n_conditions,
        mPC_suite: a.mPC.n_suite,
        mPC_heldout_conditions: a.mPC_heldout.n_conditions,
        worst_class: worst ? { name: worst.name, AP: worst.value.value, mPC: worstClass?.mPC.value ?? null, rPC: worstClass?.rPC.value ?? null } : null,
        worst_class_min_gt: a.worst_class.min_gt,
        worst_class_skipped: a.worst_class.skipped,
        worst_corruption: worstCorruption,
        spearman_AP: a.imbalance.spearman_AP,
        spearman_rPC: a.imbalance.spearman_rPC,
        delta: a.delta
          ? { P: delta(a.delta.P), mPC: delta(a.delta.mPC), rPC: delta(a.delta.rPC), worst_class_AP: delta(a.delta.worst_class_AP) }
          : null,
      };
    }),
    conditions: input.models.flatMap((m, mi) =>
      input.conditions.map((c, ci) => ({
        model_sha256: m.sha256,
        corruption: c.corruption,
        severity: c.severity,
        stats: input.cells[mi][ci].stats,
        AP_ci95: analysis.models[mi].conditions.find((x) => x.corruption === c.corruption && x.severity === c.severity)?.AP.ci95 ?? null,
        per_category: input.cells[mi][ci].perCategory,
      })),
    ),
    classes: input.models.flatMap((m, mi) => {
      const a = analysis.models[mi];
      return a.classes.map((c) => ({
        model_sha256: m.sha256,
        id: c.id,
        name: names.get(c.id)?.name ?? String(c.id),
        P: c.P.value,
        mPC: c.mPC.value,
        rPC: c.rPC.value,
        gt_count: names.get(c.id)?.gt_count ?? 0,
        tail: names.get(c.id)?.tail ?? false,
        spearman_gt_AP: a.imbalance.spearman_AP,
        spearman_gt_rPC: a.imbalance.spearman_rPC,
      }));
    }),
  };
}
