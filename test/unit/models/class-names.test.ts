import { describe, expect, it } from 'vitest';
import { parseClassNames } from '../../../src/engine/models/class-names';

describe('parseClassNames', () => {
  it('parses the Ultralytics Python dict repr', () => {
    expect(parseClassNames("{0: 'person', 1: 'bicycle', 2: 'car'}")).toEqual(['person', 'bicycle', 'car']);
  });

  it('handles double-quoted names with apostrophes, escapes, commas and colons inside names', () => {
    const text = `{0: "driver's seat", 1: 'a\\'b', 2: 'x, y: z', 3: 'tab\\there', 4: 'caf\\xe9'}`;
    expect(parseClassNames(text)).toEqual(["driver's seat", "a'b", 'x, y: z', 'tab\there', 'café']);
  });

  it('orders dict entries by key and fills gaps with class_<i>', () => {
    expect(parseClassNames("{2: 'c', 0: 'a'}")).toEqual(['a', 'class_1', 'c']);
  });

  it('parses Python lists, JSON lists and JSON objects with string keys', () => {
    expect(parseClassNames("['a', 'b']")).toEqual(['a', 'b']);
    expect(parseClassNames('["a", "b",]')).toEqual(['a', 'b']);
    expect(parseClassNames('{"0": "a", "1": "b"}')).toEqual(['a', 'b']);
    expect(parseClassNames('  {0: "a",\n 1: "b",\n}  ')).toEqual(['a', 'b']);
  });

  it('returns null for anything that is not a names literal', () => {
    for (const bad of ['', 'person,car', '{0: person}', "{0: 'a'", "{0: 'a', 0: 'b'}", "{'x': 'a'}", '[1, 2]', '{}', '[]', "{0: 'a'} trailing", "{100000: 'a'}"]) {
      expect(parseClassNames(bad), bad).toBeNull();
    }
  });
});
