/**
 * The data shaping behind the audit views, pure and unit-tested: the class x corruption
 * heatmap, the family view, severity curves, the imbalance scatter, the compression
 * sweep, the comparison ranking and the CSV export. Inputs are the contract's shapes
 * (audits.metrics rows, audits.cells, audits.analysis); nothing here calls the engine.
 *
 * Heatmap (one model; rows = classes in category order, columns = clean then each
 * audited corruption in catalogue order):
 *   AP     the cell's per-class COCO AP at the chosen severity, or the mean over the
 *          audited severities that have a value ('mean');
 *   rPC    that AP divided by the class's clean AP (P); clean column 1; null when P is
 *          0 or missing (Michaelis et al. 2019, per class);
 *   delta  AP minus the compared model's AP (the baseline by default) in the same cell.
 *          Muted unless the analysis marks it significant (its paired-bootstrap 95%
 *          interval excludes 0), so an unmarked difference never looks like a finding:
 *          the analysis has per-class intervals per (corruption, severity), so deltas
 *          of the 'mean' column and of a pair without the baseline are always muted.
 * AP values are in [0, 1]; null where the class has no scored GT or the cell is not done.
 */
import type { AuditAnalysis, ModelAnalysis } from '../../../shared/audit-results';
import type { AuditMetricRow, CellImageRow, Condition } from '../../../shared/audits';
import type { CorruptionName } from '../../../shared/corruptions';
import type { ModelTags } from '../../../shared/model-tags';

export type HeatValue = 'AP' | 'rPC' | 'delta';
export type SeverityChoice = number | 'mean';

export interface HeatCell {
  value: number | null;
  /** delta only: not shown to be significant */
  muted: boolean;
  ci95: [number, number] | null;
  gt: number;
  dets: number;
}

export interface Heatmap {
  classes: { id: number; name: string }[];
  /** 'clean', then corruption names */
  columns: string[];
  /** [class][column] */
  cells: HeatCell[][];
  /** the colour scale's range */
  min: number;
  max: number;
  /** cells with a value (a running audit's heatmap fills up) */
  filled: number;
}

/** Per-class metric rows of one audit indexed by model, condition and category. */
export class MetricIndex {
  private readonly byKey = new Map<string, AuditMetricRow>();
  readonly categories: { id: number; name: string }[] = [];

  /** `known`: categories to show before any of their rows arrive (a running audit's heatmap starts as the full grid) */
  constructor(rows: Iterable<AuditMetricRow>, known: readonly { id: number; name: string }[] = []) {
    const seen = new Set<number>();
    for (const c of known) {
      if (seen.has(c.id)) continue;
      seen.add(c.id);
      this.categories.push({ id: c.id, name: c.name });
    }
    for (const r of rows) {
      this.byKey.set(`${r.modelId}|${r.conditionIndex}|${r.id}`, r);
      if (!seen.has(r.id)) {
        seen.add(r.id);
        this.categories.push({ id: r.id, name: r.name });
      }
    }
    this.categories.sort((a, b) => a.id - b.id);
  }

  get(modelId: number, conditionIndex: number, categoryId: number): AuditMetricRow | undefined {
    return this.byKey.get(`${modelId}|${conditionIndex}|${categoryId}`);
  }

  get size(): number {
    return this.byKey.size;
  }
}

/** Clean first, then each corruption with the indices of its conditions by severity. */
export function conditionColumns(conditions: readonly Condition[]): { name: string; bySeverity: Map<number, number> }[] {
  const out: { name: string; bySeverity: Map<number, number> }[] = [];
  conditions.forEach((c, index) => {
    let col = out.find((o) => o.name === c.corruption);
    if (!col) {
      col = { name: c.corruption, bySeverity: new Map() };
      out.push(col);
    }
    col.bySeverity.set(c.severity, index);
  });
  return out;
}

/** The audited severities (1..5) of a condition list, ascending. */
export function auditedSeverities(conditions: readonly Condition[]): number[] {
  return [...new Set(conditions.filter((c) => c.severity > 0).map((c) => c.severity))].sort((a, b) => a - b);
}

function mean(values: (number | null)[]): number | null {
  const present = values.filter((v): v is number => v !== null);
  return present.length === 0 ? null : present.reduce((a, b) => a + b, 0) / present.length;
}

export interface HeatmapInput {
  index: MetricIndex;
  conditions: readonly Condition[];
  modelId: number;
  /** the model deltas are taken against (the baseline) */
  referenceId: number;
  value: HeatValue;
  severity: SeverityChoice;
  analysis: AuditAnalysis | null;
}

