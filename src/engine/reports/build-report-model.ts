/**
 * The one report builder: a ReportSource (report-source.ts) and options in, the report
 * model (src/shared/report.ts) out. The HTML renderer and the PDF both render this model;
 * nothing downstream computes a number.
 *
 * Steps: the canonical audit JSON is serialised once (UTF-8 of JSON.stringify: the exact
 * bytes the HTML embeds and the PDF attaches) and hashed (SHA-256); the cover's figures
 * of record (each model's sha256, P, mPC, rPC) are read from it, not from the analysis,
 * so that `odra report verify` can check the cover against the bytes; the provenance is
 * read through its schema; model tags come from the provenance (ONNX metadata keys
 * odra.compression.*, odra.training, odra.note); the compression sweep is made when the
 * audit has more than two models (points: the models with a numeric compression rate);
 * the policy, when given, is evaluated here (engine/policy); the pictures are made by
 * pictures.ts.
 *
 * A canonical JSON that lacks the core fields (audit.id, models[].sha256/P/mPC/rPC), or
 * whose models are not the analysis' models, is a bad-input error: a report must never
 * print figures from one audit over the record of another.
 */
import { createHash } from 'node:crypto';
import { badInput } from '../../shared/errors';
import type { Policy } from '../../shared/policy';
import {
  auditRecordCoreSchema,
  modelTagsSchema,
  REPORT_SCHEMA_VERSION,
  reportModelSchema,
  reportProvenanceSchema,
  type ModelTags,
  type ReportModel,
} from '../../shared/report';
import { evaluatePolicy } from '../policy/evaluate-policy';
import { ODRA_VERSION } from '../util/version';
import { buildGallery, buildSamples } from './pictures';
import type { ReportSource } from './report-source';

export interface ReportOptions {
  title?: string;
  policy?: { policy: Policy; file: string | null; sha256: string | null } | null;
  /** gallery cells (default 4; 0 leaves the gallery out) */
  galleryLimit?: number;
  /** the report's date (default now): fixed in tests that compare two builds */
  now?: Date;
}

