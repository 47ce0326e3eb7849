/**
 * The audit views' data shaping on a small hand-made audit (2 models x 3 classes x clean,
 * fog/1, fog/3, gaussian_noise/3) whose every expected number is worked out here: heatmap
 * values for AP / rPC / delta at one severity and averaged, delta muting from the
 * analysis' significance, colour scale ends, family bars, severity curves, imbalance
 * points, the compression sweep's series, the comparison ranking, CSV quoting and the
 * drill-down filters.
 */
import { describe, expect, it } from 'vitest';
import { auditAnalysisSchema, type AuditAnalysis } from '../../../../src/shared/audit-results';
import type { AuditMetricRow, CellImageRow, Condition } from '../../../../src/shared/audits';
import type { ModelTags } from '../../../../src/shared/model-tags';
import {
  METRIC_CSV_HEADER,
  MetricIndex,
  auditedSeverities,
  buildHeatmap,
  familyBars,
  filterDrillRows,
  heatColour,
  imbalancePoints,
  metricsCsv,
  severityCurves,
  sweepSeries,
  worseCells,
} from '../../../../src/renderer/src/view-models/audit-results';

const CONDITIONS: Condition[] = [
  { corruption: 'clean', severity: 0 },
  { corruption: 'gaussian_noise', severity: 3 },
  { corruption: 'fog', severity: 1 },
  { corruption: 'fog', severity: 3 },
];
const CLASSES = [
  { id: 1, name: 'car' },
  { id: 2, name: 'person' },
  { id: 3, name: 'cyclist, "rare"' },
];
/** AP[model][condition][class]; null: no scored GT */
const AP: Record<number, (number | null)[][]> = {
  10: [
    [0.8, 0.6, null],
    [0.4, 0.3, null],
    [0.7, 0.5, null],
    [0.5, 0.4, null],
  ],
  20: [
    [0.6, 0.6, null],
    [0.2, 0.3, null],
    [0.6, 0.5, null],
    [0.4, 0.2, null],
  ],
};

function rows(): AuditMetricRow[] {
  const out: AuditMetricRow[] = [];
  for (const [modelId, byCondition] of Object.entries(AP)) {
    byCondition.forEach((aps, conditionIndex) => {
      aps.forEach((ap, k) => {
        const c = CONDITIONS[conditionIndex];
        out.push({
          id: CLASSES[k].id,
          name: CLASSES[k].name,
          AP: ap,
          AP50: ap,
          num_gt: k === 2 ? 0 : 10 * (k + 1),
          num_dets: 5,
          modelId: Number(modelId),
          modelPosition: Number(modelId) === 10 ? 0 : 1,
          conditionIndex,
          corruption: c.corruption,
          severity: c.severity,
        });
      });
    });
  }
  return out;
}

const est = (value: number | null, ci95: [number, number] | null = null) => ({ value, ci95 });
const delta = (value: number | null, significant: boolean | null) => ({ value, ci95: significant === null ? null : ([value! - 0.05, value! + 0.05] as [number, number]), significant });
const cover = { n_conditions: 3, n_suite: 15, complete: false };

