/**
 * Safety reports: what a report is made of (the report model: plain, zod-typed data, one
 * builder in engine/reports/build-report-model.ts, rendered to one HTML document and
 * printed from it to PDF), the provenance an audit hands the report, the core of the
 * audit's canonical JSON that the report's figures of record are checked against, the
 * result of `odra report verify`, and the PDF printer port.
 *
 * Conventions:
 *   - Numbers are the analysis' (src/shared/audit-results.ts): AP in [0, 1], Δ = model
 *     minus baseline, intervals 95% paired-bootstrap percentile intervals or null.
 *   - The canonical JSON is the object `odra audit --json` prints; the report embeds its
 *     exact bytes (UTF-8 of JSON.stringify) and prints their SHA-256 on the cover. The
 *     "figures of record" on the cover (each model's sha256, P, mPC, rPC to 4 decimals)
 *     are read from that object, so `odra report verify` can recompute both.
 *   - Pictures are data: URIs (PNG or JPEG), so the model is self-contained.
 *   - Model tags come from the ONNX metadata keys odra.compression.method,
 *     odra.compression.rate, odra.compression.rate_unit, odra.training and odra.note,
 *     stored as model tags and recorded in the audit's provenance.
 */
import { z } from 'zod';
import { auditAnalysisSchema, CORRUPTION_FAMILIES } from './audit-results';
import { CORRUPTION_NAMES } from './corruptions';
import { policyEvaluationSchema } from './policy';

export const REPORT_SCHEMA_VERSION = 1;

// ---- what an audit hands the report ---------------------------------------------------

export const modelTagsSchema = z.object({
  /** none, unstructured pruning, structured pruning, quantization, fp16, distillation, other */
  method: z.string().nullable().default(null),
  /** the compression rate, in rate_unit */
  rate: z.number().nullable().default(null),
  /** what the rate means: sparsity %, kept channels %, bits */
  rate_unit: z.string().nullable().default(null),
  /** baseline, augmentation, imbalance method, other */
  training: z.string().nullable().default(null),
  note: z.string().nullable().default(null),
});
export type ModelTags = z.infer<typeof modelTagsSchema>;

/** The ONNX metadata_props keys model tags are read from. */
export const MODEL_TAG_KEYS = {
  method: 'odra.compression.method',
  rate: 'odra.compression.rate',
  rate_unit: 'odra.compression.rate_unit',
  training: 'odra.training',
  note: 'odra.note',
} as const;

/**
 * A model's tags from its ONNX metadata_props; null when it carries none of the keys.
 * Values are trimmed; an empty value is absent; a rate that is not a finite number
 * (after trimming, e.g. "50" or "0.5") is absent too and named in `problems`, so a
 * report can say why a model left the compression sweep.
 */
export function modelTagsFromMetadata(metadata: Readonly<Record<string, string>>): { tags: ModelTags | null; problems: string[] } {
  const read = (key: string): string | null => {
    const v = metadata[key];
    return typeof v === 'string' && v.trim() !== '' ? v.trim() : null;
  };
  const problems: string[] = [];
  const rateText = read(MODEL_TAG_KEYS.rate);
  let rate: number | null = null;
  if (rateText !== null) {
    const n = Number(rateText);
    if (Number.isFinite(n)) rate = n;
    else problems.push(`${MODEL_TAG_KEYS.rate} "${rateText}" is not a number`);
  }
  const tags: ModelTags = {
    method: read(MODEL_TAG_KEYS.method),
    rate,
    rate_unit: read(MODEL_TAG_KEYS.rate_unit),
    training: read(MODEL_TAG_KEYS.training),
    note: read(MODEL_TAG_KEYS.note),
  };
  const any = Object.values(MODEL_TAG_KEYS).some((k) => read(k) !== null);
  return { tags: any ? tags : null, problems };
}

export const machineInfoSchema = z.object({
  cpuModel: z.string(),
  cores: z.number(),
  ramBytes: z.number(),
  os: z.string(),
  gpu: z.string().nullable(),
});

/**
 * The audit's provenance as the report reads it: the audit's stored provenance
 * (src/shared/audits.ts on the audit engine) read through this schema, which keeps the
 * fields the report prints and drops the rest.
 */
