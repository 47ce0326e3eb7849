import { describe, expect, it } from 'vitest';
import { parseClassNames, parseNamesFile } from '../../../src/engine/models/class-names';

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

describe('parseNamesFile', () => {
  it('reads .txt/.names one per line, JSON lists and maps, and leaves YOLO data.yaml to its one reader', () => {
    expect(parseNamesFile('person\ncar\r\ntraffic light\n\n', 'coco.names')).toEqual({ names: ['person', 'car', 'traffic light'] });
    expect(parseNamesFile('["a", "b"]', 'n.json')).toEqual({ names: ['a', 'b'] });
    expect(parseNamesFile('{"1": "b", "0": "a"}', 'n.json')).toEqual({ names: ['a', 'b'] });
    // data.yaml: yoloClassNames (test/unit/datasets/yolo-import.test.ts)
    expect(parseNamesFile('names:\n  - car\n', 'data.yaml')).toMatchObject({ problem: expect.stringMatching(/yoloClassNames/) });
  });

  it('says what is wrong, with the line', () => {
    expect(parseNamesFile('a\n\nb\n', 'x.txt')).toEqual({ problem: 'empty line: every line must name one class', line: 2 });
    expect(parseNamesFile('', 'x.txt')).toEqual({ problem: 'no class names' });
    expect(parseNamesFile('{oops', 'x.json')).toMatchObject({ problem: expect.stringMatching(/^not JSON/) });
  });
});