/** Significance and interval of a per-class delta / AP from the analysis, when it has them. */
function analysisCell(analysis: AuditAnalysis | null, modelId: number, condition: Condition, categoryId: number) {
  const model = analysis?.models.find((m) => m.id === modelId);
  const cond = model?.conditions.find((c) => c.corruption === condition.corruption && c.severity === condition.severity);
  return cond?.per_class.find((p) => p.id === categoryId) ?? null;
}

export function buildHeatmap(input: HeatmapInput): Heatmap {
  const { index, conditions, modelId, referenceId, value, severity, analysis } = input;
  const columns = conditionColumns(conditions);
  const referenceIsBaseline = analysis?.models.find((m) => m.id === referenceId)?.baseline ?? false;
  const cleanIndex = columns[0]?.name === 'clean' ? columns[0].bySeverity.get(0) : undefined;
  let min = Infinity;
  let max = -Infinity;
  let filled = 0;
  const cells = index.categories.map((cat) => {
    const clean = cleanIndex === undefined ? null : (index.get(modelId, cleanIndex, cat.id)?.AP ?? null);
    return columns.map((col): HeatCell => {
      const wanted = col.name === 'clean' ? [0] : severity === 'mean' ? [...col.bySeverity.keys()] : [severity];
      const indices = wanted.map((s) => col.bySeverity.get(s)).filter((i): i is number => i !== undefined);
      const rows = indices.map((i) => index.get(modelId, i, cat.id));
      const ap = mean(rows.map((r) => r?.AP ?? null));
      const gt = rows.reduce((n, r) => Math.max(n, r?.num_gt ?? 0), 0);
      const dets = rows.reduce((n, r) => n + (r?.num_dets ?? 0), 0);
      const single = indices.length === 1 ? conditions[indices[0]] : null;
      const fromAnalysis = single ? analysisCell(analysis, modelId, single, cat.id) : null;
      let v: number | null;
      let muted = false;
      let ci95: [number, number] | null = null;
      if (value === 'AP') {
        v = ap;
        ci95 = fromAnalysis?.AP.ci95 ?? null;
      } else if (value === 'rPC') {
        v = ap === null || clean === null || clean === 0 ? null : ap / clean;
      } else {
        const ref = mean(indices.map((i) => index.get(referenceId, i, cat.id)?.AP ?? null));
        v = ap === null || ref === null ? null : ap - ref;
        const d = referenceIsBaseline && modelId !== referenceId ? fromAnalysis?.delta_AP : null;
        muted = d?.significant !== true;
        ci95 = d?.ci95 ?? null;
      }
      if (v !== null) {
        filled++;
        min = Math.min(min, v);
        max = Math.max(max, v);
      }
      return { value: v, muted, ci95, gt, dets };
    });
  });
  if (min === Infinity) {
    min = 0;
    max = 1;
  }
  if (value === 'delta') {
    const m = Math.max(Math.abs(min), Math.abs(max), 1e-6);
    min = -m;
    max = m;
  } else {
    min = Math.min(0, min);
    max = Math.max(value === 'AP' ? 1e-6 : 1, max);
  }
  return { classes: index.categories, columns: columns.map((c) => c.name), cells, min, max, filled };
}

// ---- colour -----------------------------------------------------------------------------

/** Sequential (AP, rPC: white -> blue) or diverging (delta: red - white - green) colour of a value. */
export function heatColour(v: number | null, min: number, max: number, diverging: boolean): string {
  if (v === null) return '#eeeeee';
  const t = max === min ? 0.5 : Math.min(1, Math.max(0, (v - min) / (max - min)));
  const mix = (a: number[], b: number[], s: number): string =>
    `rgb(${a.map((x, i) => Math.round(x + (b[i] - x) * s)).join(',')})`;
  if (!diverging) return mix([247, 251, 255], [8, 69, 148], t);
  return t < 0.5 ? mix([178, 24, 43], [247, 247, 247], t * 2) : mix([247, 247, 247], [27, 120, 55], (t - 0.5) * 2);
}

// ---- family, severity, imbalance ------------------------------------------------------------

export interface FamilyBars {
  families: string[];
  series: { name: string; values: (number | null)[]; significant: (boolean | null)[] }[];
}

