/**
 * The report model (src/shared/report.ts) as one self-contained HTML document: the
 * screen version of the report and the page the PDF is printed from.
 *
 * Self-contained and CSP-safe: no script at all, no external request (charts are inline
 * SVG, pictures data: URIs), one <style> element allowed by its SHA-256 in the
 * document's Content-Security-Policy (default-src 'none'), and no style attributes.
 * Text is text (selectable in the PDF). The audit's canonical JSON is embedded as a
 * download link (data:application/json;base64) whose bytes are the record; the cover
 * prints their SHA-256 and the figures of record in one block (id "odra-figures"), one
 * line per model: `<sha256> P <4 decimals> mPC <...> rPC <...>`, which verify.ts reads
 * back from the HTML or from the PDF's text.
 *
 * Sections (each starts a page in print): cover; summary (verdicts, P / mPC / rPC with
 * intervals and Δs, worst class); heatmaps; corruption families; severity curves; worst
 * classes and imbalance; compression sweep (more than two models); gallery of worst
 * failures; methodology; appendix (per-class and per-condition tables).
 */
import { createHash } from 'node:crypto';
import type { Delta, Estimate } from '../../shared/audit-results';
import { CORRUPTIONS } from '../../shared/corruptions';
import type { GalleryItem, ReportModel } from '../../shared/report';
import { familySvg, heatmapSvg, imbalanceSvg, MODEL_COLOURS, severitySvg, sweepSvg } from './charts';

export function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** The figures-of-record number format (4 decimals; n/a for null): the cover and verify agree on it. */
export function recordNumber(v: number | null): string {
  return v === null ? 'n/a' : v.toFixed(4);
}

/** One figures-of-record line. */
export function figureLine(f: ReportModel['figures'][number]): string {
  return `${f.sha256} P ${recordNumber(f.P)} mPC ${recordNumber(f.mPC)} rPC ${recordNumber(f.rPC)}`;
}

const n4 = recordNumber;
const pct = (v: number | null): string => (v === null ? 'n/a' : `${(v * 100).toFixed(1)}%`);
const ci = (c: [number, number] | null, f = n4): string => (c ? `[${f(c[0])}, ${f(c[1])}]` : '');
const est = (e: Estimate, f = n4): string => `${f(e.value)}${e.ci95 ? ` <span class="ci">${ci(e.ci95, f)}</span>` : ''}`;
function delta(d: Delta | null | undefined, f = n4): string {
  if (!d || d.value === null) return '<span class="muted">—</span>';
  const sign = d.value > 0 ? '+' : '';
  const mark = d.significant === null ? '' : d.significant ? ' <span class="sig" title="significant">*</span>' : '';
  const cls = d.significant ? (d.value < 0 ? 'worse' : 'better') : 'muted';
  return `<span class="${cls}">${sign}${f(d.value)}</span>${mark}${d.ci95 ? ` <span class="ci">${ci(d.ci95, f)}</span>` : ''}`;
}
const mb = (bytes: number): string => `${(bytes / 1e6).toFixed(1)} MB`;

