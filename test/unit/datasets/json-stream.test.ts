import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accumulate, evaluate, indexGroundTruth, loadResults, summarize, type CocoDetection, type CocoGroundTruth } from '../../../src/engine/cocoeval/cocoeval';
import { streamCocoGroundTruth, streamCocoResults } from '../../../src/engine/datasets/coco-results';
import { readJson } from '../../../src/engine/datasets/import-common';
import { JsonElementStream, streamJsonFile, type JsonStreamSpec } from '../../../src/engine/datasets/json-stream';
import { OdraError } from '../../../src/shared/errors';
import { makeTempDir, removeDir } from '../../helpers/broken-datasets';
import { sharedPath } from '../../helpers/shared';

const COCO_SPEC: JsonStreamSpec = { arrays: ['images', 'annotations', 'categories'], values: ['info'] };

/** Feeds `text` to a push parser in pieces of `size` bytes; collects what it hands over. */
function feed(text: string, spec: JsonStreamSpec, size: number): { elements: Map<string, unknown[]>; shape: ReturnType<JsonElementStream['end']> } {
  const elements = new Map<string, unknown[]>();
  const stream = new JsonElementStream(spec, (key, index, value) => {
    const list = elements.get(key ?? '$') ?? [];
    expect(index).toBe(list.length);
    list.push(value);
    elements.set(key ?? '$', list);
  });
  const bytes = Buffer.from(text, 'utf8');
  for (let i = 0; i < bytes.length; i += size) stream.write(bytes.subarray(i, i + size));
  return { elements, shape: stream.end() };
}

async function rejection(p: Promise<unknown>): Promise<OdraError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof OdraError) return err;
    throw err;
  }
  throw new Error('expected a rejection');
}