/** Relative AP drop (P - AP) / P per corruption family per model, with the delta's significance vs the baseline. */
export function familyBars(analysis: AuditAnalysis): FamilyBars {
  const families = [...new Set(analysis.models.flatMap((m) => m.families.map((f) => f.family)))];
  return {
    families,
    series: analysis.models.map((m) => ({
      name: m.name,
      values: families.map((f) => m.families.find((x) => x.family === f)?.drop_rel.value ?? null),
      significant: families.map((f) => m.families.find((x) => x.family === f)?.delta_drop_rel?.significant ?? null),
    })),
  };
}

export interface CurveSeries {
  name: string;
  corruption: string;
  /** [severity, AP]; severity 0 is the clean AP */
  points: [number, number | null][];
}

/** AP against severity for one corruption (or every one), one series per model and corruption, each starting at the clean AP. */
export function severityCurves(analysis: AuditAnalysis, corruption: CorruptionName | 'all'): CurveSeries[] {
  const out: CurveSeries[] = [];
  for (const m of analysis.models) {
    for (const c of m.corruptions) {
      if (corruption !== 'all' && c.corruption !== corruption) continue;
      out.push({
        name: corruption === 'all' ? `${m.name} · ${c.corruption}` : m.name,
        corruption: c.corruption,
        points: [[0, m.P.value], ...c.curve.map((p): [number, number | null] => [p.severity, p.AP.value])],
      });
    }
  }
  return out;
}

export interface ImbalancePoint {
  id: number;
  name: string;
  count: number;
  AP: number | null;
  rPC: number | null;
  tail: boolean;
}

/** Class frequency (the training-set count when given, else the GT count) against clean AP and rPC for one model. */
export function imbalancePoints(analysis: AuditAnalysis, model: ModelAnalysis): ImbalancePoint[] {
  return analysis.categories
    .filter((c) => c.gt_count > 0)
    .map((c) => {
      const r = model.classes.find((x) => x.id === c.id);
      return { id: c.id, name: c.name, count: c.train_count ?? c.gt_count, AP: r?.P.value ?? null, rPC: r?.rPC.value ?? null, tail: c.tail };
    });
}

// ---- the compression sweep --------------------------------------------------------------------

export type SweepMetric = 'P' | 'mPC' | 'rPC' | 'worst' | `family:${string}`;

export function sweepMetricValue(m: ModelAnalysis, metric: SweepMetric): number | null {
  if (metric === 'P') return m.P.value;
  if (metric === 'mPC') return m.mPC.value;
  if (metric === 'rPC') return m.rPC.value;
  if (metric === 'worst') return m.worst_class.by_AP?.value.value ?? null;
  const family = metric.slice('family:'.length);
  return m.families.find((f) => f.family === family)?.AP.value ?? null;
}

/** The rate an uncompressed model has in each unit: 0% sparsity, 100% channels kept, 32 bits. */
const NEUTRAL_RATE = { sparsity_percent: 0, kept_channels_percent: 100, bits: 32 } as const;

export interface SweepSeries {
  /** "structured_pruning × augmentation (kept_channels_percent)" */
  key: string;
  method: string;
  training: string;
  unit: string;
  /** [rate, metric], rate ascending; the uncompressed models of the same training at the unit's neutral rate */
  points: { rate: number; value: number | null; model: string }[];
}

/**
 * One series per compression method x training intervention (models without a rate are
 * left out: they have no place on the x axis). Uncompressed models (method none) join
 * every series of their training intervention at that series' neutral rate, so each line
 * starts from its own baseline.
 */
export function sweepSeries(analysis: AuditAnalysis, tagsOf: (modelId: number) => ModelTags | null, metric: SweepMetric): SweepSeries[] {
  const groups = new Map<string, SweepSeries>();
  const plain: { training: string; value: number | null; model: string }[] = [];
  for (const m of analysis.models) {
    const tags = tagsOf(m.id);
    if (!tags) continue;
    const value = sweepMetricValue(m, metric);
    const c = tags.compression;
    if (c.method === 'none') {
      plain.push({ training: tags.training, value, model: m.name });
      continue;
    }
    if (c.rate === null || c.rateUnit === null) continue;
    const key = `${c.method} × ${tags.training} (${c.rateUnit})`;
    const series = groups.get(key) ?? { key, method: c.method, training: tags.training, unit: c.rateUnit, points: [] };
    series.points.push({ rate: c.rate, value, model: m.name });
    groups.set(key, series);
  }
  for (const s of groups.values()) {
    for (const p of plain) {
      if (p.training === s.training) s.points.push({ rate: NEUTRAL_RATE[s.unit as keyof typeof NEUTRAL_RATE], value: p.value, model: p.model });
    }
    s.points.sort((a, b) => a.rate - b.rate);
  }
  return [...groups.values()].sort((a, b) => a.key.localeCompare(b.key));
}

