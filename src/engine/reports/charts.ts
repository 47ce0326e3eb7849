/**
 * The report's charts as SVG strings: ECharts rendered server-side (renderer 'svg',
 * ssr: true, no animation), so every chart is vector and its text is text in the PDF.
 * Input: the report model's data; nothing here computes a statistic, it only maps
 * numbers to marks. Colours: one per model (the palette below, in analysis order), a
 * sequential scale for AP and a diverging one for Δ (red: the model is worse).
 *
 * Each function returns one <svg> element with a fixed width and height in CSS pixels
 * (96 per inch), sized for an A4 page with 15 mm margins (at most 680 px wide).
 */
import * as echarts from 'echarts';
import type { EChartsOption } from 'echarts';
import type { ReportModel } from '../../shared/report';

export const MODEL_COLOURS = ['#1f5fa8', '#d4552b', '#2a9d5c', '#8e44ad', '#b8860b', '#17becf', '#7f7f7f', '#e377c2'];
const FONT = { fontFamily: 'DejaVu Sans, Arial, Helvetica, sans-serif', fontSize: 10 };

/**
 * A chart as a static, CSP-clean SVG. ECharts writes text styles as style="" attributes
 * and hover rules as <style> elements, which a strict CSP (style-src by hash, no
 * 'unsafe-inline') refuses: the hover rules go (a report is not interactive) and the
 * text styles become SVG presentation attributes (font-size="12px"), which are not styles
 * and render the same.
 */
export function staticSvg(svg: string): string {
  return svg.replace(/<style\b[^>]*>[\s\S]*?<\/style>/g, '').replace(/ style="([^"]*)"/g, (_, css: string) =>
    css
      .split(';')
      .map((d) => d.trim())
      .filter(Boolean)
      .map((d) => {
        const at = d.indexOf(':');
        const prop = d.slice(0, at).trim();
        return /^[a-z-]+$/.test(prop) ? ` ${prop}="${d.slice(at + 1).trim()}"` : '';
      })
      .join(''),
  );
}

function render(option: EChartsOption, width: number, height: number): string {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height });
  try {
    chart.setOption({ animation: false, textStyle: FONT, ...option });
    return staticSvg(chart.renderToSVGString());
  } finally {
    chart.dispose();
  }
}

const fmt = (v: number | null, d = 3): string => (v === null ? 'n/a' : v.toFixed(d));

/** Class x corruption heatmap of AP (sequential) or Δ AP (diverging; non-significant cells muted). */
export function heatmapSvg(h: ReportModel['heatmaps'][number], value: 'ap' | 'delta'): string {
  const matrix = value === 'ap' ? h.ap : (h.delta ?? []);
  const data: { value: [number, number, number | '-']; itemStyle?: { opacity: number } }[] = [];
  let extent = 0;
  matrix.forEach((row, r) =>
    row.forEach((v, c) => {
      if (v !== null) extent = Math.max(extent, Math.abs(v));
      const muted = value === 'delta' && h.delta_significant !== null && !h.delta_significant[r][c];
      data.push({ value: [c, r, v === null ? '-' : Number(v.toFixed(4))], ...(muted ? { itemStyle: { opacity: 0.35 } } : {}) });
    }),
  );
  const span = Math.max(0.05, Math.ceil(extent * 20) / 20);
  const height = 70 + 22 * h.rows.length + 60;
  return render(
    {
      grid: { left: 110, right: 20, top: 10, bottom: 110 },
      xAxis: { type: 'category', data: h.columns, axisLabel: { rotate: 45, interval: 0 }, splitArea: { show: true } },
      yAxis: { type: 'category', data: h.rows, inverse: true, splitArea: { show: true } },
      visualMap:
        value === 'ap'
          ? { min: 0, max: Math.max(0.1, Math.ceil(extent * 10) / 10), calculable: false, orient: 'horizontal', left: 'center', bottom: 0, itemHeight: 220, inRange: { color: ['#f7fbff', '#6baed6', '#08306b'] }, text: ['AP high', 'low'] }
          : { min: -span, max: span, calculable: false, orient: 'horizontal', left: 'center', bottom: 0, itemHeight: 220, inRange: { color: ['#b2182b', '#f7f7f7', '#2166ac'] }, text: ['better', 'Δ AP worse'] },
      series: [
        {
          type: 'heatmap',
          data,
          label: { show: true, fontSize: 8, formatter: (p) => { const v = (p.value as [number, number, number | '-'])[2]; return v === '-' ? '' : (value === 'ap' ? v.toFixed(2) : (v > 0 ? '+' : '') + v.toFixed(2)); } },
        },
      ],
    },
    680,
    height,
  );
}

/** Relative AP drop per corruption family, one bar per model. */
export function familySvg(r: ReportModel): string {
  const families = ['noise', 'blur', 'weather', 'digital'].filter((f) => r.analysis.models.some((m) => m.families.some((x) => x.family === f && x.n_conditions > 0)));
  return render(
    {
      color: MODEL_COLOURS,
      legend: { top: 0, itemGap: 40 },
      grid: { left: 60, right: 20, top: 40, bottom: 40 },
      xAxis: { type: 'category', data: families },
      yAxis: { type: 'value', name: 'relative AP drop (P − AP) / P', nameLocation: 'middle', nameGap: 42, axisLabel: { formatter: (v: number) => `${Math.round(v * 100)}%` } },
      series: r.analysis.models.map((m) => ({
        type: 'bar',
        name: m.name,
        data: families.map((f) => {
          const v = m.families.find((x) => x.family === f)?.drop_rel.value ?? null;
          return v === null ? '-' : Number(v.toFixed(4));
        }),
        label: { show: true, position: 'top', fontSize: 8, formatter: (p) => (typeof p.value === 'number' ? `${Math.round(p.value * 100)}%` : '') },
      })),
    },
    680,
    300,
  );
}

