/**
 * The report and gate options `odra audit` and `odra report --db --audit` share:
 *
 *   --out FILE.pdf|FILE.html   (repeatable; `odra audit` calls it --report) the safety report
 *                              (engine/reports/audit-report.ts)
 *   --policy FILE              the policy gate: verdicts per rule x model, in the report too
 *   --junit FILE               the verdicts as JUnit XML (needs --policy)
 *   --chromium PATH            the browser that prints the PDF (else ODRA_CHROMIUM, else the
 *                              usual install paths)
 *
 * prepareReportOutputs checks everything that can be checked before any work (the report
 * extensions, the policy file with the line of each mistake, a browser for a PDF), so an
 * audit never runs for hours to fail on a typo at the end; emitReportOutputs then writes
 * the files and says the gate's verdict. Exit code: 0 no policy or every rule passes, 3 a
 * rule fails (POLICY_FAIL_EXIT_CODE); errors are thrown (bad input 2, other 1). The flags
 * themselves live in report-flags.ts; commands load this module only when they are given.
 */
import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { POLICY_FAIL_EXIT_CODE, type PolicyEvaluation } from '../shared/policy';
import type { PdfPrinter } from '../shared/report';
import { evaluatePolicy } from '../engine/policy/evaluate-policy';
import { measurementText, policyJunitXml } from '../engine/policy/junit';
import { loadPolicyFile, type LoadedPolicy } from '../engine/policy/parse-policy';
import { writeAuditReport } from '../engine/reports/audit-report';
import type { AuditReportReader, AuditReportRequest } from '../engine/reports/audit-report-source';
import { chromiumPrinter, findChromium } from '../engine/reports/chromium-printer';
import { reportKind } from '../engine/reports/write-report';
import { usageError } from './cli-error';
import type { ReportOutputFlags } from './report-flags';

export interface PreparedOutputs {
  out: string[];
  policy: LoadedPolicy | null;
  junit: string | null;
  printer: PdfPrinter | null;
}

export interface EmittedOutputs {
  exitCode: number;
  files: { path: string; kind: 'html' | 'pdf'; bytes: number }[];
  verdicts: PolicyEvaluation | null;
  seconds: number;
}

export async function prepareReportOutputs(flags: ReportOutputFlags): Promise<PreparedOutputs> {
  const out = flags.out ?? [];
  for (const f of out) reportKind(f);
  if (flags.junit !== undefined && flags.policy === undefined) throw usageError('--junit writes the verdicts of a policy: give --policy FILE too');
  const policy = flags.policy !== undefined ? await loadPolicyFile(flags.policy) : null;
  const printer = out.some((f) => reportKind(f) === 'pdf') ? chromiumPrinter(findChromium({ explicit: flags.chromium })) : null;
  return { out, policy, junit: flags.junit ?? null, printer };
}

export function hasReportOutputs(p: PreparedOutputs): boolean {
  return p.out.length > 0 || p.policy !== null;
}

export function verdictLines(v: PolicyEvaluation): string[] {
  const lines = [
    `policy ${v.policy.name}: ${v.verdict === 'pass' ? 'PASS' : 'FAIL'} (${v.counts.pass} pass, ${v.counts.fail} fail, ${v.counts.not_evaluable} not evaluable` +
      `${v.policy.not_evaluable === 'fail' ? ', not evaluable counts as failing' : ''})`,
  ];
  for (const r of v.results) {
    if (r.verdict === 'pass') continue;
    lines.push(`  ${r.verdict === 'fail' ? 'FAIL' : 'N/E '} ${r.rule_id} / ${r.model.name}: ${measurementText(r)}${r.verdict === 'not_evaluable' ? ` (${r.reason})` : ''}`);
  }
  return lines;
}

export async function emitReportOutputs(
  reader: AuditReportReader,
  auditId: number,
  prepared: PreparedOutputs,
  request: AuditReportRequest,
  log: (line: string) => void,
): Promise<EmittedOutputs> {
  const started = performance.now();
  const policy = prepared.policy ? { policy: prepared.policy.policy, file: prepared.policy.file, sha256: prepared.policy.sha256 } : null;
  let verdicts: PolicyEvaluation | null = null;
  let files: EmittedOutputs['files'] = [];
  let timestamp = new Date().toISOString();
  if (prepared.out.length) {
    const written = await writeAuditReport(reader, auditId, { out: prepared.out, policy, printer: prepared.printer, request });
    verdicts = written.model.verdicts;
    files = written.files;
    timestamp = written.model.generated_at;
    for (const f of files) log(`wrote ${f.kind.toUpperCase()} report ${path.relative(process.cwd(), f.path) || f.path} (${f.bytes} bytes)`);
  } else if (policy) {
    verdicts = evaluatePolicy(policy.policy, await reader.analysis(auditId, request), { file: policy.file, sha256: policy.sha256 });
  }
  if (verdicts) {
    for (const line of verdictLines(verdicts)) log(line);
    if (prepared.junit) {
      await writeFile(prepared.junit, policyJunitXml(verdicts, { auditId, timestamp, hostname: os.hostname() }));
      log(`wrote JUnit ${prepared.junit} (${verdicts.results.length} testcases)`);
    }
  }
  return {
    exitCode: verdicts?.verdict === 'fail' ? POLICY_FAIL_EXIT_CODE : 0,
    files,
    verdicts,
    seconds: (performance.now() - started) / 1000,
  };
}
