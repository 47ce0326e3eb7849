import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { lineAndColumn, locateJsonError } from '../../../src/engine/datasets/json-location';
import { sharedPath } from '../../helpers/shared';

function parses(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

describe('locateJsonError', () => {
  it.each([
    ['trailing comma in an array', '{\n "a": [1, 2,],\n "b": 1\n}', 2, 13, /unexpected '\]' \(a trailing comma/],
    ['trailing comma in an object', '{\n "a": 1,\n}', 3, 1, /unexpected '\}' \(a trailing comma/],
    ['bare word', '{\n "a": 1,\n "b": nope\n}', 3, 7, /unexpected 'n' where a value should be/],
    ['truncated', '{\n "a": [1,\n', 3, 1, /unexpected end of file/],
    ['missing comma', '{\n "a": 1\n "b": 2\n}', 3, 2, /expected ',' or '\}', found '"'/],
    ['unquoted key', '{\n  a: 1\n}', 2, 3, /expected a property name in double quotes, found 'a'/],
    ['missing colon', '{"a" 1}', 1, 6, /expected ':'/],
    ['line break inside a string', '{"a": "x\ny"}', 1, 9, /control character/],
    ['bad escape', '{"a": "\\q"}', 1, 8, /invalid escape/],
    ['unterminated string', '{"a": "abc', 1, 11, /end of file inside a string/],
    ['text after the value', '{"a": 1}\n}', 2, 1, /after the end of the JSON value/],
    ['leading zero', '[01]', 1, 3, /expected ',' or '\]', found '1'/],
    ['lone minus', '[-]', 1, 2, /invalid number/],
    ['NaN literal', '[NaN]', 1, 2, /unexpected 'N'/],
    ['empty text', '', 1, 1, /unexpected end of file/],
    ['CRLF lines count as lines', '{\r\n"a": 1,\r\n"b": ]\r\n}', 3, 6, /unexpected '\]'/],
  ])('%s', (_name, text, line, column, reason) => {
    expect(parses(text)).toBe(false);
    const at = locateJsonError(text);
    expect(at).not.toBeNull();
    expect(at!.line).toBe(line);
    expect(at!.column).toBe(column);
    expect(at!.reason).toMatch(reason);
  });

  it('accepts every valid JSON form', () => {
    for (const text of ['0', '-1.5e-3', '"a\\u00e9\\n"', 'true', 'null', '[]', '{}', ' [ {"a": [false, null, {"b": "c"}]} ] ', '{"a":{"b":{"c":[[[]]]}}}']) {
      expect(parses(text)).toBe(true);
      expect(locateJsonError(text)).toBeNull();
    }
  });

  it('agrees with JSON.parse on a real annotations file and on thousands of one-character corruptions of it', () => {
    const text = readFileSync(sharedPath('data', 'datasets', 'kitti_tiny_2d', 'annotations.json'), 'utf8').slice(0, 6000);
    // a valid prefix: cut at the end of the first image entry and close the containers
    const cut = text.indexOf('}', text.indexOf('"images"')) + 1;
    const base = `${text.slice(0, cut)}]}`;
    expect(parses(base)).toBe(true);
    expect(locateJsonError(base)).toBeNull();
    const replacements = [',', ']', '}', '"', ':', 'x', '0', ' ', '\n', '-', '.', '[', '{', '\\'];
    let seed = 12345;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    let broken = 0;
    for (let k = 0; k < 3000; k++) {
      const at = rand(base.length);
      const mode = rand(3);
      const ch = replacements[rand(replacements.length)];
      const mutated = mode === 0 ? base.slice(0, at) + ch + base.slice(at + 1) : mode === 1 ? base.slice(0, at) + ch + base.slice(at) : base.slice(0, at) + base.slice(at + 1);
      const ok = parses(mutated);
      const located = locateJsonError(mutated);
      expect(located === null, `mutation ${k} at ${at}: ${JSON.stringify(mutated.slice(Math.max(0, at - 20), at + 20))}`).toBe(ok);
      if (!ok) broken++;
    }
    expect(broken).toBeGreaterThan(500);
  });

  it('does not overflow on deeply nested input', () => {
    const deep = `${'['.repeat(200_000)}1${']'.repeat(199_999)}`;
    const at = locateJsonError(deep);
    expect(at?.reason).toMatch(/unexpected end of file/);
  });

  it('lineAndColumn counts from 1', () => {
    expect(lineAndColumn('ab\ncd\n', 0)).toEqual({ line: 1, column: 1 });
    expect(lineAndColumn('ab\ncd\n', 4)).toEqual({ line: 2, column: 2 });
    expect(lineAndColumn('ab\ncd\n', 6)).toEqual({ line: 3, column: 1 });
  });
});
