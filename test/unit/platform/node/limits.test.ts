import { load } from 'js-yaml';
import { afterEach, describe, expect, it } from 'vitest';
import { expandedSize, jsonNesting, limitValue, LIMITS } from '../../../../src/platform/node/limits';

describe('jsonNesting', () => {
  it('measures bracket depth, skipping brackets inside strings and escaped quotes', () => {
    expect(jsonNesting('{"a": [1, {"b": "[[[[\\"{{"}]}', 10)).toEqual({ depth: 3, exceededAtLine: null });
    expect(jsonNesting('[]', 10)).toEqual({ depth: 1, exceededAtLine: null });
    expect(jsonNesting('12', 10)).toEqual({ depth: 0, exceededAtLine: null });
  });

  it('stops at the line where the depth first passes the limit', () => {
    const text = `{\n"info":\n${'['.repeat(200_000)}${']'.repeat(200_000)}}`;
    expect(jsonNesting(text, 1000)).toEqual({ depth: 1001, exceededAtLine: 3 });
  });
});

describe('expandedSize', () => {
  it('counts each use of a shared (aliased) node, without expanding it', () => {
    const lines = ['a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]'];
    for (let i = 1; i < 10; i++) lines.push(`a${i}: &a${i} [${Array(9).fill(`*a${i - 1}`).join(', ')}]`);
    lines.push('names: *a9');
    const bomb = load(lines.join('\n'));
    // 9^10 values if expanded: measured through the shared nodes, it returns at once
    expect(expandedSize(bomb, 100_000)).toBeGreaterThan(100_000);
    expect(expandedSize(load('names: [car, van]\nval: images'), 100)).toBe(5);
  });
});

describe('limitValue', () => {
  afterEach(() => {
    delete process.env.ODRA_MAX_JSON_DEPTH;
  });
  it('reads the environment variable when it is a positive integer, else the default', () => {
    expect(limitValue(LIMITS.jsonDepth)).toBe(1000);
    process.env.ODRA_MAX_JSON_DEPTH = '64';
    expect(limitValue(LIMITS.jsonDepth)).toBe(64);
    process.env.ODRA_MAX_JSON_DEPTH = '-3';
    expect(limitValue(LIMITS.jsonDepth)).toBe(1000);
  });
});