export const reportProvenanceSchema = z.object({
  odraVersion: z.string(),
  corruptionCatalogueVersion: z.string(),
  onnxruntime: z.string(),
  seed: z.number(),
  dataset: z.object({
    name: z.string(),
    format: z.string(),
    contentHash: z.string(),
    imageCount: z.number(),
    auditedImages: z.number(),
    annotationCount: z.number().optional(),
  }),
  models: z.array(
    z.object({
      name: z.string(),
      path: z.string(),
      sha256: z.string(),
      fileSize: z.number(),
      baseline: z.boolean(),
      adapter: z.object({ family: z.string() }).loose().nullable().optional(),
      fingerprint: z
        .object({
          parameterCount: z.number(),
          weights: z.object({ zeroShare: z.number() }).loose(),
          channels: z.object({ zeroShare: z.number() }).loose(),
          quantization: z.object({ schemes: z.array(z.string()) }).loose(),
          precision: z.record(z.string(), z.unknown()),
        })
        .loose()
        .nullable()
        .optional(),
      tags: modelTagsSchema.nullable().optional(),
      /** the provider that ran this model */
      executionProvider: z.string().nullable().optional(),
    }),
  ),
  requestedProvider: z.string(),
  /** the providers that actually ran (every run of the audit) */
  executionProviders: z.array(z.string()).default([]),
  machine: machineInfoSchema.loose(),
});
export type ReportProvenance = z.infer<typeof reportProvenanceSchema>;
export type ReportProvenanceInput = z.input<typeof reportProvenanceSchema>;

const nullableNumber = z.number().nullable();

/** The part of the canonical audit JSON (`odra audit --json`) the cover's figures are checked against. */
export const auditRecordCoreSchema = z
  .object({
    audit: z.object({ id: z.number() }).loose(),
    models: z.array(
      z.object({ name: z.string(), sha256: z.string(), P: nullableNumber, mPC: nullableNumber, rPC: nullableNumber }).loose(),
    ),
  })
  .loose();
export type AuditRecordCore = z.infer<typeof auditRecordCoreSchema>;

// ---- the report model -------------------------------------------------------------------

const estimate = z.object({ value: nullableNumber, ci95: z.tuple([z.number(), z.number()]).nullable() });
const delta = estimate.extend({ significant: z.boolean().nullable() });
const picture = z.string().regex(/^data:image\/(png|jpeg|svg\+xml);base64,/);

/** A detection or GT box drawn on a gallery crop, in crop pixels. */
const drawnBox = z.object({
  x: z.number(),
  y: z.number(),
  w: z.number(),
  h: z.number(),
  /** gt: the ground truth in question; model / baseline: their detections of the class */
  role: z.enum(['gt', 'model', 'baseline']),
  label: z.string(),
});

export const galleryItemSchema = z.object({
  model: z.string(),
  baseline: z.string().nullable(),
  corruption: z.enum(CORRUPTION_NAMES),
  severity: z.number().int(),
  class_name: z.string(),
  /** the cell's per-class Δ AP vs the baseline (or its drop from clean without a baseline) */
  delta_AP: delta,
  image_id: z.number(),
  /** GT boxes of the class on the image that the model finds clean / corrupted, and the baseline corrupted */
  found: z.object({ gt: z.number().int(), model_clean: z.number().int(), model_corrupted: z.number().int(), baseline_corrupted: z.number().int().nullable() }),
  crop: z.object({ x: z.number(), y: z.number(), w: z.number(), h: z.number() }),
  clean: picture,
  corrupted: picture,
  /** boxes on the clean crop (the model's and the baseline's clean detections) and on the corrupted crop */
  clean_boxes: z.array(drawnBox),
  corrupted_boxes: z.array(drawnBox),
});
export type GalleryItem = z.infer<typeof galleryItemSchema>;

export const sweepPointSchema = z.object({
  model: z.string(),
  method: z.string(),
  training: z.string(),
  rate: z.number(),
  rate_unit: z.string().nullable(),
  P: nullableNumber,
  mPC: nullableNumber,
  rPC: nullableNumber,
  worst_class_AP: nullableNumber,
});