/** The canonical JSON's bytes: what the HTML embeds, the PDF attaches and the cover's hash names. */
export function canonicalBytes(canonical: unknown): Buffer {
  return Buffer.from(JSON.stringify(canonical), 'utf8');
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export async function buildReportModel(source: ReportSource, options: ReportOptions = {}): Promise<ReportModel> {
  const { analysis } = source;
  const core = auditRecordCoreSchema.safeParse(source.canonical);
  if (!core.success) {
    throw badInput(`the audit record of audit ${source.audit.id} lacks the fields a report checks (audit.id, models[].sha256, P, mPC, rPC): ${core.error.issues[0]?.message ?? ''}`);
  }
  const record = core.data;
  const analysed = analysis.models.map((m) => m.sha256).join(',');
  const recorded = record.models.map((m) => m.sha256).join(',');
  if (record.audit.id !== source.audit.id || analysed !== recorded) {
    throw badInput(`the audit record (audit ${record.audit.id}, models ${recorded}) is not that of the analysed audit ${source.audit.id} (models ${analysed})`);
  }
  const provenance = reportProvenanceSchema.parse(source.provenance);
  const bytes = canonicalBytes(source.canonical);
  const tags: (ModelTags | null)[] = analysis.models.map((m) => {
    const p = provenance.models.find((x) => x.sha256 === m.sha256);
    return p?.tags ? modelTagsSchema.parse(p.tags) : null;
  });
  const verdicts = options.policy
    ? evaluatePolicy(options.policy.policy, analysis, { file: options.policy.file, sha256: options.policy.sha256 })
    : null;
  const images = source.images;
  const galleryLimit = options.galleryLimit ?? 4;
  const gallery =
    images && galleryLimit > 0
      ? await buildGallery(analysis, images, source.audit.seed, galleryLimit)
      : { items: [], rule: images ? 'gallery turned off' : 'no images available to this report', score_threshold: 0, iou_threshold: 0 };
  const methodology = await buildSamples(analysis, images, source.audit.seed);
  const model: ReportModel = {
    schema_version: REPORT_SCHEMA_VERSION,
    title: options.title ?? `Robustness audit ${source.audit.id}: ${source.audit.name}`,
    generated_at: (options.now ?? new Date()).toISOString(),
    odra_version: ODRA_VERSION,
    audit: {
      id: source.audit.id,
      name: source.audit.name,
      created_at: source.audit.createdAt,
      seed: source.audit.seed,
      images: analysis.images,
      conditions: analysis.conditions.length,
    },
    record: { file_name: `odra-audit-${source.audit.id}.json`, sha256: sha256Hex(bytes), base64: bytes.toString('base64'), bytes: bytes.length },
    figures: record.models.map((m) => ({ name: m.name, sha256: m.sha256, P: m.P, mPC: m.mPC, rPC: m.rPC })),
    provenance,
    analysis,
    verdicts,
    tags,
    heatmaps: heatmapsOf(analysis),
    sweep: sweepOf(analysis, tags),
    gallery,
    methodology,
  };
  return reportModelSchema.parse(model);
}

function sweepOf(a: ReportModel['analysis'], tags: readonly (ModelTags | null)[]): ReportModel['sweep'] {
  if (a.models.length <= 2) return null;
  const points: NonNullable<ReportModel['sweep']>['points'] = [];
  const left: string[] = [];
  a.models.forEach((m, i) => {
    const t = tags[i];
    if (!t || t.rate === null) {
      left.push(m.name);
      return;
    }
    points.push({
      model: m.name,
      method: t.method ?? 'unknown method',
      training: t.training ?? 'unknown training',
      rate: t.rate,
      rate_unit: t.rate_unit,
      P: m.P.value,
      mPC: m.mPC.value,
      rPC: m.rPC.value,
      worst_class_AP: m.worst_class.by_AP?.value.value ?? null,
    });
  });
  const units = [...new Set(points.map((p) => p.rate_unit ?? 'unitless'))];
  const note =
    (left.length ? `left out (no compression rate tag): ${left.join(', ')}. ` : '') +
    (units.length > 1 ? `rates are in different units (${units.join(', ')}): compare within a unit only. ` : '') +
    (points.length < 2 ? 'fewer than two models carry a compression rate: no sweep to draw.' : '');
  return { points, note: note.trim() };
}

function mean(xs: readonly (number | null)[]): number | null {
  const ok = xs.filter((x): x is number => x !== null);
  return ok.length ? ok.reduce((s, x) => s + x, 0) / ok.length : null;
}

/** Per model: class x (clean, each audited corruption) AP, the severities averaged; Δ likewise. */
function heatmapsOf(a: ReportModel['analysis']): ReportModel['heatmaps'] {
  const corruptions = [...new Set(a.conditions.filter((c) => c.corruption !== 'clean').map((c) => c.corruption))];
  const columns = ['clean', ...corruptions];
  return a.models.map((m) => {
    const cells = (col: string): ReportModel['analysis']['models'][number]['conditions'] => m.conditions.filter((c) => c.corruption === col);
    const rows = a.categories.map((cat) => cat.name);
    const ap = a.categories.map((cat) => columns.map((col) => mean(cells(col).map((c) => c.per_class.find((p) => p.id === cat.id)?.AP.value ?? null))));
    const delta = m.baseline
      ? null
      : a.categories.map((cat) => columns.map((col) => mean(cells(col).map((c) => c.per_class.find((p) => p.id === cat.id)?.delta_AP?.value ?? null))));
    const significant = m.baseline
      ? null
      : a.categories.map((cat) => columns.map((col) => cells(col).some((c) => c.per_class.find((p) => p.id === cat.id)?.delta_AP?.significant === true)));
    return { model: m.name, baseline: m.baseline, columns, rows, ap, delta, delta_significant: significant };
  });
}