/** AP against severity for one corruption (severity 0 = clean), one line per model. */
export function severitySvg(r: ReportModel, corruption: string): string {
  const severities = [0, ...new Set(r.analysis.conditions.filter((c) => c.corruption === corruption).map((c) => c.severity))];
  return render(
    {
      color: MODEL_COLOURS,
      title: { text: corruption, left: 'center', textStyle: { fontSize: 11 } },
      grid: { left: 42, right: 12, top: 28, bottom: 28 },
      xAxis: { type: 'category', data: severities.map((s) => (s === 0 ? 'clean' : String(s))) },
      yAxis: { type: 'value', min: 0, axisLabel: { formatter: (v: number) => v.toFixed(2) } },
      series: r.analysis.models.map((m) => ({
        type: 'line',
        name: m.name,
        symbolSize: 5,
        data: severities.map((s) => {
          const c = m.conditions.find((x) => x.corruption === (s === 0 ? 'clean' : corruption) && x.severity === s);
          const v = c?.AP.value ?? null;
          return v === null ? '-' : Number(v.toFixed(4));
        }),
      })),
    },
    220,
    170,
  );
}

/** Class count (log) against a per-class value (clean AP or rPC), one series per model; tail classes labelled. */
export function imbalanceSvg(r: ReportModel, value: 'P' | 'rPC'): string {
  const cats = r.analysis.categories.filter((c) => c.gt_count > 0);
  const count = (c: (typeof cats)[number]): number => c.train_count ?? c.gt_count;
  const label = r.analysis.imbalance.count_source === 'training-set' ? 'training-set boxes (log)' : 'GT boxes in the audit (log)';
  return render(
    {
      color: MODEL_COLOURS,
      legend: { top: 0, itemGap: 40 },
      grid: { left: 56, right: 24, top: 40, bottom: 44 },
      xAxis: { type: 'log', name: label, nameLocation: 'middle', nameGap: 26, logBase: 10 },
      yAxis: { type: 'value', name: value === 'P' ? 'clean AP' : 'rPC', nameLocation: 'middle', nameGap: 38, min: 0 },
      series: r.analysis.models.map((m) => ({
        type: 'scatter',
        name: `${m.name} (ρ ${fmt(value === 'P' ? m.imbalance.spearman_AP : m.imbalance.spearman_rPC, 2)})`,
        symbolSize: 9,
        data: cats.flatMap((c) => {
          const cls = m.classes.find((x) => x.id === c.id);
          const v = value === 'P' ? cls?.P.value : cls?.rPC.value;
          if (v === null || v === undefined) return [];
          return [{
            value: [Math.max(1, count(c)), Number(v.toFixed(4))],
            symbol: c.tail ? 'diamond' : 'circle',
            label: { show: true, position: 'right', fontSize: 8, formatter: c.tail ? `${c.name} (tail)` : c.name },
          }];
        }),
      })),
    },
    680,
    300,
  );
}

/** The compression sweep: a metric against the compression rate, one line per method x training. */
export function sweepSvg(points: NonNullable<ReportModel['sweep']>['points'], metric: 'P' | 'mPC' | 'rPC' | 'worst_class_AP'): string {
  // an uncompressed model (method none) starts every method's line of its training
  const uncompressed = (p: (typeof points)[number]): boolean => p.method === 'none';
  const groups = new Map<string, typeof points>();
  for (const p of points.filter((x) => !uncompressed(x))) {
    const key = `${p.method} · ${p.training}`;
    groups.set(key, [...(groups.get(key) ?? []), p]);
  }
  for (const [key, ps] of groups) groups.set(key, [...points.filter((x) => uncompressed(x) && x.training === ps[0].training), ...ps]);
  for (const p of points.filter(uncompressed)) if (![...groups.values()].some((ps) => ps.includes(p))) groups.set(`none · ${p.training}`, [p]);
  const unit = [...new Set(points.map((p) => p.rate_unit ?? ''))].join(' / ');
  return render(
    {
      color: MODEL_COLOURS,
      title: { text: metric.replace('_', ' ').replace('_', ' '), left: 'center', textStyle: { fontSize: 11 } },
      legend: { bottom: 0, itemGap: 24 },
      grid: { left: 48, right: 16, top: 30, bottom: 62 },
      xAxis: { type: 'value', name: `compression rate${unit ? ` (${unit})` : ''}`, nameLocation: 'middle', nameGap: 24, scale: true },
      yAxis: { type: 'value', min: 0 },
      series: [...groups].map(([name, ps]) => ({
        type: 'line',
        name,
        symbolSize: 7,
        data: [...ps].sort((a, b) => a.rate - b.rate).map((p) => [p.rate, p[metric] === null ? null : Number((p[metric] as number).toFixed(4))]),
        label: { show: true, position: 'top', fontSize: 8, formatter: (x) => ps.find((p) => p.rate === (x.value as number[])[0])?.model ?? '' },
      })),
    },
    330,
    250,
  );
}
