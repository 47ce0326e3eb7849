import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPolicyFile, parsePolicy } from '../../../src/engine/policy/parse-policy';
import { OdraError } from '../../../src/shared/errors';

const EXAMPLE = path.resolve(__dirname, '../../../resources/policies/example.yaml');
let example: string;
let dir: string;
beforeAll(async () => {
  example = await readFile(EXAMPLE, 'utf8');
  dir = await mkdtemp(path.join(os.tmpdir(), 'odra-policy-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The problems of an invalid policy: [line, text]. */
function problems(text: string): [number | undefined, string][] {
  try {
    parsePolicy(text, 'p.yaml');
  } catch (err) {
    expect(err).toBeInstanceOf(OdraError);
    const e = err as OdraError;
    expect(e.code).toBe('BAD_INPUT');
    expect(e.message).toContain('p.yaml');
    return (e.details?.problems ?? []).map((p) => [p.line, p.problem]);
  }
  throw new Error('the policy was accepted');
}

const lineOf = (text: string, needle: string): number => text.slice(0, text.indexOf(needle)).split('\n').length;

describe('parsePolicy', () => {
  it('accepts the documented example with every rule kind and fills in the defaults', () => {
    const p = parsePolicy(example, EXAMPLE);
    expect(p.not_evaluable).toBe('fail');
    expect(new Set(p.rules.map((r) => r.kind))).toEqual(new Set(['minimum', 'class_minimum', 'max_drop', 'max_delta', 'class_max_delta']));
    const delta = p.rules.find((r) => r.id === 'delta-mpc');
    expect(delta).toMatchObject({ kind: 'max_delta', metric: 'mPC', max_drop: 0.02, count: 'significant' });
    const rpc = p.rules.find((r) => r.id === 'relative-robustness');
    expect(rpc).toMatchObject({ estimate: 'point' });
  });

  it('reads the same policy written as JSON', () => {
    const json = JSON.stringify({ odra_policy: 1, name: 'json', rules: [{ id: 'p', kind: 'minimum', metric: 'P', min: 0.2 }] }, null, 2);
    expect(parsePolicy(json, 'p.json').rules[0]).toMatchObject({ id: 'p', min: 0.2, estimate: 'point' });
  });

  it('names the line of a value of the wrong type', () => {
    const bad = example.replace('min: 0.15', 'min: high');
    expect(problems(bad)).toEqual([[lineOf(bad, 'min: high'), expect.stringMatching(/^rules\[0\]\.min: .*expected number/)]]);
  });

  it('names the line of an unknown key (a typo must not silently drop a limit)', () => {
    const bad = example.replace('    max_drop: 0.02\n', '    max_dorp: 0.02\n');
    const found = problems(bad);
    expect(found).toContainEqual([lineOf(bad, 'max_dorp'), expect.stringContaining('unknown key "max_dorp"')]);
  });

  it('names the line of an unknown rule kind and of an unknown metric', () => {
    const kind = example.replace('kind: minimum\n    metric: P ', 'kind: minimal\n    metric: P ');
    expect(problems(kind)).toEqual([[lineOf(kind, 'kind: minimal'), expect.stringContaining('unknown rule kind')]]);
    const metric = example.replace('metric: rPC\n', 'metric: RPC\n');
    expect(problems(metric)).toEqual([[lineOf(metric, 'metric: RPC'), expect.stringMatching(/^rules\[2\]\.metric: /)]]);
  });

  it('names the rule that lacks a required key', () => {
    const bad = example.replace('    metric: rPC\n    min: 0.45\n', '    metric: rPC\n');
    expect(problems(bad)).toEqual([[lineOf(bad, '- id: relative-robustness') , 'rules[2]: "min" is required']]);
  });

  it('refuses a duplicate rule id at its second occurrence', () => {
    const bad = example.replace('  - id: delta-mpc', '  - id: clean-ap');
    expect(problems(bad)).toEqual([[lineOf(bad, '  - id: clean-ap\n    kind: max_delta'), 'rules[6].id: "clean-ap" is already the id of rules[0]']]);
  });

  it('refuses a corruption or family that does not exist', () => {
    const bad = example.replace('names: [noise]', 'names: [noise, rain]');
    expect(problems(bad)).toEqual([[lineOf(bad, 'names: [noise, rain]'), expect.stringContaining('"rain" is not a family')]]);
  });

  it('gives the line of a YAML syntax error and of a duplicate key', () => {
    const syntax = example.replace('  - id: noise-drop\n', '  - id: [noise-drop\n');
    expect(problems(syntax)[0][0]).toBeGreaterThanOrEqual(lineOf(syntax, '[noise-drop'));
    expect(problems(syntax)[0][1]).toContain('not valid YAML or JSON');
    const dup = '{"odra_policy": 1,\n "name": "a",\n "name": "b",\n "rules": []}';
    expect(problems(dup)).toEqual([[3, expect.stringContaining('unique')]]);
  });

  it('refuses an empty file and a policy of another version', () => {
    expect(problems('')).toEqual([[1, 'the file is empty']]);
    expect(problems(example.replace('odra_policy: 1', 'odra_policy: 2'))[0]).toEqual([lineOf(example, 'odra_policy'), expect.stringMatching(/^odra_policy: /)]);
  });

  it('loads a file with the SHA-256 of its bytes, and names a missing file', async () => {
    const file = path.join(dir, 'p.yaml');
    await writeFile(file, example);
    const loaded = await loadPolicyFile(file);
    expect(loaded.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(loaded.policy.name).toContain('Example');
    await expect(loadPolicyFile(path.join(dir, 'none.yaml'))).rejects.toThrow(/cannot read policy .*none\.yaml: no such file/);
  });
});