describe('streaming JSON (json-stream.ts)', () => {
  let temp: string;
  beforeAll(async () => {
    temp = await makeTempDir('json-stream');
  });
  afterAll(async () => {
    await removeDir(temp);
  });

  it('a COCO file fed in pieces of 1, 7, 64 bytes and 64 KiB hands over exactly what JSON.parse reads', () => {
    const text = readFileSync(sharedPath('data', 'datasets', 'kitti_tiny_2d', 'annotations.json'), 'utf8');
    const whole = JSON.parse(text) as Record<string, unknown[]>;
    for (const size of [1, 7, 64, 65536]) {
      const { elements, shape } = feed(text, COCO_SPEC, size);
      for (const key of ['images', 'annotations', 'categories']) expect(elements.get(key), `${key} in ${size}-byte pieces`).toEqual(whole[key]);
      expect(shape.root).toBe('object');
      expect([...shape.members.keys()].sort()).toEqual(Object.keys(whole).sort());
      expect(shape.values.get('info')).toEqual(whole.info);
    }
  });

  it('keeps what JSON.parse keeps: escapes, surrogate pairs, exact doubles, -0, 1e999, a later duplicate key, a byte-order mark', () => {
    const text = '\uFEFF[{"s":"a\\u00e9\\"\\n\u{1F697}","n":[0.1,1e-7,123456789012345678901234567890,5e-324,-0,1e999],"k":1,"k":2},{}]';
    const { elements } = feed(text, { rootArray: true }, 3);
    expect(elements.get('$')).toEqual(JSON.parse(text.slice(1).replace('1e999', '1e308')).map((e: { n?: number[] }) => (e.n ? { ...e, n: [...e.n.slice(0, 5), Infinity] } : e)));
    const first = elements.get('$')![0] as { n: number[]; k: number; s: string };
    expect(Object.is(first.n[4], -0)).toBe(true);
    expect(first.k).toBe(2);
    expect(first.s).toBe('aé"\n\u{1F697}');
  });

  it('reports the root and member types without parsing what nobody asked for', () => {
    const { shape } = feed('{"images": {}, "annotations": 3, "categories": null}', COCO_SPEC, 5);
    expect(Object.fromEntries(shape.members)).toEqual({ images: 'object', annotations: 'number', categories: 'null' });
    const list = feed('[1, 2, 3]', COCO_SPEC, 2);
    expect(list.shape.root).toBe('array');
    expect(list.elements.size).toBe(0);
  });

  it.each([
    ['a doubled comma', '{\n "images": [\n  {"id": 1},,\n  {"id": 2}\n ]\n}\n'],
    ['a trailing comma', '{\n "images": [\n  {"id": 1},\n ]\n}\n'],
    ['a bare word', '{\n "images": [\n  {"id": no}\n ]\n}\n'],
    ['a truncated file', '{\n "images": [\n  {"id": 1},\n'],
    ['an empty file', ''],
    ['text after the value', '{"images": []} x'],
  ])('%s: the same message, line and column as readJson gives', async (_name, text) => {
    const file = path.join(temp, `${_name.replace(/\W+/g, '-')}.json`);
    await writeFile(file, text);
    const expected = await rejection(readJson(file));
    const streamed = await rejection(streamJsonFile(file, COCO_SPEC, () => undefined, { chunkBytes: 3 }));
    expect(streamed.message).toBe(expected.message);
    expect(streamed.details).toEqual(expected.details);
  });

  it('above the whole-text limit, a syntax error still names the line and the column (UTF-16, as readJson counts)', async () => {
    const file = path.join(temp, 'big-error.json');
    await writeFile(file, '\uFEFF[\n{"name": "\u{1F697}é"},\n{"name": "x"} {"name": "y"}\n]\n');
    const small = await rejection(readJson(file));
    const big = await rejection(streamJsonFile(file, { rootArray: true }, () => undefined, { chunkBytes: 4, locateWholeLimit: 0 }));
    expect(small.message).toMatch(/\(line 3, column 15\)/);
    expect(big.message).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is not valid JSON \\(line 3, column 15\\): unexpected`));
    expect(big.details?.problems?.[0]).toMatchObject({ file, line: 3 });
  });

  it('an exception thrown by the element handler stops the parse and comes out as it was thrown', async () => {
    const file = path.join(temp, 'stop.json');
    await writeFile(file, JSON.stringify(Array.from({ length: 1000 }, (_, i) => ({ i }))));
    let seen = 0;
    const stop = new OdraError('BAD_INPUT', 'enough');
    await expect(
      streamJsonFile(file, { rootArray: true }, () => {
        if (++seen === 10) throw stop;
      }, { chunkBytes: 16 }),
    ).rejects.toBe(stop);
    expect(seen).toBe(10);
  });
});

describe('cocoeval files read as streams', () => {
  it.each(['yolox_kitti', 'edge_cases', 'nanodet_coco_train'])(
    '%s: in 97-byte pieces, the same detections as loadResults on JSON.parse, and the same numbers',
    async (fixture) => {
      const dir = sharedPath('fixtures', 'cocoeval', fixture);
      const gtFile = path.join(dir, 'gt.json');
      const dtFile = path.join(dir, 'dt.json');
      const gtWhole = JSON.parse(readFileSync(gtFile, 'utf8')) as CocoGroundTruth;
      const dtWhole = JSON.parse(readFileSync(dtFile, 'utf8')) as CocoDetection[];
      const gtStreamed = await streamCocoGroundTruth(gtFile, { chunkBytes: 97 });
      for (const key of ['images', 'categories'] as const) expect(gtStreamed[key]).toEqual(gtWhole[key]);
      const withoutMasks = gtWhole.annotations.map((a) => {
        const { segmentation: _s, ...rest } = a as typeof a & { segmentation?: unknown };
        return rest;
      });
      expect(gtStreamed.annotations).toEqual(withoutMasks);
      const index = indexGroundTruth(gtWhole);
      const expected = loadResults(index, dtWhole);
      const streamed = (await streamCocoResults(dtFile, { chunkBytes: 97 })).finish(index);
      expect(streamed.n).toBe(expected.n);
      for (const k of ['imageId', 'categoryId', 'box', 'area', 'score'] as const) expect(Array.from(streamed[k]), k).toEqual(Array.from(expected[k]));
      const whole = evaluate(index, expected);
      const fromStream = evaluate(indexGroundTruth(gtStreamed), streamed);
      expect(summarize(accumulate(fromStream.images, fromStream.setup))).toEqual(summarize(accumulate(whole.images, whole.setup)));
    },
  );
});
