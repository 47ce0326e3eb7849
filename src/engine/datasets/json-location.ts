/**
 * Where a JSON text first goes wrong, as line and column.
 *
 * V8's JSON.parse reports a position for some errors only (on Node 20 a trailing comma,
 * a bare word or a truncated file come without one), and its message embeds a snippet
 * of the text with raw line breaks. An analyst fixing a 50 MB annotations file needs the
 * line, so the text is scanned again here, only after JSON.parse has failed. The scanner
 * keeps an explicit stack (no recursion), so a deeply nested file cannot overflow it.
 */

export interface JsonErrorLocation {
  /** UTF-16 offset of the first character that cannot continue the JSON text */
  offset: number;
  /** 1-based */
  line: number;
  /** 1-based, in UTF-16 code units */
  column: number;
  reason: string;
}

type State = 'value' | 'value-or-close' | 'key' | 'key-or-close' | 'colon' | 'comma-or-close' | 'end';

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const LITERALS = ['true', 'false', 'null'] as const;
const SIMPLE_ESCAPES = new Set(['"', '\\', '/', 'b', 'f', 'n', 'r', 't']);

/** The first syntax error of `text`, or null when it is valid JSON. */
export function locateJsonError(text: string): JsonErrorLocation | null {
  const found = scan(text);
  return found ? { ...found, ...lineAndColumn(text, found.offset) } : null;
}

export function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: offset - lineStart + 1 };
}

function scan(text: string): { offset: number; reason: string } | null {
  const stack: ('{' | '[')[] = [];
  let state: State = 'value';
  let i = 0;
  const afterValue = (): State => (stack.length ? 'comma-or-close' : 'end');
  const fail = (offset: number, reason: string) => ({ offset, reason });

  for (;;) {
    while (i < text.length && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++;
    if (i >= text.length) return state === 'end' ? null : fail(text.length, 'unexpected end of file');
    const c = text[i];
    switch (state) {
      case 'value':
      case 'value-or-close': {
        if (state === 'value-or-close' && c === ']') {
          stack.pop();
          i++;
          state = afterValue();
        } else if (c === '{' || c === '[') {
          stack.push(c);
          i++;
          state = c === '{' ? 'key-or-close' : 'value-or-close';
        } else if (c === '"') {
          const end = scanString(text, i);
          if (typeof end !== 'number') return end;
          i = end;
          state = afterValue();
        } else if (c === '-' || (c >= '0' && c <= '9')) {
          NUMBER.lastIndex = i;
          const m = NUMBER.exec(text);
          if (!m) return fail(i, 'invalid number');
          i += m[0].length;
          state = afterValue();
        } else {
          const literal = LITERALS.find((l) => text.startsWith(l, i));
          if (!literal) {
            const trailingComma = c === ']' || c === '}';
            return fail(i, trailingComma ? `unexpected ${show(c)} (a trailing comma before it?)` : `unexpected ${show(c)} where a value should be`);
          }
          i += literal.length;
          state = afterValue();
        }
        break;
      }
      case 'key':
      case 'key-or-close': {
        if (state === 'key-or-close' && c === '}') {
          stack.pop();
          i++;
          state = afterValue();
        } else if (c === '"') {
          const end = scanString(text, i);
          if (typeof end !== 'number') return end;
          i = end;
          state = 'colon';
        } else {
          const trailingComma = state === 'key' && c === '}';
          return fail(i, trailingComma ? `unexpected '}' (a trailing comma before it?)` : `expected a property name in double quotes, found ${show(c)}`);
        }
        break;
      }
      case 'colon':
        if (c !== ':') return fail(i, `expected ':' after the property name, found ${show(c)}`);
        i++;
        state = 'value';
        break;
      case 'comma-or-close': {
        const open = stack[stack.length - 1];
        const close = open === '{' ? '}' : ']';
        if (c === ',') {
          i++;
          state = open === '{' ? 'key' : 'value';
        } else if (c === close) {
          stack.pop();
          i++;
          state = afterValue();
        } else {
          return fail(i, `expected ',' or '${close}', found ${show(c)}`);
        }
        break;
      }
      case 'end':
        return fail(i, `unexpected ${show(c)} after the end of the JSON value`);
    }
  }
}

/** Offset just past the closing quote, or the error inside the string. */
function scanString(text: string, start: number): number | { offset: number; reason: string } {
  for (let j = start + 1; j < text.length; ) {
    const ch = text[j];
    if (ch === '"') return j + 1;
    if (ch === '\\') {
      const next = text[j + 1];
      if (next !== undefined && SIMPLE_ESCAPES.has(next)) j += 2;
      else if (next === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(j + 2, j + 6))) j += 6;
      else return { offset: j, reason: 'invalid escape sequence in a string' };
    } else if (ch.charCodeAt(0) < 0x20) {
      return { offset: j, reason: 'control character (e.g. a line break) inside a string' };
    } else {
      j++;
    }
  }
  return { offset: text.length, reason: 'unexpected end of file inside a string' };
}

function show(c: string): string {
  return c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f ? JSON.stringify(c) : `'${c}'`;
}
