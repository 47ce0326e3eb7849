import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluatePolicy } from '../../../src/engine/policy/evaluate-policy';
import { policyJunitXml } from '../../../src/engine/policy/junit';
import { policySchema, type PolicyEvaluation } from '../../../src/shared/policy';
import { BASE, PRUNED, policyAudit } from './policy-audit';

const XSD = path.resolve(__dirname, '../../fixtures/junit/junit.xsd');
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'odra-junit-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** xmllint (libxml2-utils) against the JUnit schema; returns its stderr, throws when invalid. */
async function validate(xml: string, name: string): Promise<void> {
  const file = path.join(dir, name);
  await writeFile(file, xml);
  execFileSync('xmllint', ['--noout', '--schema', XSD, file], { stdio: 'pipe' });
}

function evaluation(notEvaluable: 'fail' | 'ignore'): PolicyEvaluation {
  const policy = policySchema.parse({
    odra_policy: 1,
    name: 'gate <"&">',
    not_evaluable: notEvaluable,
    rules: [
      { id: 'clean', kind: 'minimum', metric: 'P', min: 0.68 },
      { id: 'noise', kind: 'max_drop', scope: 'family', names: ['noise'], max: 0.7 },
      { id: 'fog', kind: 'max_drop', scope: 'corruption', names: ['fog'], max: 0.5 },
      { id: 'delta', kind: 'max_delta', metric: 'mPC', max_drop: 0.05 },
    ],
  });
  return evaluatePolicy(policy, policyAudit([BASE, PRUNED]), { file: 'gate.yaml', sha256: 'ab'.repeat(32) });
}

describe('policyJunitXml', () => {
  it('writes one testcase per rule x model whose failures are the failing rules, valid against the JUnit schema', async () => {
    const ev = evaluation('fail');
    const xml = policyJunitXml(ev, { auditId: 4, timestamp: '2026-12-06T00:00:00Z', hostname: 'ci' });
    await validate(xml, 'fail.xml');
    const cases = [...xml.matchAll(/<testcase name="([^"]*)" classname="odra\.policy\.([^"]*)"[^>]*>\s*<(\w[\w-]*)/g)].map((m) => [m[1].split(':')[0], m[2], m[3]]);
    expect(cases).toHaveLength(ev.results.length);
    const failures = cases.filter((c) => c[2] === 'failure').map((c) => `${c[0]}/${c[1]}`);
    expect(failures.sort()).toEqual(ev.results.filter((r) => r.verdict === 'fail').map((r) => `${r.rule_id}/${r.model.name}`).sort());
    expect(failures.length).toBeGreaterThan(0);
    expect(cases.filter((c) => c[2] === 'error').map((c) => c[0])).toEqual(['fog', 'fog']);
    // the failure carries the measured value and the threshold
    expect(xml).toMatch(/<failure message="measured 0\.6667 \[0\.6667, 0\.6667\], threshold &gt;= 0\.6800" type="odra\.policy\.fail">/);
    expect(xml).toContain('name="gate &lt;&quot;&amp;&quot;&gt;: base"');
    expect(xml).toMatch(/<testsuite name="[^"]*: base" tests="3" failures="0" errors="1" skipped="0"/);
    expect(xml).toMatch(/<testsuite name="[^"]*: pruned" tests="4" failures="3" errors="1" skipped="0"/);
  });

  it('reports rules that cannot be evaluated as skipped under not_evaluable: ignore', async () => {
    const xml = policyJunitXml(evaluation('ignore'), { auditId: 4, timestamp: '2026-12-06T00:00:00Z' });
    await validate(xml, 'ignore.xml');
    expect(xml).not.toContain('<error');
    expect(xml.match(/<skipped /g)).toHaveLength(2);
  });

  it('is refused by the schema when a testcase lacks its name (the check can fail)', async () => {
    const xml = policyJunitXml(evaluation('fail'), { auditId: 4, timestamp: 't' }).replace(/<testcase name="[^"]*"/, '<testcase');
    await expect(validate(xml, 'broken.xml')).rejects.toThrow(/name/);
  });
});
