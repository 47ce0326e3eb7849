/**
 * Bounds on pathological but well-formed inputs, so that a hostile or broken file ends in
 * a message naming it instead of exhausting memory or the stack. Each limit has a
 * documented default and can be changed with an environment variable (README "Limits"),
 * read when the limit is checked, so the app, `odra serve` and the CLI all honour it:
 *
 *   ODRA_MAX_IMAGE_PIXELS  decoded pixels of one image          default 100,000,000 (e.g. 10,000 x 10,000)
 *   ODRA_MAX_JSON_DEPTH    nesting depth of a JSON file          default 1,000 (COCO files nest 5 deep)
 *   ODRA_MAX_YAML_NODES    values a YAML file expands to         default 100,000 (aliases counted each time they are used)
 *
 * The checks are pure and linear in their input: the JSON depth is found by one scan of
 * the text (strings skipped) before it is parsed, and a YAML document's expanded size by
 * one walk of its node graph with each shared node's size memoised, so an alias bomb is
 * measured without being expanded.
 *
 * Node-common layer: the engine's importers and decoder and the CLI read the same limits.
 */

export interface Limit {
  env: string;
  defaultValue: number;
  what: string;
}

export const LIMITS = {
  imagePixels: { env: 'ODRA_MAX_IMAGE_PIXELS', defaultValue: 100_000_000, what: 'decoded pixels per image' },
  jsonDepth: { env: 'ODRA_MAX_JSON_DEPTH', defaultValue: 1_000, what: 'JSON nesting depth' },
  yamlNodes: { env: 'ODRA_MAX_YAML_NODES', defaultValue: 100_000, what: 'YAML values after alias expansion' },
} as const satisfies Record<string, Limit>;

/** The limit in force: the environment variable when it is a positive integer, else the default. */
export function limitValue(limit: Limit): number {
  const raw = process.env[limit.env];
  const n = raw === undefined || raw.trim() === '' ? NaN : Number(raw);
  return Number.isSafeInteger(n) && n > 0 ? n : limit.defaultValue;
}

/** "at most 1,000 (ODRA_MAX_JSON_DEPTH)": how messages name a limit. */
export function describeLimit(limit: Limit): string {
  return `at most ${limitValue(limit).toLocaleString('en-US')} (set ${limit.env} to change it)`;
}

/**
 * The deepest nesting of [ and { in JSON text, or the 1-based line where it first passes
 * `max` (then the scan stops). Brackets inside strings do not count.
 */
export function jsonNesting(text: string, max: number): { depth: number; exceededAtLine: number | null } {
  let depth = 0;
  let deepest = 0;
  let line = 1;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) line++;
    if (inString) {
      if (c === 92) i++; // backslash: skip the escaped character
      else if (c === 34) inString = false;
      continue;
    }
    if (c === 34) inString = true;
    else if (c === 91 || c === 123) {
      depth++;
      if (depth > deepest) deepest = depth;
      if (depth > max) return { depth, exceededAtLine: line };
    } else if (c === 93 || c === 125) depth--;
  }
  return { depth: deepest, exceededAtLine: null };
}

/**
 * How many values a parsed YAML (or JSON) document expands to, stopping once it passes
 * `max`: every array element and mapping value counts, and a node reached through several
 * aliases counts each time (its size is memoised, so the walk itself stays linear).
 */
export function expandedSize(doc: unknown, max: number): number {
  const memo = new Map<object, number>();
  const inProgress = new Set<object>();
  const size = (v: unknown): number => {
    if (typeof v !== 'object' || v === null) return 1;
    const known = memo.get(v);
    if (known !== undefined) return known;
    // a node that contains itself expands without end
    if (inProgress.has(v)) return Infinity;
    inProgress.add(v);
    let n = 1;
    for (const child of Array.isArray(v) ? v : Object.values(v)) {
      n += size(child);
      if (n > max) break;
    }
    inProgress.delete(v);
    memo.set(v, n);
    return n;
  };
  return size(doc);
}
