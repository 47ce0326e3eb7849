/**
 * `odra report`: writes the safety report of a stored audit, and checks one.
 *
 *   odra report --db FILE --audit ID --out FILE.pdf|FILE.html ... [--policy FILE] [--junit FILE]
 *               [--chromium PATH] [--bootstrap N] [--class-counts FILE] [--json]
 *   odra report verify FILE.pdf|FILE.html [--json]
 *
 * Writing: the audit must be finished; the report shows the analysis for the given
 * request (bootstrap resamples, default 1000, and class counts: the same object
 * `odra audit --json` prints with the same flags, embedded in the HTML and attached to the
 * PDF); the policy gate's verdicts go into the report, to stderr and, with --junit, to a
 * JUnit file (cli/report-outputs.ts). --json prints {files, verdict, counts} to stdout.
 *
 * Verifying: checks that a report's audit record (the PDF's attachment, the HTML's
 * embedded link) is the one its cover names (SHA-256) and that the cover's figures of
 * record are the record's (engine/reports/verify.ts).
 *
 * Exit codes: 0 written / verified and every rule passes, 3 a policy rule fails or a
 * check failed (a changed or mismatched copy), 2 bad input (no such store, audit or file,
 * a bad policy, a report that is not one), 1 anything else.
 */
import { parseArgs } from 'node:util';
import { POLICY_FAIL_EXIT_CODE } from '../../shared/policy';
import type { ReportVerification } from '../../shared/report';
import { existsSync } from 'node:fs';
import { badInput } from '../../shared/errors';
import { usageError } from '../cli-error';
import { REPORT_OUTPUT_OPTIONS } from '../report-flags';
import { readClassCounts } from './audit';

export const REPORT_USAGE = `odra report --db FILE --audit ID --out FILE.pdf|FILE.html ... [--policy FILE] [--junit FILE.xml] [--chromium PATH]
             [--bootstrap N] [--class-counts FILE] [--json]
       odra report verify FILE.pdf|FILE.html [--json]`;

function formatVerification(v: ReportVerification): string {
  const lines = [`${v.file}: ${v.ok ? 'VERIFIED' : 'NOT VERIFIED'} (${v.kind}${v.audit_id !== null ? `, audit ${v.audit_id}` : ''})`];
  for (const c of v.checks) lines.push(`  ${c.ok ? 'ok  ' : 'FAIL'} ${c.check}: ${c.detail}`);
  return `${lines.join('\n')}\n`;
}

async function verifyCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, options: { json: { type: 'boolean', default: false } }, allowPositionals: true, strict: true });
  if (positionals.length !== 1) throw usageError(`odra report verify takes one file\nusage: ${REPORT_USAGE}`);
  // the report machinery (pdf.js) loads only for this command, not on every CLI start
  const { verifyReport } = await import('../../engine/reports/verify');
  const result = await verifyReport(positionals[0]);
  process.stdout.write(values.json ? `${JSON.stringify(result)}\n` : formatVerification(result));
  return result.ok ? 0 : POLICY_FAIL_EXIT_CODE;
}

export async function reportCommand(argv: string[]): Promise<number> {
  if (argv[0] === 'verify') return verifyCommand(argv.slice(1));
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      db: { type: 'string' },
      audit: { type: 'string' },
      bootstrap: { type: 'string' },
      'class-counts': { type: 'string' },
      json: { type: 'boolean', default: false },
      out: { type: 'string', multiple: true },
      ...REPORT_OUTPUT_OPTIONS,
    },
    allowPositionals: true,
    strict: true,
  });
  if (positionals.length) throw usageError(`odra report: unknown subcommand "${positionals[0]}"\nusage: ${REPORT_USAGE}`);
  if (!values.db || values.audit === undefined) throw usageError(`odra report needs --db and --audit\nusage: ${REPORT_USAGE}`);
  if (!values.out?.length && !values.policy) throw usageError(`odra report: give --out FILE.pdf|FILE.html and / or --policy FILE\nusage: ${REPORT_USAGE}`);
  const auditId = Number(values.audit);
  if (!Number.isInteger(auditId) || auditId < 1) throw usageError(`--audit must be an audit id (a positive integer; got "${values.audit}")`);
  const bootstrap = values.bootstrap === undefined ? 1000 : Number(values.bootstrap);
  if (!Number.isInteger(bootstrap) || bootstrap < 0) throw usageError(`--bootstrap must be an integer >= 0 (got "${values.bootstrap}")`);
  const classCounts = values['class-counts'] ? await readClassCounts(values['class-counts']) : undefined;
  const { emitReportOutputs, prepareReportOutputs } = await import('../report-outputs');
  const prepared = await prepareReportOutputs(values);
  if (!existsSync(values.db)) throw badInput(`no store ${values.db}: give the --db an audit was run with`, [{ file: values.db, problem: 'no such file' }], values.db);
  const [{ Engine }, { engineAuditReader }] = await Promise.all([import('../../engine/engine'), import('../../engine/reports/engine-audit-reader')]);
  let engine: InstanceType<typeof Engine>;
  try {
    engine = new Engine({ dbPath: values.db });
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw badInput(`cannot open the store ${values.db}: ${reason}`, [{ file: values.db, problem: reason }], values.db);
  }
  try {
    const emitted = await emitReportOutputs(engineAuditReader(engine), auditId, prepared, { bootstrap, ...(classCounts ? { classCounts } : {}) }, (line) =>
      process.stderr.write(`odra: ${line}\n`),
    );
    if (values.json) {
      process.stdout.write(
        `${JSON.stringify({ audit_id: auditId, files: emitted.files, verdict: emitted.verdicts?.verdict ?? null, counts: emitted.verdicts?.counts ?? null, seconds: emitted.seconds })}\n`,
      );
    }
    return emitted.exitCode;
  } finally {
    await engine.close();
  }
}
