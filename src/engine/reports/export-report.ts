/**
 * The contract's report calls (src/shared/report-export.ts): a stored audit's report
 * rendered for the app's preview (`reports.render`) or written to a file
 * (`reports.write`), over the same pieces as `odra report` (audit-report-source.ts,
 * build-report-model.ts, render-html.ts, write-report.ts).
 *
 * Order, so that whatever the user can get wrong costs nothing:
 *   1. checks: the audit exists, is done and has provenance; the policy (a file or its
 *      text) parses, errors naming the file and line; for a write, the target's
 *      extension is .pdf/.html/.htm and its folder exists and is writable, and for a PDF
 *      a printer is there (the engine's: Chromium in Node, Electron main's printToPDF in
 *      the app);
 *   2. reading the audit: its canonical JSON and analysis for the request (bootstrap);
 *   3. rendering: report model -> one self-contained HTML document;
 *   4. (write, PDF) printing, and the audit record attached to the PDF;
 *   5. (write) writing next to the target and renaming into place.
 * Each stage is a progress event (done = stages finished, total = stages of this call).
 * A cancel between stages stops the call (CANCELLED) and writes nothing. A write
 * finishes when only the connection went away (a saved report is never half-done);
 * a render stops, since nobody is left to read it.
 */
import { createHash } from 'node:crypto';
import { badInput, OdraError } from '../../shared/errors';
import type { PolicyEvaluation } from '../../shared/policy';
import type { PdfPrinter, ReportModel } from '../../shared/report';
import type { ReportRenderOutput, ReportStage, ReportVerdictSummary, ReportWriteOutput } from '../../shared/report-export';
import type { Progress } from '../../shared/schemas';
import type { z } from 'zod';
import type { reportPolicyInputSchema, reportRenderInputSchema, reportWriteInputSchema } from '../../shared/report-export';
import { loadPolicyFile, parsePolicy } from '../policy/parse-policy';
import { checkOutputFile } from '../util/output-file';
import { auditReportSource, type AuditReportReader } from './audit-report-source';
import { buildReportModel, sha256Hex, type ReportOptions } from './build-report-model';
import { renderReportHtml } from './render-html';
import { printReportPdf, reportKind, writeFileAtomically } from './write-report';

type PolicyInput = z.output<typeof reportPolicyInputSchema>;
export type ReportRenderInput = z.output<typeof reportRenderInputSchema>;
export type ReportWriteInput = z.output<typeof reportWriteInputSchema>;

export interface ReportExportDeps {
  reader: AuditReportReader;
  /** the engine's PDF printer; throws (bad input, in words) when there is none */
  printer: () => PdfPrinter;
}

export interface ReportCallContext {
  signal: AbortSignal;
  progress: (p: Progress) => void;
  /** the report's date (tests) */
  now?: Date;
}

type LoadedPolicy = NonNullable<ReportOptions['policy']>;

/** The policy of a report call: read from its file or parsed from its text; errors name the file (or name) and line. */
export async function resolveReportPolicy(input: PolicyInput | undefined): Promise<LoadedPolicy | null> {
  if (!input) return null;
  if ('file' in input) return loadPolicyFile(input.file);
  const policy = parsePolicy(input.text, input.name);
  return { policy, file: input.name, sha256: createHash('sha256').update(input.text, 'utf8').digest('hex') };
}

/** The verdict line of a report: the policy's name, its overall verdict and its counts. */
export function verdictSummary(v: PolicyEvaluation | null): ReportVerdictSummary {
  if (!v) return null;
  return { policy: v.policy.name, verdict: v.verdict, pass: v.counts.pass, fail: v.counts.fail, notEvaluable: v.counts.not_evaluable };
}

/** The audit can be reported (exists, done, with provenance), in words that say what to do. */
export async function checkReportableAudit(reader: AuditReportReader, auditId: number): Promise<void> {
  let audit: Awaited<ReturnType<AuditReportReader['audit']>>;
  try {
    audit = await reader.audit(auditId);
  } catch (err) {
    if (err instanceof OdraError && err.code === 'NOT_FOUND') {
      throw new OdraError('NOT_FOUND', `audit ${auditId} does not exist (it may have been deleted): choose an audit from the Audits list`);
    }
    throw err;
  }
  if (audit.status !== 'done') {
    throw badInput(`audit ${auditId} is ${audit.status}: only a finished audit can be reported; let it finish (resume it if it stopped) and export again`);
  }
  if (!audit.provenance) throw badInput(`audit ${auditId} has no provenance (made before Odra recorded it): run the audit again to report it`);
}

/** Progress over a fixed list of stages. */
function stages(ctx: ReportCallContext, list: readonly ReportStage[]): (stage: ReportStage) => void {
  return (stage) => {
    if (ctx.signal.aborted) throw new OdraError('CANCELLED', `the report was cancelled before ${stage}; nothing was written`);
    ctx.progress({ stage, done: list.indexOf(stage), total: list.length, etaSeconds: null });
  };
}

async function buildModel(deps: ReportExportDeps, input: { auditId: number; bootstrap?: number }, policy: LoadedPolicy | null, now: Date | undefined): Promise<ReportModel> {
  const source = await auditReportSource(deps.reader, input.auditId, input.bootstrap === undefined ? {} : { bootstrap: input.bootstrap });
  return buildReportModel(source, { policy, ...(now ? { now } : {}) });
}

export async function renderAuditReport(deps: ReportExportDeps, input: ReportRenderInput, ctx: ReportCallContext): Promise<ReportRenderOutput> {
  await checkReportableAudit(deps.reader, input.auditId);
  const policy = await resolveReportPolicy(input.policy);
  const step = stages(ctx, ['reading audit', 'rendering']);
  step('reading audit');
  const model = await buildModel(deps, input, policy, ctx.now);
  step('rendering');
  const html = renderReportHtml(model);
  return {
    html,
    title: model.title,
    recordSha256: model.record.sha256,
    verdict: verdictSummary(model.verdicts),
    models: model.figures.map((f) => ({ name: f.name, sha256: f.sha256 })),
    bytes: Buffer.byteLength(html, 'utf8'),
  };
}

export async function writeAuditReportFile(deps: ReportExportDeps, input: ReportWriteInput, ctx: ReportCallContext): Promise<ReportWriteOutput> {
  const kind = reportKind(input.path);
  const target = checkOutputFile(input.path, 'report file');
  await checkReportableAudit(deps.reader, input.auditId);
  const policy = await resolveReportPolicy(input.policy);
  const printer = kind === 'pdf' ? deps.printer() : null;
  const step = stages(ctx, kind === 'pdf' ? ['reading audit', 'rendering', 'printing', 'writing'] : ['reading audit', 'rendering', 'writing']);
  step('reading audit');
  const model = await buildModel(deps, input, policy, ctx.now);
  step('rendering');
  const html = renderReportHtml(model);
  let data: Uint8Array = Buffer.from(html, 'utf8');
  if (printer) {
    step('printing');
    data = await printReportPdf(model, html, printer, ctx.now);
  }
  step('writing');
  await writeFileAtomically(target, data);
  return {
    path: target,
    kind,
    bytes: data.length,
    sha256: sha256Hex(data),
    recordSha256: model.record.sha256,
    verdict: verdictSummary(model.verdicts),
  };
}
