/**
 * A policy evaluation as JUnit XML, the test report format CI systems read (Jenkins,
 * GitLab, GitHub Actions reporters, Azure DevOps): one <testsuite> per model, one
 * <testcase> per rule x model.
 *
 *   pass           <testcase/> with the measured value in <system-out>
 *   fail           <failure message="measured ... threshold ..." type="odra.policy.fail">
 *   not evaluable  <error type="odra.policy.not_evaluable"> under `not_evaluable: fail`
 *                  (the gate fails on it), <skipped> under `ignore`
 *
 * The layout follows the schema Jenkins' xunit plugin validates JUnit reports with
 * (junit-10.xsd: testsuites > testsuite[name, tests, failures, errors, skipped, time]
 * > testcase[name, classname, time] > failure | error | skipped | system-out); the test
 * validates the output against such a schema. Text is XML-escaped; characters XML 1.0
 * cannot carry are dropped.
 */
import type { PolicyEvaluation, RuleResult } from '../../shared/policy';

export interface JunitContext {
  auditId: number;
  /** ISO timestamp of the evaluation */
  timestamp: string;
  hostname?: string;
}

function escapeXml(s: string): string {
  return s
    .replace(/[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

const num = (v: number | null): string => (v === null ? 'n/a' : v.toFixed(4));

/** "measured 0.1234 [0.1100, 0.1350], threshold >= 0.1500" */
export function measurementText(r: Pick<RuleResult, 'measured' | 'ci95' | 'threshold' | 'comparator' | 'significant'>): string {
  const ci = r.ci95 ? ` [${num(r.ci95[0])}, ${num(r.ci95[1])}]` : '';
  const sig = r.significant === null ? '' : r.significant ? ', significant' : ', not significant';
  return `measured ${num(r.measured)}${ci}${sig}, threshold ${r.comparator} ${num(r.threshold)}`;
}

export function policyJunitXml(evaluation: PolicyEvaluation, ctx: JunitContext): string {
  const byModel = new Map<string, RuleResult[]>();
  for (const r of evaluation.results) {
    const key = r.model.name;
    byModel.set(key, [...(byModel.get(key) ?? []), r]);
  }
  const failOnOpen = evaluation.policy.not_evaluable === 'fail';
  const policyName = evaluation.policy.name;
  const suites: string[] = [];
  let total = 0;
  let failures = 0;
  let errors = 0;
  for (const [model, results] of byModel) {
    const f = results.filter((r) => r.verdict === 'fail').length;
    const open = results.filter((r) => r.verdict === 'not_evaluable').length;
    const e = failOnOpen ? open : 0;
    const s = failOnOpen ? 0 : open;
    total += results.length;
    failures += f;
    errors += e;
    const sha = results[0].model.sha256;
    const cases = results.map((r) => testcase(r, model, failOnOpen));
    suites.push(
      `  <testsuite name="${escapeXml(`${policyName}: ${model}`)}" tests="${results.length}" failures="${f}" errors="${e}" skipped="${s}" time="0" ` +
        `timestamp="${escapeXml(ctx.timestamp)}"${ctx.hostname ? ` hostname="${escapeXml(ctx.hostname)}"` : ''} package="odra.audit.${ctx.auditId}">\n` +
        `    <properties>\n` +
        `      <property name="audit" value="${ctx.auditId}"/>\n` +
        `      <property name="model" value="${escapeXml(model)}"/>\n` +
        `      <property name="model_sha256" value="${escapeXml(sha ?? '')}"/>\n` +
        `      <property name="policy_sha256" value="${escapeXml(evaluation.policy.sha256 ?? '')}"/>\n` +
        `    </properties>\n` +
        cases.join('') +
        `  </testsuite>\n`,
    );
  }
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<testsuites name="${escapeXml(`odra policy: ${policyName}`)}" tests="${total}" failures="${failures}" errors="${errors}" time="0">\n` +
    suites.join('') +
    `</testsuites>\n`
  );
}

function testcase(r: RuleResult, model: string, failOnOpen: boolean): string {
  const open = `    <testcase name="${escapeXml(`${r.rule_id}: ${r.statement}`)}" classname="${escapeXml(`odra.policy.${model}`)}" time="0"`;
  const text = `${measurementText(r)}\n${r.reason}\n${r.checks.map((c) => `${c.verdict.padEnd(13)} ${c.subject}: ${c.reason}`).join('\n')}`;
  const message = `${r.subject === 'model' ? '' : `${r.subject}: `}${measurementText(r)}`;
  if (r.verdict === 'pass') return `${open}>\n      <system-out>${escapeXml(text)}</system-out>\n    </testcase>\n`;
  if (r.verdict === 'fail') {
    return `${open}>\n      <failure message="${escapeXml(message)}" type="odra.policy.fail">${escapeXml(text)}</failure>\n    </testcase>\n`;
  }
  const tag = failOnOpen ? 'error' : 'skipped';
  return `${open}>\n      <${tag} message="${escapeXml(`not evaluable: ${r.reason}`)}" type="odra.policy.not_evaluable">${escapeXml(text)}</${tag}>\n    </testcase>\n`;
}
