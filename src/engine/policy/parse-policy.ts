/**
 * Reading a policy file (YAML or JSON; JSON is read as the YAML 1.2 it is) into a
 * validated Policy (src/shared/policy.ts), or a bad-input error that names the file, the
 * LINE and the problem of every mistake found.
 *
 * How lines are found: the `yaml` package parses the text into a document whose every
 * node keeps its source range; a zod issue's path (["rules", 2, "min"]) is walked down
 * that document to the deepest node that exists, and the node's start offset becomes a
 * line through the parser's LineCounter. An unknown key is located at the key itself;
 * a missing key at the mapping that lacks it. Syntax errors (bad indentation, duplicate
 * keys, unclosed brackets) come with the parser's own line.
 *
 * Checks beyond the schema (each with its line): rule ids are unique; a max_drop rule
 * names existing corruptions or families of its scope. Everything else a rule names
 * (models, classes) depends on the audit and is judged when the policy is evaluated.
 *
 * Output: the policy with defaults filled in, and the SHA-256 of the file's bytes, so a
 * verdict can name the exact policy it applied.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import type { z } from 'zod';
import { CORRUPTION_FAMILIES } from '../../shared/audit-results';
import { CORRUPTION_NAMES } from '../../shared/corruptions';
import { badInput, type Problem } from '../../shared/errors';
import { policySchema, type Policy } from '../../shared/policy';

export interface LoadedPolicy {
  policy: Policy;
  file: string;
  sha256: string;
}

/** Reads and validates a policy file. */
export async function loadPolicyFile(file: string): Promise<LoadedPolicy> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message;
    throw badInput(`cannot read policy ${file}: ${reason}`, [{ file, problem: reason }], file);
  }
  const policy = parsePolicy(bytes.toString('utf8'), file);
  return { policy, file, sha256: createHash('sha256').update(bytes).digest('hex') };
}

/** Validates policy text; `file` names it in errors. */
export function parsePolicy(text: string, file: string): Policy {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const lineAt = (offset: number): number => lines.linePos(offset).line;
  if (doc.errors.length > 0) {
    // the first syntax error is the one to fix; the parser's later ones are its echoes
    const e = doc.errors[0];
    throw invalid(file, [{ file, line: lineAt(e.pos[0]), problem: `not valid YAML or JSON: ${firstLine(e.message)}` }]);
  }
  if (doc.contents === null) throw invalid(file, [{ file, line: 1, problem: 'the file is empty' }]);
  const data: unknown = doc.toJS({ maxAliasCount: 100 });
  const parsed = policySchema.safeParse(data);
  if (!parsed.success) throw invalid(file, parsed.error.issues.map((i) => locateIssue(doc, lineAt, file, i)));
  const semantic = semanticProblems(parsed.data, doc, lineAt, file);
  if (semantic.length > 0) throw invalid(file, semantic);
  return parsed.data;
}

function invalid(file: string, problems: Problem[]): Error {
  const sorted = [...problems].sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
  return badInput(`invalid policy ${file}`, sorted, file);
}

function firstLine(s: string): string {
  return s.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
}

type Path = readonly PropertyKey[];

/** The deepest node along `path`, and how much of the path it covers. */
function nodeAt(doc: Document, path: Path): { node: Node | null; depth: number; keyNode: Node | null } {
  let node: unknown = doc.contents;
  let keyNode: Node | null = null;
  let depth = 0;
  for (const key of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(key));
      if (!pair) break;
      keyNode = isScalar(pair.key) ? pair.key : null;
      node = pair.value;
    } else if (isSeq(node) && typeof key === 'number' && key < node.items.length) {
      keyNode = null;
      node = node.items[key];
    } else {
      break;
    }
    depth++;
  }
  return { node: (node as Node | null) ?? null, depth, keyNode };
}

function rangeStart(n: Node | null): number | null {
  return n?.range ? n.range[0] : null;
}

function pathText(path: Path): string {
  let s = '';
  for (const k of path) s += typeof k === 'number' ? `[${k}]` : s ? `.${String(k)}` : String(k);
  return s || '(top level)';
}

function locateIssue(doc: Document, lineAt: (o: number) => number, file: string, issue: z.core.$ZodIssue): Problem {
  const found = nodeAt(doc, issue.path);
  let offset = rangeStart(found.node) ?? 0;
  let where = pathText(issue.path);
  let message = issue.message;
  if (issue.code === 'unrecognized_keys' && isMap(found.node)) {
    const key = issue.keys[0];
    const pair = found.node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === key);
    offset = rangeStart(pair && isScalar(pair.key) ? pair.key : null) ?? offset;
    message = `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
  } else if (found.depth < issue.path.length) {
    // the path ends in a key that is absent: point at the mapping that lacks it
    const missing = issue.path[found.depth];
    if (found.depth === issue.path.length - 1) {
      message = `"${String(missing)}" is required${issue.message.startsWith('Invalid input') ? '' : ` (${issue.message})`}`;
    }
    where = pathText(issue.path.slice(0, found.depth)) + (found.depth === issue.path.length - 1 ? '' : ` (${pathText(issue.path)})`);
  } else if (found.keyNode && found.node && !isMap(found.node) && !isSeq(found.node)) {
    offset = rangeStart(found.node) ?? rangeStart(found.keyNode) ?? offset;
  }
  if (issue.code === 'invalid_union' && issue.path[issue.path.length - 1] === 'kind') {
    message = `unknown rule kind; expected one of minimum, class_minimum, max_drop, max_delta, class_max_delta`;
  }
  return { file, line: lineAt(offset), problem: `${where}: ${message}` };
}

function semanticProblems(policy: Policy, doc: Document, lineAt: (o: number) => number, file: string): Problem[] {
  const problems: Problem[] = [];
  const at = (path: Path): number => lineAt(rangeStart(nodeAt(doc, path).node) ?? 0);
  const seen = new Map<string, number>();
  policy.rules.forEach((rule, i) => {
    const first = seen.get(rule.id);
    if (first !== undefined) {
      problems.push({ file, line: at(['rules', i, 'id']), problem: `rules[${i}].id: "${rule.id}" is already the id of rules[${first}]` });
    } else {
      seen.set(rule.id, i);
    }
    if (rule.kind === 'max_drop' && rule.names !== 'all') {
      const valid: readonly string[] = rule.scope === 'corruption' ? CORRUPTION_NAMES : CORRUPTION_FAMILIES;
      rule.names.forEach((name, j) => {
        if (!valid.includes(name)) {
          problems.push({
            file,
            line: at(['rules', i, 'names', j]),
            problem: `rules[${i}].names[${j}]: "${name}" is not a ${rule.scope}; expected one of ${valid.join(', ')}`,
          });
        }
      });
    }
  });
  return problems;
}
