import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkReportableAudit, resolveReportPolicy, verdictSummary } from '../../../src/engine/reports/export-report';
import { evaluatePolicy } from '../../../src/engine/policy/evaluate-policy';
import type { AuditReportReader, StoredAudit } from '../../../src/engine/reports/audit-report-source';
import { OdraError } from '../../../src/shared/errors';
import { reportPolicyInputSchema } from '../../../src/shared/report-export';

const POLICY = path.resolve('resources', 'policies', 'example.yaml');

function readerOf(audit: Partial<StoredAudit> | 'missing'): AuditReportReader {
  return {
    audit: (id: number) => {
      if (audit === 'missing') throw new OdraError('NOT_FOUND', `no audit with id ${id}`);
      return { id, name: 'a', status: 'done', createdAt: null, seed: 0, datasetHash: 'h', conditions: [], provenance: null, ...audit };
    },
  } as unknown as AuditReportReader;
}

describe('the policy of a report call', () => {
  it('is read from its file with the SHA-256 of its bytes', async () => {
    const loaded = await resolveReportPolicy(reportPolicyInputSchema.parse({ file: POLICY }));
    expect(loaded?.file).toBe(POLICY);
    expect(loaded?.sha256).toBe(createHash('sha256').update(await readFile(POLICY)).digest('hex'));
  });

  it('given as text, is named by its name and hashed like the same file', async () => {
    const text = await readFile(POLICY, 'utf8');
    const fromText = await resolveReportPolicy(reportPolicyInputSchema.parse({ text, name: 'gate.yaml' }));
    const fromFile = await resolveReportPolicy({ file: POLICY });
    expect(fromText).toEqual({ ...fromFile, file: 'gate.yaml' });
  });

  it('without a name is called "inline policy" in its errors, with the line of the mistake', async () => {
    const err = await resolveReportPolicy(reportPolicyInputSchema.parse({ text: 'name: x\nversion: 1\nrules:\n  - id: a\n    metric: nope\n' })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OdraError);
    expect((err as OdraError).message).toMatch(/^invalid policy inline policy\n  inline policy:\d+: /);
  });

  it('is absent when none is given', async () => {
    expect(await resolveReportPolicy(undefined)).toBeNull();
  });
});

describe('the verdict line of a report', () => {
  it('is null without a policy and counts the rules of one', async () => {
    expect(verdictSummary(null)).toBeNull();
    const { policy } = (await resolveReportPolicy({ file: POLICY }))!;
    const evaluation = evaluatePolicy(policy, { models: [], baseline: null } as never, { file: POLICY, sha256: null });
    const v = verdictSummary(evaluation);
    expect(v).toEqual({
      policy: evaluation.policy.name,
      verdict: evaluation.verdict,
      pass: evaluation.counts.pass,
      fail: evaluation.counts.fail,
      notEvaluable: evaluation.counts.not_evaluable,
    });
  });
});

describe('an audit a report can be made of', () => {
  it('must exist: the refusal says it may have been deleted and where to choose another', async () => {
    await expect(checkReportableAudit(readerOf('missing'), 7)).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: 'audit 7 does not exist (it may have been deleted): choose an audit from the Audits list',
    });
  });

  it('must be done: the refusal names its state and what to do', async () => {
    await expect(checkReportableAudit(readerOf({ status: 'paused' }), 3)).rejects.toMatchObject({
      code: 'BAD_INPUT',
      message: expect.stringMatching(/^audit 3 is paused: only a finished audit can be reported; let it finish/),
    });
  });

  it('must have provenance', async () => {
    await expect(checkReportableAudit(readerOf({ status: 'done', provenance: null }), 3)).rejects.toMatchObject({ message: expect.stringContaining('no provenance') });
    await expect(checkReportableAudit(readerOf({ status: 'done', provenance: {} as never }), 3)).resolves.toBeUndefined();
  });
});