const STYLE = `${MODEL_COLOURS.map((c, i) => `.sw${i} { background: ${c}; }`).join('\n')}
@page { size: A4; margin: 17mm 14mm 16mm 14mm; }
* { box-sizing: border-box; }
body { font-family: 'DejaVu Sans', Arial, Helvetica, sans-serif; font-size: 9.5pt; color: #1b1f24; margin: 0; line-height: 1.35; }
main { max-width: 182mm; margin: 0 auto; }
h1 { font-size: 19pt; margin: 0 0 4mm; }
h2 { font-size: 14pt; margin: 0 0 3mm; border-bottom: 1.5px solid #1f5fa8; padding-bottom: 1mm; }
h3 { font-size: 11pt; margin: 4mm 0 2mm; break-after: avoid; }
.keep { break-inside: avoid; }
td.why { min-width: 48mm; }
section { break-before: page; padding-top: 2mm; }
section.cover { break-before: auto; }
table { border-collapse: collapse; width: 100%; margin: 1mm 0 3mm; font-size: 8.5pt; }
thead { display: table-header-group; }
tr { break-inside: avoid; }
th, td { border-bottom: 0.5px solid #c8ccd2; padding: 1.2mm 1.5mm; text-align: left; vertical-align: top; }
th { background: #eef1f5; font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.mono, code { font-family: 'DejaVu Sans Mono', Menlo, Consolas, monospace; font-size: 7.5pt; word-break: break-all; }
.ci { color: #5b6470; font-size: 7.5pt; }
.muted { color: #8a929c; }
.worse { color: #b2182b; font-weight: 600; }
.better { color: #2166ac; }
.sig { color: #b2182b; font-weight: 700; }
.pass { color: #1d7a3e; font-weight: 700; }
.fail { color: #b2182b; font-weight: 700; }
.not_evaluable { color: #a06000; font-weight: 700; }
.verdict { font-size: 13pt; padding: 2mm 3mm; border: 1.5px solid; display: inline-block; margin: 1mm 0 3mm; }
.verdict.pass { border-color: #1d7a3e; }
.verdict.fail { border-color: #b2182b; }
pre.record { font-family: 'DejaVu Sans Mono', Menlo, Consolas, monospace; font-size: 6.6pt; background: #f5f7fa; border: 0.5px solid #c8ccd2; padding: 2mm; white-space: pre; overflow: hidden; margin: 1mm 0 2mm; }
.figure { break-inside: avoid; margin: 2mm 0 4mm; }
.figure svg { max-width: 100%; height: auto; }
.caption { font-size: 8pt; color: #4a525c; margin-top: 1mm; }
.grid { display: flex; flex-wrap: wrap; gap: 2mm; }
.grid .cell { break-inside: avoid; }
.gallery-item { break-inside: avoid; margin-bottom: 5mm; }
.pair { display: flex; gap: 3mm; }
.pair figure { margin: 0; flex: 1; }
.pair figcaption { font-size: 8pt; color: #4a525c; }
.pair svg { width: 100%; height: auto; display: block; border: 0.5px solid #c8ccd2; }
rect.box { fill: none; stroke-width: 2.5; }
rect.gt { stroke: #ffffff; stroke-dasharray: 6 4; }
rect.model { stroke: #d4552b; }
rect.baseline { stroke: #1f5fa8; }
.key span { display: inline-block; margin-right: 4mm; font-size: 8pt; }
.swatch { display: inline-block; width: 3mm; height: 3mm; margin-right: 1mm; vertical-align: middle; }
.swatch.model { background: #d4552b; } .swatch.baseline { background: #1f5fa8; } .swatch.gt { background: #ffffff; border: 1px dashed #333; }
.samples img { width: 100%; display: block; }
.samples td { padding: 0.6mm; width: 16%; }
.samples td.name { width: 20%; }
.small { font-size: 8pt; }
.nowrap { white-space: nowrap; }
a.record-link { color: #1f5fa8; }
.screen-only { display: block; }
@media print { .screen-only { display: none; } }
`;

export function styleHash(): string {
  return createHash('sha256').update(STYLE).digest('base64');
}