/** The analysis of the audit above, with the deltas' significance chosen by the test. */
function analysis(): AuditAnalysis {
  const model = (id: number, baseline: boolean, P: number, mPC: number, worst: number, noiseAp: number) => ({
    id,
    name: id === 10 ? 'full' : 'pruned',
    sha256: `sha${id}`,
    baseline,
    P: est(P),
    mPC: { ...est(mPC), ...cover },
    rPC: { ...est(mPC / P), ...cover },
    mPC_heldout: { ...est(null), n_conditions: 0, n_suite: 4, complete: false },
    rPC_heldout: { ...est(null), n_conditions: 0, n_suite: 4, complete: false },
    worst_class: { min_gt: 10, eligible: 2, skipped: 0, without_gt: 1, by_AP: { id: 2, name: 'person', value: est(worst) }, by_mPC: null, by_rPC: null },
    imbalance: { spearman_AP: 1, spearman_rPC: -1, n_AP: 2, n_rPC: 2 },
    delta: baseline
      ? null
      : {
          baseline_id: 10,
          P: delta(-0.1, true),
          mPC: delta(-0.1, false),
          rPC: delta(0, false),
          mPC_heldout: delta(null, null),
          worst_class_AP: delta(0, false),
          worst_class_mPC: delta(null, null),
          worst_class_rPC: delta(null, null),
        },
    classes: CLASSES.slice(0, 2).map((c, k) => ({ id: c.id, P: est(AP[id][0][k]), mPC: est(0.5), rPC: est(k === 0 ? 0.6 : 0.7), mPC_heldout: est(null), delta: null })),
    conditions: CONDITIONS.map((c, i) => ({
      corruption: c.corruption,
      severity: c.severity,
      AP: est(0.5),
      AP50: 0.6,
      delta_AP: null,
      per_class: CLASSES.map((cls, k) => ({
        id: cls.id,
        AP: est(AP[id][i][k], [0, 1]),
        AP50: null,
        num_dets: 5,
        // pruned: car under gaussian_noise/3 and fog/3 is significantly worse; everything else is not
        delta_AP: baseline ? null : delta(AP[id][i][k] === null ? null : AP[id][i][k]! - AP[10][i][k]!, (i === 1 || i === 3) && k === 0),
      })),
    })),
    corruptions: [
      { corruption: 'gaussian_noise' as const, family: 'noise' as const, role: 'benchmark' as const, severities: [3], AP: est(noiseAp), drop: est(P - noiseAp), drop_rel: est((P - noiseAp) / P), curve: [{ severity: 3, AP: est(noiseAp) }], delta_AP: null, delta_drop_rel: null },
      { corruption: 'fog' as const, family: 'weather' as const, role: 'benchmark' as const, severities: [1, 3], AP: est(0.5), drop: est(0.1), drop_rel: est(0.2), curve: [{ severity: 1, AP: est(0.6) }, { severity: 3, AP: est(0.45) }], delta_AP: null, delta_drop_rel: null },
    ],
    families: [
      { family: 'noise' as const, corruptions: ['gaussian_noise' as const], ...cover, AP: est(noiseAp), drop: est(P - noiseAp), drop_rel: est((P - noiseAp) / P), delta_AP: null, delta_drop_rel: baseline ? null : delta(0.3, true) },
      { family: 'weather' as const, corruptions: ['fog' as const], ...cover, AP: est(0.5), drop: est(0.1), drop_rel: est(0.2), delta_AP: null, delta_drop_rel: baseline ? null : delta(0, false) },
    ],
  });
  return auditAnalysisSchema.parse({
    schema_version: 1,
    images: 10,
    bootstrap: { resamples: 100, seed: 0, level: 0.95, method: 'paired percentile' },
    conditions: CONDITIONS.map((c) => ({ ...c, family: c.corruption === 'clean' ? null : c.corruption === 'fog' ? 'weather' : 'noise', role: c.corruption === 'clean' ? 'clean' : 'benchmark' })),
    categories: CLASSES.map((c, k) => ({ id: c.id, name: c.name, gt_count: k === 2 ? 0 : 10 * (k + 1), num_gt: 10, train_count: null, tail: k === 0, worst_eligible: k < 2 })),
    imbalance: { count_source: 'ground-truth', n_classes: 2, tail_classes: [1], tail_rule: 'rarest third' },
    models: [model(10, true, 0.7, 0.5, 0.6, 0.35), model(20, false, 0.6, 0.4, 0.5, 0.25)],
  });
}

const index = new MetricIndex(rows());
const base = { index, conditions: CONDITIONS, modelId: 20, referenceId: 10, analysis: analysis() };

