/**
 * The app's report export (issue 11, "In the app: Export → preview → save"): the inputs
 * and outputs of the contract's `reports.render` and `reports.write`, and the steps they
 * report as progress.
 *
 *   reports.render { auditId, policy?, bootstrap? }
 *       -> { html, title, recordSha256, verdict, models, bytes }
 *     the report's one self-contained HTML document (engine/reports/render-html.ts), for a
 *     preview in a sandboxed frame; nothing is written.
 *   reports.write  { auditId, path, policy?, bootstrap? }
 *       -> { path, kind, bytes, sha256, recordSha256, verdict }
 *     the same report written to `path`: its extension (.pdf, .html or .htm) says the
 *     kind; a PDF is printed by the engine's printer and carries the audit record attached.
 *
 * A policy is a file on the engine's machine ({file}) or its text ({text}, with the name
 * its errors give it). Everything a user can get wrong (unknown audit, unfinished audit,
 * a policy mistake with its line, an unwritable or wrongly named target) is refused
 * before anything is rendered. `bootstrap` is the analysis' resample count, as
 * `odra report --bootstrap`: the report shows the analysis stored for that request.
 */
import { z } from 'zod';

export const REPORT_POLICY_TEXT_MAX = 1024 * 1024;

export const reportPolicyInputSchema = z.union([
  z.object({ file: z.string().min(1) }).strict(),
  z
    .object({
      text: z.string().min(1).max(REPORT_POLICY_TEXT_MAX),
      /** how errors and the verdicts name this policy */
      name: z.string().min(1).max(200).default('inline policy'),
    })
    .strict(),
]);
export type ReportPolicyInput = z.input<typeof reportPolicyInputSchema>;

const auditId = z.number().int().nonnegative();
const bootstrap = z.number().int().min(0).max(100_000).optional();

export const reportRenderInputSchema = z
  .object({ auditId, policy: reportPolicyInputSchema.optional(), bootstrap })
  .strict();

export const reportWriteInputSchema = z
  .object({ auditId, path: z.string().min(1).max(4096), policy: reportPolicyInputSchema.optional(), bootstrap })
  .strict();

/** The policy's overall verdict as the report states it; null without a policy. */
export const reportVerdictSummarySchema = z
  .object({
    policy: z.string(),
    verdict: z.enum(['pass', 'fail']),
    pass: z.number().int(),
    fail: z.number().int(),
    notEvaluable: z.number().int(),
  })
  .nullable();
export type ReportVerdictSummary = z.infer<typeof reportVerdictSummarySchema>;

export const reportRenderOutputSchema = z.object({
  html: z.string(),
  title: z.string(),
  /** SHA-256 of the canonical audit JSON the report embeds (printed on its cover) */
  recordSha256: z.string(),
  verdict: reportVerdictSummarySchema,
  /** each model's name and SHA-256 as the cover states them */
  models: z.array(z.object({ name: z.string(), sha256: z.string() })),
  /** UTF-8 size of the HTML */
  bytes: z.number().int(),
});
export type ReportRenderOutput = z.infer<typeof reportRenderOutputSchema>;

export const reportWriteOutputSchema = z.object({
  /** absolute path of the written file */
  path: z.string(),
  kind: z.enum(['pdf', 'html']),
  bytes: z.number().int(),
  /** SHA-256 of the written file's bytes */
  sha256: z.string(),
  recordSha256: z.string(),
  verdict: reportVerdictSummarySchema,
});
export type ReportWriteOutput = z.infer<typeof reportWriteOutputSchema>;

/** The progress stages of a report, in order (a write adds printing for a PDF, then writing). */
export const REPORT_STAGES = ['reading audit', 'rendering', 'printing', 'writing'] as const;
export type ReportStage = (typeof REPORT_STAGES)[number];
