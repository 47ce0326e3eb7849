/**
 * `odra report verify FILE.pdf|FILE.html [--json]`: checks that a report's audit record
 * (the PDF's attachment, the HTML's embedded link) is the one its cover names (SHA-256)
 * and that the cover's figures of record are the record's (engine/reports/verify.ts).
 * Exit codes: 0 verified, 3 a check failed (a changed or mismatched copy), 2 bad input
 * (no such file, not a PDF or HTML report), 1 anything else.
 *
 * Writing reports (`odra report --db FILE --audit ID --out ...`) needs the audit store
 * (see the README); the report itself is built by engine/reports/write-report.ts.
 */
import { parseArgs } from 'node:util';
import { POLICY_FAIL_EXIT_CODE } from '../../shared/policy';
import type { ReportVerification } from '../../shared/report';
import { verifyReport } from '../../engine/reports/verify';
import { usageError } from '../cli-error';

export const REPORT_USAGE = 'odra report verify FILE.pdf|FILE.html [--json]';

function formatVerification(v: ReportVerification): string {
  const lines = [`${v.file}: ${v.ok ? 'VERIFIED' : 'NOT VERIFIED'} (${v.kind}${v.audit_id !== null ? `, audit ${v.audit_id}` : ''})`];
  for (const c of v.checks) lines.push(`  ${c.ok ? 'ok  ' : 'FAIL'} ${c.check}: ${c.detail}`);
  return `${lines.join('\n')}\n`;
}

export async function reportCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub !== 'verify') throw usageError(`odra report: unknown or missing subcommand${sub ? ` "${sub}"` : ''}\nusage: ${REPORT_USAGE}`);
  const { values, positionals } = parseArgs({ args: rest, options: { json: { type: 'boolean', default: false } }, allowPositionals: true, strict: true });
  if (positionals.length !== 1) throw usageError(`odra report verify takes one file\nusage: ${REPORT_USAGE}`);
  const result = await verifyReport(positionals[0]);
  process.stdout.write(values.json ? `${JSON.stringify(result)}\n` : formatVerification(result));
  return result.ok ? 0 : POLICY_FAIL_EXIT_CODE;
}
