/**
 * `odra policy check FILE [--json]`: reads and validates a policy file (YAML or JSON,
 * src/shared/policy.ts) and prints its rules, one line each, as the report and the
 * JUnit file state them. A policy with a mistake is bad input (exit 2) naming the file,
 * the line and the problem of each mistake found, the same error `odra audit --policy`
 * and `odra report --policy` give.
 */
import { parseArgs } from 'node:util';
import { usageError } from '../cli-error';

export const POLICY_USAGE = 'odra policy check FILE.yaml|FILE.json [--json]';

export async function policyCommand(argv: string[]): Promise<void> {
  const [sub, ...rest] = argv;
  if (sub !== 'check') throw usageError(`odra policy: unknown or missing subcommand${sub ? ` "${sub}"` : ''}\nusage: ${POLICY_USAGE}`);
  const { values, positionals } = parseArgs({ args: rest, options: { json: { type: 'boolean', default: false } }, allowPositionals: true, strict: true });
  if (positionals.length !== 1) throw usageError(`odra policy check takes one file\nusage: ${POLICY_USAGE}`);
  // loaded here, not on every CLI start (the YAML reader)
  const [{ loadPolicyFile }, { ruleStatement }] = await Promise.all([import('../../engine/policy/parse-policy'), import('../../engine/policy/evaluate-policy')]);
  const loaded = await loadPolicyFile(positionals[0]);
  if (values.json) {
    process.stdout.write(`${JSON.stringify({ file: loaded.file, sha256: loaded.sha256, policy: loaded.policy })}\n`);
    return;
  }
  const p = loaded.policy;
  const lines = [`${loaded.file}: valid policy "${p.name}" (sha256 ${loaded.sha256}), ${p.rules.length} rules; not evaluable rules ${p.not_evaluable === 'fail' ? 'fail the gate' : 'are left out'}`];
  for (const r of p.rules) {
    const models = r.models ? (typeof r.models === 'string' ? r.models : r.models.join(', ')) : r.kind.includes('delta') ? 'compressed' : 'all';
    lines.push(`  ${r.id.padEnd(24)} ${ruleStatement(r)}  [models: ${models}]`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}
