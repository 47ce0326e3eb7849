/**
 * The report's one entry point: an audit (a ReportSource) and options in, files out.
 *
 *   writeReport(source, { out: ['report.pdf', 'report.html'], policy, printer })
 *
 * builds the report model once (build-report-model.ts), renders it to HTML
 * (render-html.ts) and, for a .pdf target, prints that HTML through the PdfPrinter port
 * (Chromium via playwright-core in the CLI, Electron's printToPDF in the app) and
 * attaches the audit record (pdf-record.ts). A target's kind is its extension: .html or
 * .pdf; anything else is bad input. Files are written next to their final name and
 * renamed into place, so a failed print leaves no half-written report.
 *
 * The PDF's header carries the audit id and title, its footer the record's SHA-256 and
 * "page N of M" (Chromium's header and footer templates).
 */
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { badInput } from '../../shared/errors';
import { REPORT_MARGINS_MM, type PdfPrinter, type PdfPrintOptions, type ReportModel } from '../../shared/report';
import { buildReportModel, type ReportOptions } from './build-report-model';
import { attachRecord } from './pdf-record';
import { esc, renderReportHtml } from './render-html';
import type { ReportSource } from './report-source';

export interface WriteReportOptions extends ReportOptions {
  /** target files: .html and / or .pdf */
  out: readonly string[];
  /** needed for a .pdf target */
  printer?: PdfPrinter | null;
}

export interface WrittenReport {
  model: ReportModel;
  files: { path: string; kind: 'html' | 'pdf'; bytes: number }[];
  seconds: { model: number; html: number; pdf: number };
}

export function reportKind(file: string): 'html' | 'pdf' {
  const ext = path.extname(file).toLowerCase();
  if (ext === '.html' || ext === '.htm') return 'html';
  if (ext === '.pdf') return 'pdf';
  throw badInput(`${file}: a report is written as .pdf or .html (got "${ext || 'no extension'}")`, [{ file, problem: 'unknown report extension' }], file);
}

/** Chromium's header and footer templates for a report (their own tiny documents; styles inline there by design). */
export function printOptions(model: ReportModel): PdfPrintOptions {
  const box = 'font-family: DejaVu Sans, Arial, sans-serif; font-size: 7pt; color: #555; width: 100%; margin: 0 14mm; display: flex; justify-content: space-between;';
  return {
    pageSize: 'A4',
    landscape: false,
    marginsMm: { ...REPORT_MARGINS_MM },
    headerTemplate: `<div style="${box}"><span>Odra audit ${model.audit.id} — ${esc(model.audit.name)}</span><span>${esc(model.generated_at.slice(0, 10))}</span></div>`,
    footerTemplate: `<div style="${box}"><span>audit ${model.audit.id} · record sha256 ${model.record.sha256.slice(0, 16)}…</span><span>page <span class="pageNumber"></span> of <span class="totalPages"></span></span></div>`,
  };
}

export async function writeReport(source: ReportSource, options: WriteReportOptions): Promise<WrittenReport> {
  if (options.out.length === 0) throw badInput('no report file to write: give --out FILE.pdf or FILE.html');
  const kinds = options.out.map((f) => ({ path: path.resolve(f), kind: reportKind(f) }));
  if (kinds.some((k) => k.kind === 'pdf') && !options.printer) throw badInput('a PDF report needs a printer (Chromium): none was given');
  const t0 = performance.now();
  const model = await buildReportModel(source, options);
  const t1 = performance.now();
  const html = renderReportHtml(model);
  const t2 = performance.now();
  const pdf = kinds.some((k) => k.kind === 'pdf') && options.printer ? await printReportPdf(model, html, options.printer, options.now) : null;
  const t3 = performance.now();
  const files: WrittenReport['files'] = [];
  for (const k of kinds) {
    const data = k.kind === 'pdf' ? (pdf as Uint8Array) : Buffer.from(html, 'utf8');
    await writeFileAtomically(k.path, data);
    files.push({ path: k.path, kind: k.kind, bytes: data.length });
  }
  return { model, files, seconds: { model: (t1 - t0) / 1000, html: (t2 - t1) / 1000, pdf: (t3 - t2) / 1000 } };
}

/** The report's HTML printed by `printer`, with the audit record attached (pdf-record.ts). */
export async function printReportPdf(model: ReportModel, html: string, printer: PdfPrinter, now?: Date): Promise<Uint8Array> {
  const printed = await printer.print(html, printOptions(model));
  return attachRecord(
    printed,
    { fileName: model.record.file_name, bytes: Buffer.from(model.record.base64, 'base64'), auditId: model.audit.id, title: model.title, sha256: model.record.sha256 },
    `Odra ${model.odra_version} with ${printer.name}`,
    now ?? new Date(model.generated_at),
  );
}

/** Written beside its final name and renamed into place, so a failed write leaves no half-written report. */
export async function writeFileAtomically(file: string, data: Uint8Array): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.partial`;
  try {
    await writeFile(temp, data);
    await rename(temp, file);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
}
