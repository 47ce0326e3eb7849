/**
 * The flags of the report and policy gate that `odra audit` and `odra report` share, as
 * parseArgs options and usage text. Kept apart from report-outputs.ts, which loads the
 * report machinery (ECharts, pdf-lib, playwright-core): a command imports these
 * statically and the machinery only when a report or a gate is asked for.
 */

/** parseArgs options of the shared flags (each command adds its own name for the report files). */
export const REPORT_OUTPUT_OPTIONS = {
  policy: { type: 'string' },
  junit: { type: 'string' },
  chromium: { type: 'string' },
} as const;

export const REPORT_OUTPUT_USAGE = '[--policy FILE] [--junit FILE.xml] [--chromium PATH]';

export interface ReportOutputFlags {
  out?: string[];
  policy?: string;
  junit?: string;
  chromium?: string;
}

/** Whether the flags ask for a report, a gate or a JUnit file. */
export function wantsReportOutputs(flags: ReportOutputFlags): boolean {
  return Boolean(flags.out?.length) || flags.policy !== undefined || flags.junit !== undefined;
}
