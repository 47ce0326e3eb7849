/**
 * Class names from model metadata. Ultralytics writes `names` as a Python dict repr
 * (`{0: 'person', 1: "driver's seat"}`); other exporters write a Python list repr or
 * JSON. One small literal parser covers all of them; anything else yields null so the
 * caller can fall back and say why.
 */

type Token = { kind: 'punct'; value: string } | { kind: 'int'; value: number } | { kind: 'str'; value: string };

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  '\\': '\\',
  "'": "'",
  '"': '"',
  n: '\n',
  t: '\t',
  r: '\r',
  '0': '\0',
};

function tokenize(text: string): Token[] | null {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i];
    if (/\s/.test(ch)) {
      i++;
    } else if ('{}[]:,'.includes(ch)) {
      tokens.push({ kind: 'punct', value: ch });
      i++;
    } else if (/[0-9]/.test(ch)) {
      let j = i;
      while (j < text.length && /[0-9]/.test(text[j])) j++;
      tokens.push({ kind: 'int', value: Number(text.slice(i, j)) });
      i = j;
    } else if (ch === "'" || ch === '"') {
      let value = '';
      let j = i + 1;
      for (;;) {
        if (j >= text.length) return null;
        const c = text[j];
        if (c === ch) break;
        if (c === '\\') {
          const e = text[j + 1];
          if (e === undefined) return null;
          if (e in SIMPLE_ESCAPES) {
            value += SIMPLE_ESCAPES[e];
            j += 2;
          } else if (e === 'x' || e === 'u') {
            const len = e === 'x' ? 2 : 4;
            const hex = text.slice(j + 2, j + 2 + len);
            if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== len) return null;
            value += String.fromCharCode(parseInt(hex, 16));
            j += 2 + len;
          } else {
            value += c + e;
            j += 2;
          }
        } else {
          value += c;
          j++;
        }
      }
      tokens.push({ kind: 'str', value });
      i = j + 1;
    } else {
      return null;
    }
  }
  return tokens;
}

function punct(t: Token | undefined, value: string): boolean {
  return t !== undefined && t.kind === 'punct' && t.value === value;
}

/** index -> name pairs of a dict literal (int or numeric-string keys), or null. */
function parseDict(tokens: Token[]): Map<number, string> | null {
  const out = new Map<number, string>();
  let i = 1;
  if (punct(tokens[i], '}')) return i + 1 === tokens.length ? out : null;
  for (;;) {
    const key = tokens[i];
    const value = tokens[i + 2];
    if (!key || !punct(tokens[i + 1], ':') || !value || value.kind !== 'str') return null;
    let index: number;
    if (key.kind === 'int') index = key.value;
    else if (key.kind === 'str' && /^\d+$/.test(key.value)) index = Number(key.value);
    else return null;
    if (out.has(index)) return null;
    out.set(index, value.value);
    i += 3;
    if (punct(tokens[i], ',')) {
      i++;
      if (punct(tokens[i], '}')) break; // trailing comma
      continue;
    }
    if (punct(tokens[i], '}')) break;
    return null;
  }
  return i + 1 === tokens.length ? out : null;
}

function parseList(tokens: Token[]): string[] | null {
  const out: string[] = [];
  let i = 1;
  while (!punct(tokens[i], ']')) {
    const t = tokens[i];
    if (!t || t.kind !== 'str') return null;
    out.push(t.value);
    i++;
    if (punct(tokens[i], ',')) i++;
    else if (!punct(tokens[i], ']')) return null;
  }
  return i + 1 === tokens.length ? out : null;
}

/**
 * Parses a names literal into an array indexed by class. Dict keys need not be
 * contiguous: gaps become `class_<i>`. Returns null when the text is not a names literal.
 */
export function parseClassNames(text: string): string[] | null {
  const tokens = tokenize(text.trim());
  if (!tokens || tokens.length === 0) return null;
  if (punct(tokens[0], '[')) {
    const list = parseList(tokens);
    return list && list.length > 0 ? list : null;
  }
  if (punct(tokens[0], '{')) {
    const dict = parseDict(tokens);
    if (!dict || dict.size === 0) return null;
    const max = Math.max(...dict.keys());
    // A sparse dict with a huge key is not a names table; refuse rather than allocate.
    if (max >= dict.size * 4 + 16) return null;
    return Array.from({ length: max + 1 }, (_, k) => dict.get(k) ?? `class_${k}`);
  }
  return null;
}

export function genericClassNames(count: number): string[] {
  return Array.from({ length: count }, (_, k) => `class_${k}`);
}

/**
 * A names file as analysts have them: .txt / .names (one name per line, as darknet and
 * many exporters write) or .json (a list, or an object of index -> name). Returns the
 * names in class order, or a problem with the line it is on. A YOLO data.yaml is read
 * by the YOLO importer's reader (datasets/yolo-import.ts yoloClassNames, js-yaml), the
 * one reader of that format; the engine picks it for .yaml / .yml.
 */
export function parseNamesFile(text: string, fileName: string): { names: string[] } | { problem: string; line?: number } {
  const ext = fileName.toLowerCase().split('.').pop() ?? '';
  if (ext === 'yaml' || ext === 'yml') return { problem: 'a YOLO data.yaml is read with yoloClassNames, not as a names list' };
  if (ext === 'json') {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      return { problem: `not JSON: ${err instanceof Error ? err.message : String(err)}` };
    }
    const parsed = parseClassNames(JSON.stringify(value));
    return parsed ? { names: parsed } : { problem: 'expected a list of names or an object of index -> name' };
  }
  const names: string[] = [];
  const lines = text.split(/\r?\n/);
  // A trailing newline is not an empty class; an empty line in the middle is a mistake.
  while (lines.length && lines[lines.length - 1].trim() === '') lines.pop();
  for (let i = 0; i < lines.length; i++) {
    const name = lines[i].trim();
    if (!name) return { problem: 'empty line: every line must name one class', line: i + 1 };
    names.push(name);
  }
  return names.length ? { names } : { problem: 'no class names' };
}
