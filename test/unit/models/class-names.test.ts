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
  it('reads .txt/.names one per line, JSON lists and maps, and YOLO data.yaml in its three forms', () => {
    expect(parseNamesFile('person\ncar\r\ntraffic light\n\n', 'coco.names')).toEqual({ names: ['person', 'car', 'traffic light'] });
    expect(parseNamesFile('["a", "b"]', 'n.json')).toEqual({ names: ['a', 'b'] });
    expect(parseNamesFile('{"1": "b", "0": "a"}', 'n.json')).toEqual({ names: ['a', 'b'] });
    expect(parseNamesFile("path: x\nnames: ['car', 'van']\nnc: 2\n", 'data.yaml')).toEqual({ names: ['car', 'van'] });
    expect(parseNamesFile('names:\n  - car\n  - "pedestrian"\nnc: 2\n', 'data.yml')).toEqual({ names: ['car', 'pedestrian'] });
    expect(parseNamesFile("train: a\nnames:\n  0: person\n  # comment\n  2: 'stop sign'\nval: b\n", 'data.yaml')).toEqual({ names: ['person', 'class_1', 'stop sign'] });
  });

  it('says what is wrong, with the line', () => {
    expect(parseNamesFile('a\n\nb\n', 'x.txt')).toEqual({ problem: 'empty line: every line must name one class', line: 2 });
    expect(parseNamesFile('', 'x.txt')).toEqual({ problem: 'no class names' });
    expect(parseNamesFile('{oops', 'x.json')).toMatchObject({ problem: expect.stringMatching(/^not JSON/) });
    expect(parseNamesFile('nc: 3\n', 'd.yaml')).toEqual({ problem: 'no top-level names: key' });
    expect(parseNamesFile('names:\n  car\n', 'd.yaml')).toEqual({ problem: "cannot read 'car' as a class name", line: 2 });
  });
});