export function renderReportHtml(r: ReportModel): string {
  const csp = `default-src 'none'; img-src data:; style-src 'sha256-${styleHash()}'; base-uri 'none'; form-action 'none'`;
  const body = [cover(r), summary(r), heatmaps(r), families(r), severity(r), worst(r), sweep(r), gallery(r), methodology(r), appendix(r)].join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${esc(csp)}">
<meta name="generator" content="Odra ${esc(r.odra_version)}">
<meta name="odra-audit-id" content="${r.audit.id}">
<meta name="odra-record-sha256" content="${r.record.sha256}">
<title>${esc(r.title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>
`;
}

// ---- sections ------------------------------------------------------------------------------

function cover(r: ReportModel): string {
  const p = r.provenance;
  const providers = p.executionProviders.length ? p.executionProviders.join(', ') : 'not recorded';
  const models = r.analysis.models.map((m, i) => {
    const pm = p.models.find((x) => x.sha256 === m.sha256);
    const fp = pm?.fingerprint;
    const t = r.tags[i];
    const precision = fp ? Object.keys(fp.precision).join(', ') : 'n/a';
    const tagText = t
      ? esc([t.method, t.rate !== null ? `${t.rate}${t.rate_unit ? ` ${t.rate_unit}` : ''}` : null, t.training, t.note].filter(Boolean).join(' · '))
      : '<span class="muted">no tags</span>';
    return `<tr><td><span class="swatch sw${i % MODEL_COLOURS.length}"></span><b>${esc(m.name)}</b>${m.baseline ? ' <span class="small">(baseline)</span>' : ''}<br><span class="small muted">${esc(pm?.path ?? '')}</span></td>
<td class="mono">${m.sha256}</td>
<td class="small">${fp ? `${(fp.parameterCount / 1e6).toFixed(2)} M params · ${pct(fp.weights.zeroShare)} zero weights · ${pct(fp.channels.zeroShare)} zero channels · ${esc(precision)}${fp.quantization.schemes.length ? ` · quantized (${esc(fp.quantization.schemes.join(', '))})` : ''}` : 'n/a'}${pm ? `<br>${mb(pm.fileSize)}${pm.adapter ? ` · adapter ${esc(pm.adapter.family)}` : ''}${pm.executionProvider ? ` · ran on ${esc(pm.executionProvider)}` : ''}` : ''}</td>
<td class="small">${tagText}</td></tr>`;
  });
  const figures = [
    `audit ${r.audit.id} record ${r.record.file_name} (${r.record.bytes} bytes)`,
    `record sha256 ${r.record.sha256}`,
    ...r.figures.map(figureLine),
  ].join('\n');
  return `<section class="cover">
<h1>${esc(r.title)}</h1>
<table class="facts">
<tr><th>Audit</th><td>${r.audit.id} — ${esc(r.audit.name)}</td><th>Report date</th><td>${esc(r.generated_at)}</td></tr>
<tr><th>Created</th><td>${esc(r.audit.created_at ?? 'n/a')}</td><th>Odra</th><td>${esc(p.odraVersion)} (report by ${esc(r.odra_version)}) · onnxruntime ${esc(p.onnxruntime)}</td></tr>
<tr><th>Seed</th><td>${p.seed}</td><th>Corruption catalogue</th><td>${esc(p.corruptionCatalogueVersion)}</td></tr>
<tr><th>Execution provider</th><td>requested ${esc(p.requestedProvider)}; ran ${esc(providers)}</td><th>Machine</th><td>${esc(p.machine.cpuModel)}, ${p.machine.cores} cores, ${(p.machine.ramBytes / 2 ** 30).toFixed(0)} GiB RAM, ${esc(p.machine.os)}${p.machine.gpu ? `, GPU ${esc(p.machine.gpu)}` : ''}</td></tr>
<tr><th>Conditions</th><td>${r.audit.conditions} (clean + ${r.audit.conditions - 1} corruption × severity)</td><th>Bootstrap</th><td>${r.analysis.bootstrap.resamples ? `${r.analysis.bootstrap.resamples} paired resamples over images, 95% percentile intervals` : 'off (no intervals)'}</td></tr>
</table>
<h3>Dataset</h3>
<table>
<tr><th>Name</th><th>Format</th><th class="num">Images</th><th class="num">Audited</th><th class="num">GT boxes</th><th>Content hash (SHA-256)</th></tr>
<tr><td>${esc(p.dataset.name)}</td><td>${esc(p.dataset.format)}</td><td class="num">${p.dataset.imageCount}</td><td class="num">${p.dataset.auditedImages}</td><td class="num">${p.dataset.annotationCount ?? 'n/a'}</td><td class="mono">${esc(p.dataset.contentHash)}</td></tr>
</table>
<p class="small">Scored classes: ${r.analysis.categories.map((c) => `${esc(c.name)} (${c.gt_count})`).join(', ')}.</p>
<h3>Models</h3>
<table>
<tr><th>Model</th><th>SHA-256</th><th>Fingerprint</th><th>Tags</th></tr>
${models.join('\n')}
</table>
<h3>Audit record</h3>
<p class="small">The audit's canonical JSON (the object <code>odra audit --json</code> prints) is ${r.record.bytes} bytes, attached to the PDF as <code>${esc(r.record.file_name)}</code> and embedded in the HTML version <a class="record-link" id="odra-audit-json" download="${esc(r.record.file_name)}" href="data:application/json;base64,${r.record.base64}">(download)</a>. Its SHA-256 and the figures of record — each model's P, mPC and rPC as the record states them — follow; <code>odra report verify FILE</code> recomputes both.</p>
<pre class="record" id="odra-figures">${esc(figures)}</pre>
${r.verdicts ? `<p>Policy <b>${esc(r.verdicts.policy.name)}</b>: <span class="verdict ${r.verdicts.verdict}">${r.verdicts.verdict === 'pass' ? 'PASS' : 'FAIL'}</span> ${r.verdicts.counts.pass} pass, ${r.verdicts.counts.fail} fail, ${r.verdicts.counts.not_evaluable} not evaluable</p>` : '<p class="small muted">No policy was applied.</p>'}
</section>`;
}

function summary(r: ReportModel): string {
  const a = r.analysis;
  const rows = a.models.map((m) => {
    const w = m.worst_class.by_AP;
    return `<tr><td><b>${esc(m.name)}</b>${m.baseline ? ' (baseline)' : ''}</td>
<td class="num">${est(m.P)}</td><td class="num">${est(m.mPC)}<br><span class="small muted">${m.mPC.n_conditions}/${m.mPC.n_suite} conditions</span></td><td class="num">${est(m.rPC)}</td>
<td class="num">${m.mPC_heldout.n_conditions ? est(m.mPC_heldout) : '<span class="muted">not audited</span>'}</td>
<td>${w ? `${esc(w.name)} ${n4(w.value.value)}` : '<span class="muted">none eligible</span>'}</td></tr>`;
  });
  const deltas = a.models.filter((m) => m.delta).map((m) => `<tr><td><b>${esc(m.name)}</b></td><td class="num">${delta(m.delta?.P)}</td><td class="num">${delta(m.delta?.mPC)}</td><td class="num">${delta(m.delta?.rPC)}</td><td class="num">${delta(m.delta?.worst_class_AP)}</td></tr>`);
  const base = a.models.find((m) => m.baseline);
  const partial = a.models[0] && !a.models[0].mPC.complete ? `<p class="small"><b>Partial suite:</b> mPC here is the mean over ${a.models[0].mPC.n_conditions} of the ${a.models[0].mPC.n_suite} benchmark conditions; it is not comparable with a full-suite mPC.</p>` : '';
  return `<section>
<h2>Summary</h2>
${verdictTable(r)}
<h3>Robustness (Michaelis et al. 2019)</h3>
<table>
<thead><tr><th>Model</th><th class="num">P (clean AP)</th><th class="num">mPC</th><th class="num">rPC</th><th class="num">held-out mPC</th><th>Worst class (clean AP)</th></tr></thead>
${rows.join('\n')}
</table>
<p class="small">95% paired-bootstrap intervals in brackets. Worst class: lowest clean AP among classes with at least ${a.models[0]?.worst_class.min_gt ?? 0} scored GT boxes.</p>
${partial}
${deltas.length ? `<div class="keep"><h3>Δ against the baseline (${esc(base?.name ?? '')})</h3>
<table><thead><tr><th>Model</th><th class="num">Δ P</th><th class="num">Δ mPC</th><th class="num">Δ rPC</th><th class="num">Δ worst-class AP</th></tr></thead>
${deltas.join('\n')}</table>
<p class="small">Δ = model − baseline; <span class="sig">*</span> significant: the 95% interval excludes 0 (red: significantly worse).</p></div>` : ''}
</section>`;
}

function verdictTable(r: ReportModel): string {
  const v = r.verdicts;
  if (!v) return '<p class="muted">No policy was applied: no verdicts.</p>';
  const models = [...new Set(v.results.map((x) => x.model.name))];
  const rules = [...new Set(v.results.map((x) => x.rule_id))];
  const cell = (rule: string, model: string): string => {
    const x = v.results.find((y) => y.rule_id === rule && y.model.name === model);
    if (!x) return '<td class="muted">—</td>';
    return `<td class="${x.verdict}">${x.verdict === 'not_evaluable' ? 'NOT EVALUABLE' : x.verdict.toUpperCase()}<br><span class="small">${x.measured === null ? '' : `${n4(x.measured)} ${x.comparator} ${n4(x.threshold)}`}</span></td>`;
  };
  const details = v.results.map((x) => `<tr><td class="nowrap">${esc(x.rule_id)}</td><td class="nowrap">${esc(x.model.name)}</td><td class="${x.verdict} nowrap">${x.verdict.replace('_', ' ')}</td><td class="num">${n4(x.measured)}${x.ci95 ? ` <span class="ci">${ci(x.ci95)}</span>` : ''}</td><td class="num">${x.comparator} ${n4(x.threshold)}</td><td class="small why">${esc(x.reason)}</td></tr>`);
  return `<h3>Verdicts — policy ${esc(v.policy.name)}</h3>
<p><span class="verdict ${v.verdict}">${v.verdict === 'pass' ? 'PASS' : 'FAIL'}</span> ${v.counts.pass} pass · ${v.counts.fail} fail · ${v.counts.not_evaluable} not evaluable (${v.policy.not_evaluable === 'fail' ? 'counted as failing' : 'left out of the verdict'})<br>
<span class="small">policy file ${esc(v.policy.file ?? 'n/a')} · sha256 <span class="mono">${esc(v.policy.sha256 ?? 'n/a')}</span></span></p>
<table><thead><tr><th>Rule</th>${models.map((m) => `<th>${esc(m)}</th>`).join('')}</tr></thead>
${rules.map((rule) => `<tr><td><b>${esc(rule)}</b><br><span class="small">${esc(v.results.find((x) => x.rule_id === rule)?.statement ?? '')}</span></td>${models.map((m) => cell(rule, m)).join('')}</tr>`).join('\n')}
</table>
<h3>Verdict details</h3>
<table><thead><tr><th>Rule</th><th>Model</th><th>Verdict</th><th class="num">Measured</th><th class="num">Threshold</th><th>Why</th></tr></thead>
${details.join('\n')}</table>`;
}

function heatmaps(r: ReportModel): string {
  const parts = r.heatmaps.map(
    (h) => `<div class="figure"><h3>${esc(h.model)}${h.baseline ? ' (baseline)' : ''}: AP per class and corruption</h3>${heatmapSvg(h, 'ap')}</div>` +
      (h.delta ? `<div class="figure"><h3>${esc(h.model)}: Δ AP against the baseline</h3>${heatmapSvg(h, 'delta')}<div class="caption">Mean over the audited severities of the per-class Δ AP; muted cells: no severity's Δ is significant.</div></div>` : ''),
  );
  return `<section><h2>Heatmaps</h2><p class="small">AP@[.5:.95] per class (rows) and condition (columns: clean, then each audited corruption, its severities averaged). Empty cells: the class has no scored GT.</p>${parts.join('\n')}</section>`;
}

function families(r: ReportModel): string {
  const fams = ['noise', 'blur', 'weather', 'digital'];
  const rows = r.analysis.models.map((m) => `<tr><td>${esc(m.name)}</td>${fams.map((f) => {
    const x = m.families.find((y) => y.family === f);
    return x && x.n_conditions ? `<td class="num">${est(x.drop_rel, pct)}${x.complete ? '' : `<br><span class="small muted">${x.n_conditions}/${x.n_suite} conditions</span>`}${x.delta_drop_rel ? `<br>Δ ${delta(x.delta_drop_rel, pct)}` : ''}</td>` : '<td class="muted">not audited</td>';
  }).join('')}</tr>`);
  const corr = r.analysis.models.map((m) => `<tr><td>${esc(m.name)}</td>${m.corruptions.map((c) => `<td class="num">${pct(c.drop_rel.value)}</td>`).join('')}</tr>`);
  const names = r.analysis.models[0]?.corruptions.map((c) => c.corruption) ?? [];
  return `<section><h2>Corruption families</h2>
<div class="figure">${familySvg(r)}<div class="caption">Relative AP drop from each model's own clean AP, mean over the family's audited benchmark conditions.</div></div>
<table><thead><tr><th>Model</th>${fams.map((f) => `<th class="num">${f}</th>`).join('')}</tr></thead>${rows.join('\n')}</table>
<h3>Per corruption (relative drop, severities averaged)</h3>
<table><thead><tr><th>Model</th>${names.map((n) => `<th class="num">${esc(n)}</th>`).join('')}</tr></thead>${corr.join('\n')}</table>
</section>`;
}

function severity(r: ReportModel): string {
  const corruptions = [...new Set(r.analysis.conditions.filter((c) => c.corruption !== 'clean').map((c) => c.corruption))];
  const key = r.analysis.models.map((m, i) => `<span><span class="swatch sw${i % MODEL_COLOURS.length}"></span>${esc(m.name)}</span>`).join('');
  return `<section><h2>Severity curves</h2><p class="key">${key}</p>
<div class="grid">${corruptions.map((c) => `<div class="cell">${severitySvg(r, c)}</div>`).join('')}</div>
<div class="caption">AP@[.5:.95] against severity (clean first), one line per model.</div></section>`;
}

function worst(r: ReportModel): string {
  const a = r.analysis;
  const rows = a.models.map((m) => {
    const w = m.worst_class;
    const e = (x: typeof w.by_AP): string => (x ? `${esc(x.name)} ${est(x.value)}` : '<span class="muted">none</span>');
    return `<tr><td>${esc(m.name)}</td><td>${e(w.by_AP)}</td><td>${e(w.by_mPC)}</td><td>${e(w.by_rPC)}</td><td class="num">${w.eligible} / ${w.eligible + w.skipped + w.without_gt}</td><td class="num">${m.imbalance.spearman_AP === null ? 'n/a' : m.imbalance.spearman_AP.toFixed(2)} / ${m.imbalance.spearman_rPC === null ? 'n/a' : m.imbalance.spearman_rPC.toFixed(2)}</td></tr>`;
  });
  const tail = a.categories.filter((c) => c.tail).map((c) => esc(c.name)).join(', ') || 'none';
  return `<section><h2>Worst classes and imbalance</h2>
<table><thead><tr><th>Model</th><th>Lowest clean AP</th><th>Lowest mPC</th><th>Lowest rPC</th><th class="num">Eligible classes</th><th class="num">Spearman ρ (count vs AP / rPC)</th></tr></thead>${rows.join('\n')}</table>
<p class="small">Eligible: classes with at least ${a.models[0]?.worst_class.min_gt ?? 0} scored GT boxes. Counts: ${a.imbalance.count_source === 'training-set' ? 'the training-set counts given with the audit' : 'GT boxes over the audited images'}. Tail classes (${esc(a.imbalance.tail_rule)}): ${tail}.</p>
<div class="figure">${imbalanceSvg(r, 'P')}<div class="caption">Class frequency against clean AP; diamonds: tail classes.</div></div>
<div class="figure">${imbalanceSvg(r, 'rPC')}<div class="caption">Class frequency against rPC (robustness relative to the class's own clean AP).</div></div>
</section>`;
}

function sweep(r: ReportModel): string {
  if (!r.sweep) return '';
  const s = r.sweep;
  const table = s.points.map((p) => `<tr><td>${esc(p.model)}</td><td>${esc(p.method)}</td><td>${esc(p.training)}</td><td class="num">${p.rate} ${esc(p.rate_unit ?? '')}</td><td class="num">${n4(p.P)}</td><td class="num">${n4(p.mPC)}</td><td class="num">${n4(p.rPC)}</td><td class="num">${n4(p.worst_class_AP)}</td></tr>`);
  const charts = s.points.length >= 2 ? `<div class="grid">${(['P', 'mPC', 'rPC', 'worst_class_AP'] as const).map((m) => `<div class="cell">${sweepSvg(s.points, m)}</div>`).join('')}</div>` : '';
  return `<section><h2>Compression sweep</h2>
${charts}
<table><thead><tr><th>Model</th><th>Method</th><th>Training</th><th class="num">Rate</th><th class="num">P</th><th class="num">mPC</th><th class="num">rPC</th><th class="num">Worst-class AP</th></tr></thead>${table.join('\n')}</table>
${s.note ? `<p class="small">${esc(s.note)}</p>` : ''}
<p class="small">Tags from the models' ONNX metadata (odra.compression.method, odra.compression.rate, odra.compression.rate_unit, odra.training, odra.note) as recorded in the audit.</p>
</section>`;
}

function picture(uri: string, crop: GalleryItem['crop'], boxes: GalleryItem['clean_boxes']): string {
  const rects = boxes.map((b) => `<rect class="box ${b.role}" x="${b.x.toFixed(1)}" y="${b.y.toFixed(1)}" width="${b.w.toFixed(1)}" height="${b.h.toFixed(1)}"><title>${esc(`${b.role} ${b.label}`)}</title></rect>`).join('');
  return `<svg viewBox="0 0 ${crop.w} ${crop.h}" width="${crop.w}" height="${crop.h}" role="img"><image href="${uri}" x="0" y="0" width="${crop.w}" height="${crop.h}"/>${rects}</svg>`;
}

function gallery(r: ReportModel): string {
  const g = r.gallery;
  if (g.items.length === 0) return `<section><h2>Worst failures</h2><p class="muted">${esc(g.rule)}: no pictures.</p></section>`;
  const items = g.items.map((x) => `<div class="gallery-item">
<h3>${esc(x.model)} · ${esc(x.corruption)} ${x.severity} · ${esc(x.class_name)}</h3>
<p class="small">Δ AP of the class in this cell ${delta(x.delta_AP)}. Image ${x.image_id}: ${x.found.gt} GT box(es) of the class; found by ${esc(x.model)} ${x.found.model_clean} clean, ${x.found.model_corrupted} corrupted${x.found.baseline_corrupted !== null ? `; by ${esc(x.baseline ?? '')} ${x.found.baseline_corrupted} corrupted` : ''}. Crop ${x.crop.w} × ${x.crop.h} px at (${x.crop.x}, ${x.crop.y}).</p>
<div class="pair"><figure>${picture(x.clean, x.crop, x.clean_boxes)}<figcaption>clean</figcaption></figure><figure>${picture(x.corrupted, x.crop, x.corrupted_boxes)}<figcaption>${esc(x.corruption)} severity ${x.severity} (regenerated from the audit seed)</figcaption></figure></div>
</div>`);
  return `<section><h2>Worst failures</h2>
<p class="small">${esc(g.rule)}. Boxes: detections of the class with score ≥ ${g.score_threshold} (matched at IoU ≥ ${g.iou_threshold}).</p>
<p class="key"><span><span class="swatch model"></span>model</span><span><span class="swatch baseline"></span>baseline</span><span><span class="swatch gt"></span>ground truth</span></p>
${items.join('\n')}</section>`;
}

function methodology(r: ReportModel): string {
  const m = r.methodology;
  const rows = m.corruptions.map((c) => `<tr><td class="name"><b>${esc(c.label)}</b><br><span class="small">${esc(c.family)} · ${c.role}${c.stochastic ? ' · seeded' : ''}<br>${esc(c.parameter)}<br>audited at ${c.audited_severities.join(', ')}</span></td>${c.samples.map((s) => `<td><img src="${s.image}" alt="${esc(c.name)} severity ${s.severity}"><span class="small">severity ${s.severity}</span></td>`).join('')}</tr>`);
  const catalogue = CORRUPTIONS.map((c) => `<tr><td>${esc(c.name)}</td><td>${c.family}</td><td>${c.role}</td><td class="small">${esc(c.parameter)}</td></tr>`);
  return `<section><h2>Methodology</h2>
<h3>Metrics</h3>
<p><b>AP</b> is COCO AP@[.5:.95]: average precision over IoU thresholds 0.50, 0.55, …, 0.95, 101-point interpolated precision, area range all, at most 100 detections per image, per class and then averaged over classes; computed by Odra's evaluator, which equals pycocotools (its reference outputs are part of Odra's tests). Detections are mapped to the dataset's categories with each model's class map, applied when scoring.</p>
<p><b>P</b> = AP on clean images; <b>mPC</b> = mean AP over the audited conditions of the 15 benchmark corruptions (here ${r.analysis.models[0]?.mPC.n_conditions ?? 0} of ${r.analysis.models[0]?.mPC.n_suite ?? 75}); <b>rPC</b> = mPC / P; held-out mPC likewise over speckle noise, gaussian blur, spatter and saturate (Michaelis et al. 2019, "Benchmarking Robustness in Object Detection"). Relative drop = (P − AP) / P. Per class the same on the class's AP. Worst class: the lowest value among classes with enough scored GT. Imbalance: Spearman's rank correlation of class count with clean AP and with rPC.</p>
<p><b>Intervals and significance.</b> ${esc(r.analysis.bootstrap.method)}; ${r.analysis.bootstrap.resamples} resamples, seed ${r.analysis.bootstrap.seed}. A Δ (model − baseline) is significant when its 95% interval excludes 0.</p>
<h3>Corruptions</h3>
<p class="small">Corruption definitions and severity parameters of Michaelis et al. (2019), the <code>imagecorruptions</code> package (Hendrycks &amp; Dietterich 2019 for the ImageNet-C originals). Each corrupted image is seeded by FNV-1a 32 of (audit seed, dataset content hash, image id, corruption, severity), so any image the models saw can be regenerated byte for byte (<code>odra corrupt</code>). Samples: ${esc(m.sample_note)}.</p>
<table class="samples">${m.sample_clean ? `<tr><td class="name"><b>clean</b><br><span class="small">image ${m.sample_image_id ?? ''}</span></td><td><img src="${m.sample_clean}" alt="clean sample"></td><td></td><td></td><td></td><td></td></tr>` : ''}
${rows.join('\n')}</table>
<h3>The corruption catalogue</h3>
<table><thead><tr><th>Corruption</th><th>Family</th><th>Role</th><th>What the severity controls</th></tr></thead>${catalogue.join('\n')}</table>
</section>`;
}

function appendix(r: ReportModel): string {
  const a = r.analysis;
  const name = new Map(a.categories.map((c) => [c.id, c]));
  const perModel = a.models.map((m) => `<h3>${esc(m.name)}${m.baseline ? ' (baseline)' : ''}</h3>
<table><thead><tr><th>Class</th><th class="num">GT</th><th class="num">P</th><th class="num">mPC</th><th class="num">rPC</th><th class="num">held-out mPC</th>${m.delta ? '<th class="num">Δ P</th><th class="num">Δ mPC</th><th class="num">Δ rPC</th>' : ''}</tr></thead>
${m.classes.map((c) => `<tr><td>${esc(name.get(c.id)?.name ?? String(c.id))}${name.get(c.id)?.tail ? ' <span class="small muted">tail</span>' : ''}</td><td class="num">${name.get(c.id)?.gt_count ?? ''}</td><td class="num">${est(c.P)}</td><td class="num">${est(c.mPC)}</td><td class="num">${est(c.rPC)}</td><td class="num">${c.mPC_heldout.value === null ? '<span class="muted">—</span>' : est(c.mPC_heldout)}</td>${c.delta ? `<td class="num">${delta(c.delta.P)}</td><td class="num">${delta(c.delta.mPC)}</td><td class="num">${delta(c.delta.rPC)}</td>` : ''}</tr>`).join('\n')}
</table>`);
  const conds = a.conditions.map((c, j) => `<tr><td>${c.corruption === 'clean' ? 'clean' : `${esc(c.corruption)} ${c.severity}`}</td>${a.models.map((m) => `<td class="num">${n4(m.conditions[j]?.AP.value ?? null)}${m.conditions[j]?.delta_AP ? ` ${delta(m.conditions[j].delta_AP)}` : ''}</td>`).join('')}</tr>`);
  return `<section><h2>Appendix: per-class and per-condition results</h2>
${perModel.join('\n')}
<h3>AP per condition</h3>
<table><thead><tr><th>Condition</th>${a.models.map((m) => `<th class="num">${esc(m.name)}</th>`).join('')}</tr></thead>${conds.join('\n')}</table>
<p class="small">Intervals: 95% paired bootstrap. Δ against the baseline with <span class="sig">*</span> when significant.</p>
</section>`;
}
