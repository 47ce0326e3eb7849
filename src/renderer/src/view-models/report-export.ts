/**
 * The Export report dialog's pure parts (components/audit/ReportExportDialog.vue): where a
 * report is suggested to go, how the chosen format and the path's extension follow each
 * other, what the calls are given, and the words for each stage the engine reports
 * (src/shared/report-export.ts REPORT_STAGES).
 *
 * Paths are the engine machine's, whatever its separator: a store at
 * C:\Users\a\Odra\odra.db suggests C:\Users\a\Odra\odra-audit-3-report.pdf.
 */
import type { ReportStage } from '../../../shared/report-export';
import type { Progress } from '../../../shared/schemas';

export type ReportFormat = 'pdf' | 'html';

const REPORT_EXTENSION = /\.(pdf|html?)$/i;

/** The report's file name beside the store, or the bare name when the store is in memory or unknown. */
export function suggestedReportPath(storePath: string | null, auditId: number, format: ReportFormat): string {
  const name = `odra-audit-${auditId}-report.${format}`;
  if (!storePath || storePath === ':memory:') return name;
  const cut = Math.max(storePath.lastIndexOf('/'), storePath.lastIndexOf('\\'));
  return cut < 0 ? name : `${storePath.slice(0, cut + 1)}${name}`;
}

/** The path with the format's extension: a report extension is replaced, anything else is kept and the extension added. */
export function withReportExtension(path: string, format: ReportFormat): string {
  const trimmed = path.trim();
  if (trimmed === '') return trimmed;
  return REPORT_EXTENSION.test(trimmed) ? trimmed.replace(REPORT_EXTENSION, `.${format}`) : `${trimmed}.${format}`;
}

/** The format a path names by its extension, or null when it names none the engine writes. */
export function formatOfPath(path: string): ReportFormat | null {
  const m = REPORT_EXTENSION.exec(path.trim());
  if (!m) return null;
  return m[1].toLowerCase() === 'pdf' ? 'pdf' : 'html';
}

/** The policy of a call: the file typed or picked, or none when the field is empty. */
export function policyOf(path: string): { file: string } | undefined {
  const file = path.trim();
  return file === '' ? undefined : { file };
}

const STAGE_WORDS: Readonly<Record<ReportStage, string>> = {
  'reading audit': 'Reading the audit and its analysis',
  rendering: 'Rendering the report',
  printing: 'Printing the PDF',
  writing: 'Writing the file',
};

/** "Printing the PDF (step 3 of 4)…" for a progress event of a report call. */
export function stageText(progress: Progress | null): string {
  if (!progress) return 'Starting…';
  const words = (STAGE_WORDS as Readonly<Record<string, string>>)[progress.stage] ?? progress.stage;
  return progress.total > 0 ? `${words} (step ${progress.done + 1} of ${progress.total})…` : `${words}…`;
}