describe('buildHeatmap', () => {
  it('lays out classes in category order and clean first, then each corruption once', () => {
    const h = buildHeatmap({ ...base, value: 'AP', severity: 3 });
    expect(h.classes.map((c) => c.name)).toEqual(['car', 'person', 'cyclist, "rare"']);
    expect(h.columns).toEqual(['clean', 'gaussian_noise', 'fog']);
    expect(auditedSeverities(CONDITIONS)).toEqual([1, 3]);
  });

  it('starts as the full grid of known categories and counts the cells that have a value', () => {
    const empty = buildHeatmap({ ...base, index: new MetricIndex([], CLASSES), value: 'AP', severity: 3 });
    expect(empty.classes).toEqual(CLASSES);
    expect(empty.cells.flat().every((c) => c.value === null)).toBe(true);
    expect(empty.filled).toBe(0);
    const onlyClean = new MetricIndex(rows().filter((r) => r.conditionIndex === 0), CLASSES);
    expect(buildHeatmap({ ...base, index: onlyClean, value: 'AP', severity: 3 }).filled).toBe(2);
    expect(buildHeatmap({ ...base, value: 'AP', severity: 3 }).filled).toBe(6);
  });

  it('AP at one severity and averaged over the audited ones; null where the class has no scored GT', () => {
    const at3 = buildHeatmap({ ...base, value: 'AP', severity: 3 });
    expect(at3.cells[0].map((c) => c.value)).toEqual([0.6, 0.2, 0.4]);
    expect(at3.cells[2].map((c) => c.value)).toEqual([null, null, null]);
    expect(at3.cells[0][1]).toMatchObject({ gt: 10, dets: 5, ci95: [0, 1] });
    const mean = buildHeatmap({ ...base, value: 'AP', severity: 'mean' });
    expect(mean.cells[0][2].value).toBeCloseTo((0.6 + 0.4) / 2, 12);
    expect(mean.cells[0][2].dets).toBe(10);
    expect(mean.cells[0][1].value).toBe(0.2);
  });

  it('rPC is AP over the class clean AP, the clean column 1', () => {
    const h = buildHeatmap({ ...base, value: 'rPC', severity: 1 });
    expect(h.cells[0][0].value).toBe(1);
    expect(h.cells[0][2].value).toBeCloseTo(0.6 / 0.6, 12);
    expect(h.cells[1][2].value).toBeCloseTo(0.5 / 0.6, 12);
    expect(h.max).toBeGreaterThanOrEqual(1);
  });

  it('delta is model minus reference; only cells the analysis marks significant stay unmuted, and the scale is symmetric', () => {
    const h = buildHeatmap({ ...base, value: 'delta', severity: 3 });
    expect(h.cells[0][1].value).toBeCloseTo(0.2 - 0.4, 12);
    expect(h.cells[0][1].muted).toBe(false);
    expect(h.cells[0][1].ci95).not.toBeNull();
    expect(h.cells[0][2]).toMatchObject({ muted: false });
    expect(h.cells[1][2]).toMatchObject({ muted: true });
    expect(h.cells[1][2].value).toBeCloseTo(-0.2, 12);
    expect(h.min).toBe(-h.max);
    expect(h.max).toBeCloseTo(0.2, 12);
    // two severities averaged have no per-class interval: muted; one audited severity is that severity's cell
    const mean = buildHeatmap({ ...base, value: 'delta', severity: 'mean' });
    expect(mean.cells[0][2]).toMatchObject({ muted: true });
    expect(mean.cells[0][2].value).toBeCloseTo(-0.1, 12);
    expect(mean.cells[0][1]).toMatchObject({ muted: false });
    // a reference that is not the baseline has no interval either
    expect(buildHeatmap({ ...base, modelId: 10, referenceId: 20, value: 'delta', severity: 3 }).cells[0][1]).toMatchObject({ muted: true });
  });

  it('colours: the scale ends and grey for no value', () => {
    expect(heatColour(null, 0, 1, false)).toBe('#eeeeee');
    expect(heatColour(0, 0, 1, false)).toBe('rgb(247,251,255)');
    expect(heatColour(1, 0, 1, false)).toBe('rgb(8,69,148)');
    expect(heatColour(-1, -1, 1, true)).toBe('rgb(178,24,43)');
    expect(heatColour(0, -1, 1, true)).toBe('rgb(247,247,247)');
    expect(heatColour(1, -1, 1, true)).toBe('rgb(27,120,55)');
  });
});

describe('charts', () => {
  it('family bars: relative drop per family per model with the delta significance', () => {
    const bars = familyBars(analysis());
    expect(bars.families).toEqual(['noise', 'weather']);
    expect(bars.series[0].values[0]).toBeCloseTo(0.5, 12);
    expect(bars.series[1].values[0]).toBeCloseTo((0.6 - 0.25) / 0.6, 12);
    expect(bars.series[1].significant).toEqual([true, false]);
    expect(bars.series[0].significant).toEqual([null, null]);
  });

  it('severity curves start at the clean AP, one per model for one corruption, one per model x corruption for all', () => {
    const fog = severityCurves(analysis(), 'fog');
    expect(fog.map((s) => s.name)).toEqual(['full', 'pruned']);
    expect(fog[0].points).toEqual([[0, 0.7], [1, 0.6], [3, 0.45]]);
    expect(severityCurves(analysis(), 'all')).toHaveLength(4);
  });

  it('imbalance points: classes with scored GT, their count, clean AP, rPC and tail flag', () => {
    const a = analysis();
    expect(imbalancePoints(a, a.models[1])).toEqual([
      { id: 1, name: 'car', count: 10, AP: 0.6, rPC: 0.6, tail: true },
      { id: 2, name: 'person', count: 20, AP: 0.6, rPC: 0.7, tail: false },
    ]);
  });

  it('compression sweep: one series per method x training, the uncompressed model at the neutral rate, rate ascending', () => {
    const tags: Record<number, ModelTags> = {
      10: { compression: { method: 'none', rate: null, rateUnit: null }, training: 'baseline', note: '' },
      20: { compression: { method: 'structured_pruning', rate: 50, rateUnit: 'kept_channels_percent' }, training: 'baseline', note: '' },
    };
    const series = sweepSeries(analysis(), (id) => tags[id] ?? null, 'rPC');
    expect(series).toHaveLength(1);
    expect(series[0].key).toBe('structured_pruning × baseline (kept_channels_percent)');
    expect(series[0].points.map((p) => [p.rate, p.model])).toEqual([[50, 'pruned'], [100, 'full']]);
    expect(series[0].points[0].value).toBeCloseTo(0.4 / 0.6, 12);
    expect(sweepSeries(analysis(), (id) => tags[id] ?? null, 'family:noise')[0].points.map((p) => p.value)).toEqual([0.25, 0.35]);
    expect(sweepSeries(analysis(), (id) => tags[id] ?? null, 'worst')[0].points.map((p) => p.value)).toEqual([0.5, 0.6]);
    // a different training intervention does not join the line; an untagged rate has no place on the axis
    tags[10] = { ...tags[10], training: 'augmentation' };
    expect(sweepSeries(analysis(), (id) => tags[id] ?? null, 'P')[0].points).toHaveLength(1);
    tags[20] = { ...tags[20], compression: { method: 'quantization', rate: null, rateUnit: null } };
    expect(sweepSeries(analysis(), (id) => tags[id] ?? null, 'P')).toEqual([]);
  });
});