// ---- comparison ------------------------------------------------------------------------------

export interface WorseCell {
  categoryId: number;
  className: string;
  corruption: string;
  severity: number;
  conditionIndex: number;
  delta: number;
  ci95: [number, number] | null;
  significant: boolean | null;
}

/**
 * (class, condition) cells where model B is worse than A, worst first. With A the baseline
 * the analysis' paired-bootstrap significance decides (only significant cells are listed);
 * for any other pair there is no interval, every negative delta is listed and marked
 * significant: null.
 */
export function worseCells(
  index: MetricIndex,
  conditions: readonly Condition[],
  analysis: AuditAnalysis | null,
  a: number,
  b: number,
): WorseCell[] {
  const aIsBaseline = analysis?.models.find((m) => m.id === a)?.baseline ?? false;
  const out: WorseCell[] = [];
  conditions.forEach((cond, conditionIndex) => {
    for (const cat of index.categories) {
      const apA = index.get(a, conditionIndex, cat.id)?.AP ?? null;
      const apB = index.get(b, conditionIndex, cat.id)?.AP ?? null;
      if (apA === null || apB === null || apB >= apA) continue;
      const d = aIsBaseline ? (analysisCell(analysis, b, cond, cat.id)?.delta_AP ?? null) : null;
      if (aIsBaseline && d?.significant !== true) continue;
      out.push({
        categoryId: cat.id,
        className: cat.name,
        corruption: cond.corruption,
        severity: cond.severity,
        conditionIndex,
        delta: apB - apA,
        ci95: d?.ci95 ?? null,
        significant: aIsBaseline ? true : null,
      });
    }
  });
  return out.sort((x, y) => x.delta - y.delta);
}

// ---- export ----------------------------------------------------------------------------------

function csvField(v: string | number | boolean | null): string {
  if (v === null) return '';
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export const METRIC_CSV_HEADER = ['model', 'model_sha256', 'baseline', 'corruption', 'severity', 'category_id', 'category', 'AP', 'AP50', 'num_gt', 'num_dets'];

/** Every per-class metric row as CSV (RFC 4180 quoting, \n line ends), in the rows' order. */
export function metricsCsv(rows: readonly AuditMetricRow[], models: readonly { modelId: number; name: string; sha256: string; baseline: boolean }[]): string {
  const byId = new Map(models.map((m) => [m.modelId, m]));
  const lines = [METRIC_CSV_HEADER.join(',')];
  for (const r of rows) {
    const m = byId.get(r.modelId);
    lines.push(
      [m?.name ?? String(r.modelId), m?.sha256 ?? '', m?.baseline ?? false, r.corruption, r.severity, r.id, r.name, r.AP, r.AP50, r.num_gt, r.num_dets]
        .map(csvField)
        .join(','),
    );
  }
  return `${lines.join('\n')}\n`;
}

// ---- drill-down ---------------------------------------------------------------------------

export const DRILL_FILTERS = ['all', 'missed-only-by-b', 'found-only-by-b', 'tp', 'fp', 'fn'] as const;
export type DrillFilter = (typeof DRILL_FILTERS)[number];
export const DRILL_FILTER_LABELS: Record<DrillFilter, string> = {
  all: 'all images of the class',
  'missed-only-by-b': 'missed only by B',
  'found-only-by-b': 'found only by B',
  tp: 'with a TP (A or B)',
  fp: 'with an FP (A or B)',
  fn: 'with an FN (A or B)',
};

/** The drill-down's rows that pass a filter, in their order. */
export function filterDrillRows(rows: readonly CellImageRow[], filter: DrillFilter): CellImageRow[] {
  const pass: Record<DrillFilter, (r: CellImageRow) => boolean> = {
    all: () => true,
    'missed-only-by-b': (r) => r.missedOnlyByB,
    'found-only-by-b': (r) => r.foundOnlyByB,
    tp: (r) => r.a.tp + r.b.tp > 0,
    fp: (r) => r.a.fp + r.b.fp > 0,
    fn: (r) => r.a.fn + r.b.fn > 0,
  };
  return rows.filter(pass[filter]);
}
