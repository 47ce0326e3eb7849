/**
 * The audit's result summary from its scored cells (the shape `odra audit --json`
 * prints, src/shared/audits.ts auditResultSchema). Point estimates only: intervals,
 * significance and Spearman coefficients come from the analytics module's bootstrap and
 * are null here.
 *
 * Formulas (Michaelis et al. 2019, "Benchmarking Robustness in Object Detection"):
 *   P        = AP (COCO AP@[.5:.95]) of the clean condition
 *   mPC      = mean AP over the audited conditions of the 15 benchmark corruptions
 *   rPC      = mPC / P (null when P is 0 or missing)
 *   mPC_heldout = the same mean over the held-out corruptions (speckle_noise,
 *              gaussian_blur, spatter, saturate)
 *   the number of conditions each mean covers is reported beside it.
 * Per class: the same, on the per-category AP of each cell (cells where the class's AP
 * is undefined are left out of its mean).
 * Worst class: the lowest clean per-class AP among classes with at least `minGt` ground
 * truth boxes (default 10). Worst corruption: the corruption with the lowest mean AP
 * over its audited severities.
 * Δ vs baseline: model minus baseline, for P, mPC, rPC and worst-class AP.
 * A stat of -1 (pycocotools: not computable) is read as missing.
 */
import type { AuditResult, Condition, Provenance } from '../../shared/audits';
import { BENCHMARK_CORRUPTIONS, HELD_OUT_CORRUPTIONS } from '../../shared/corruptions';
import type { CocoStatsDto, PerCategoryDto } from '../../shared/schemas';

export interface SummaryInput {
  audit: { id: number; name: string; status: AuditResult['audit']['status']; seed: number; images: number; provenance: Provenance | null };
  models: { name: string; path: string; sha256: string; baseline: boolean }[];
  conditions: Condition[];
  /** [model][condition] */
  cells: { stats: CocoStatsDto | null; perCategory: PerCategoryDto[] }[][];
  minGt?: number;
}

const BENCHMARK = new Set<string>(BENCHMARK_CORRUPTIONS);
const HELD_OUT = new Set<string>(HELD_OUT_CORRUPTIONS);

const valid = (v: number | null | undefined): v is number => typeof v === 'number' && v >= 0;

function mean(values: readonly (number | null | undefined)[]): number | null {
  const ok = values.filter(valid);
  return ok.length ? ok.reduce((a, b) => a + b, 0) / ok.length : null;
}

function ratio(a: number | null, b: number | null): number | null {
  return a !== null && b !== null && b > 0 ? a / b : null;
}

function delta(value: number | null, base: number | null): { value: number | null; ci95: null; significant: null } {
  return { value: value !== null && base !== null ? value - base : null, ci95: null, significant: null };
}

export function summarizeAudit(input: SummaryInput): AuditResult {
  const minGt = input.minGt ?? 10;
  const clean = input.conditions.findIndex((c) => c.corruption === 'clean');
  const benchmark = input.conditions.map((c, i) => ({ c, i })).filter(({ c }) => BENCHMARK.has(c.corruption));
  const heldOut = input.conditions.map((c, i) => ({ c, i })).filter(({ c }) => HELD_OUT.has(c.corruption));

  const perModel = input.models.map((m, mi) => {
    const cells = input.cells[mi];
    const ap = (i: number): number | null => {
      const v = cells[i]?.stats?.AP;
      return valid(v) ? v : null;
    };
    const P = clean >= 0 ? ap(clean) : null;
    const mPC = mean(benchmark.map(({ i }) => ap(i)));
    const heldout = mean(heldOut.map(({ i }) => ap(i)));
    const categories = clean >= 0 ? (cells[clean]?.perCategory ?? []) : [];
    const classes = categories.map((cat) => {
      const apOf = (i: number): number | null => cells[i]?.perCategory.find((c) => c.id === cat.id)?.AP ?? null;
      const cP = cat.AP;
      const cm = mean(benchmark.map(({ i }) => apOf(i)));
      return { id: cat.id, name: cat.name, P: cP, mPC: cm, rPC: ratio(cm, cP), gt_count: cat.num_gt };
    });
    const eligible = classes.filter((c) => c.gt_count >= minGt && c.P !== null);
    const worst = eligible.length ? eligible.reduce((w, c) => (c.P! < w.P! ? c : w)) : null;
    const byCorruption = new Map<string, (number | null)[]>();
    input.conditions.forEach((c, i) => {
      if (c.corruption === 'clean') return;
      byCorruption.set(c.corruption, [...(byCorruption.get(c.corruption) ?? []), ap(i)]);
    });
    let worstCorruption: { name: string; AP: number } | null = null;
    for (const [name, values] of byCorruption) {
      const v = mean(values);
      if (v !== null && (worstCorruption === null || v < worstCorruption.AP)) worstCorruption = { name, AP: v };
    }
    return { m, P, mPC, rPC: ratio(mPC, P), heldout, classes, worst, worstCorruption };
  });

  const base = perModel.find((x) => x.m.baseline) ?? perModel[0];
  return {
    audit: {
      id: input.audit.id,
      name: input.audit.name,
      status: input.audit.status,
      seed: input.audit.seed,
      conditions: input.conditions.length,
      images: input.audit.images,
      bootstrap: 0,
      provenance: input.audit.provenance,
    },
    models: perModel.map((x) => ({
      name: x.m.name,
      path: x.m.path,
      sha256: x.m.sha256,
      baseline: x.m.baseline,
      P: x.P,
      mPC: x.mPC,
      rPC: x.rPC,
      mPC_heldout: x.heldout,
      mPC_conditions: benchmark.length,
      mPC_heldout_conditions: heldOut.length,
      P_ci95: null,
      mPC_ci95: null,
      rPC_ci95: null,
      worst_class: x.worst ? { name: x.worst.name, AP: x.worst.P, mPC: x.worst.mPC, rPC: x.worst.rPC } : null,
      worst_corruption: x.worstCorruption,
      delta:
        x === base
          ? null
          : {
              P: delta(x.P, base.P),
              mPC: delta(x.mPC, base.mPC),
              rPC: delta(x.rPC, base.rPC),
              worst_class_AP: delta(x.worst?.P ?? null, base.worst?.P ?? null),
            },
    })),
    conditions: perModel.flatMap((x, mi) =>
      input.conditions.map((c, ci) => ({
        model_sha256: x.m.sha256,
        corruption: c.corruption,
        severity: c.severity,
        stats: input.cells[mi][ci]?.stats ?? null,
        per_category: input.cells[mi][ci]?.perCategory ?? [],
      })),
    ),
    classes: perModel.flatMap((x) =>
      x.classes.map((c) => ({ model_sha256: x.m.sha256, ...c, spearman_gt_AP: null, spearman_gt_rPC: null })),
    ),
  };
}