export const reportModelSchema = z.object({
  schema_version: z.literal(REPORT_SCHEMA_VERSION),
  title: z.string(),
  generated_at: z.string(),
  odra_version: z.string(),
  audit: z.object({
    id: z.number(),
    name: z.string(),
    created_at: z.string().nullable(),
    seed: z.number(),
    images: z.number(),
    conditions: z.number(),
  }),
  /** the canonical audit JSON: its bytes (base64) and their SHA-256 */
  record: z.object({ file_name: z.string(), sha256: z.string(), base64: z.string(), bytes: z.number().int() }),
  /** each model's sha256, P, mPC, rPC as the canonical JSON states them (the cover's figures of record) */
  figures: z.array(z.object({ name: z.string(), sha256: z.string(), P: nullableNumber, mPC: nullableNumber, rPC: nullableNumber })),
  provenance: reportProvenanceSchema,
  analysis: auditAnalysisSchema,
  verdicts: policyEvaluationSchema.nullable(),
  /** per model tags (from the provenance), in analysis order */
  tags: z.array(modelTagsSchema.nullable()),
  /** class x corruption per model: AP (mean over the audited severities; clean first) and Δ vs the baseline */
  heatmaps: z.array(
    z.object({
      model: z.string(),
      baseline: z.boolean(),
      columns: z.array(z.string()),
      rows: z.array(z.string()),
      ap: z.array(z.array(nullableNumber)),
      /** mean over the audited severities of the cell's per-class Δ AP; null for the baseline */
      delta: z.array(z.array(nullableNumber)).nullable(),
      /** the Δ of at least one audited severity is significant */
      delta_significant: z.array(z.array(z.boolean())).nullable(),
    }),
  ),
  sweep: z.object({ points: z.array(sweepPointSchema), note: z.string() }).nullable(),
  gallery: z.object({ items: z.array(galleryItemSchema), rule: z.string(), score_threshold: z.number(), iou_threshold: z.number() }),
  methodology: z.object({
    sample_image_id: z.number().nullable(),
    sample_note: z.string(),
    /** the sample crop before corruption */
    sample_clean: picture.nullable(),
    corruptions: z.array(
      z.object({
        name: z.enum(CORRUPTION_NAMES),
        label: z.string(),
        family: z.enum(CORRUPTION_FAMILIES),
        role: z.enum(['benchmark', 'held-out']),
        stochastic: z.boolean(),
        parameter: z.string(),
        audited_severities: z.array(z.number().int()),
        samples: z.array(z.object({ severity: z.number().int(), image: picture })),
      }),
    ),
  }),
});
export type ReportModel = z.infer<typeof reportModelSchema>;

// ---- verification -----------------------------------------------------------------------

export const reportVerificationSchema = z.object({
  file: z.string(),
  kind: z.enum(['pdf', 'html']),
  ok: z.boolean(),
  audit_id: z.number().nullable(),
  /** SHA-256 printed on the cover, and of the embedded record's bytes */
  cover_sha256: z.string().nullable(),
  record_sha256: z.string().nullable(),
  checks: z.array(z.object({ check: z.string(), ok: z.boolean(), detail: z.string() })),
});
export type ReportVerification = z.infer<typeof reportVerificationSchema>;

// ---- printing -------------------------------------------------------------------------------

export interface PdfPrintOptions {
  /** Chromium header / footer templates (classes pageNumber, totalPages, title are filled in) */
  headerTemplate: string;
  footerTemplate: string;
  pageSize: 'A4' | 'Letter';
  landscape: boolean;
  /** page margins; the header and footer are printed inside the top and bottom ones */
  marginsMm: { top: number; bottom: number; left: number; right: number };
}

export const REPORT_MARGINS_MM = { top: 17, bottom: 16, left: 14, right: 14 } as const;

/** The PDF printer port: Electron's webContents.printToPDF in the app, Chromium through playwright-core in the CLI. */
export interface PdfPrinter {
  /** what prints (for the record: "Chromium 141.0 (playwright-core)", "Electron 41 printToPDF") */
  readonly name: string;
  print(html: string, options: PdfPrintOptions): Promise<Uint8Array>;
}