describe('worseCells', () => {
  it('against the baseline lists only significant cells, worst first', () => {
    const cells = worseCells(index, CONDITIONS, analysis(), 10, 20);
    expect(cells.map((c) => [c.className, c.corruption, c.severity])).toEqual([
      ['car', 'gaussian_noise', 3],
      ['car', 'fog', 3],
    ]);
    expect(cells[0].delta).toBeCloseTo(-0.2, 12);
    expect(cells[1].delta).toBeCloseTo(-0.1, 12);
  });

  it('for a pair without the baseline lists every lower cell, without significance', () => {
    const cells = worseCells(index, CONDITIONS, analysis(), 20, 10);
    expect(cells.every((c) => c.significant === null && c.delta < 0)).toBe(true);
    expect(cells).toHaveLength(0);
    const reversed = worseCells(index, CONDITIONS, null, 10, 20);
    expect(reversed.map((c) => c.delta.toFixed(2))).toEqual(['-0.20', '-0.20', '-0.20', '-0.10', '-0.10']);
  });
});

describe('metricsCsv', () => {
  it('writes the header and one quoted row per metric row', () => {
    const csv = metricsCsv(rows(), [
      { modelId: 10, name: 'full', sha256: 'sha10', baseline: true },
      { modelId: 20, name: 'pruned, v2', sha256: 'sha20', baseline: false },
    ]);
    const lines = csv.trimEnd().split('\n');
    expect(lines[0]).toBe(METRIC_CSV_HEADER.join(','));
    expect(lines).toHaveLength(1 + 2 * 4 * 3);
    expect(lines[1]).toBe('full,sha10,true,clean,0,1,car,0.8,0.8,10,5');
    expect(lines[3]).toBe('full,sha10,true,clean,0,3,"cyclist, ""rare""",,,0,5');
    expect(lines[13]).toBe('"pruned, v2",sha20,false,clean,0,1,car,0.6,0.6,10,5');
  });
});

describe('filterDrillRows', () => {
  const row = (imageId: number, a: [number, number, number], b: [number, number, number], missed = false, found = false): CellImageRow => ({
    imageId,
    fileName: `${imageId}.png`,
    a: { tp: a[0], fp: a[1], fn: a[2] },
    b: { tp: b[0], fp: b[1], fn: b[2] },
    missedOnlyByB: missed,
    foundOnlyByB: found,
  });
  const all = [row(1, [1, 0, 0], [0, 0, 1], true), row(2, [0, 1, 1], [1, 0, 0], false, true), row(3, [0, 0, 0], [0, 2, 0])];
  it('keeps the rows each filter asks for, in order', () => {
    const ids = (f: Parameters<typeof filterDrillRows>[1]) => filterDrillRows(all, f).map((r) => r.imageId);
    expect(ids('all')).toEqual([1, 2, 3]);
    expect(ids('missed-only-by-b')).toEqual([1]);
    expect(ids('found-only-by-b')).toEqual([2]);
    expect(ids('tp')).toEqual([1, 2]);
    expect(ids('fp')).toEqual([2, 3]);
    expect(ids('fn')).toEqual([1, 2]);
  });
});
