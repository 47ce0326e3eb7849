import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { indexGroundTruth, loadResults, type CocoDetection, type DetectionSet, type GroundTruthIndex } from '../../../src/engine/cocoeval/cocoeval';
import { loadResultsJson } from '../../../src/engine/cocoeval/results-json';
import { cocoevalFixturesDir, listCases, loadCase } from './fixtures';

const fixturesDir = cocoevalFixturesDir();

function expectSameSet(a: DetectionSet, b: DetectionSet): void {
  expect(a.n).toBe(b.n);
  for (const key of ['imageId', 'categoryId', 'box', 'area', 'score'] as const) {
    expect(a[key].length).toBe(b[key].length);
    // Object.is: bit-level agreement, -0 included
    const differing = [...a[key]].findIndex((v, i) => !Object.is(v, b[key][i]));
    expect(differing, `${key}[${differing}]`).toBe(-1);
  }
}

function viaJsonParse(gt: GroundTruthIndex, text: string): DetectionSet {
  return loadResults(gt, JSON.parse(text) as CocoDetection[]);
}

const enc = new TextEncoder();
const gt = indexGroundTruth({
  images: [{ id: 1 }, { id: 2 }],
  annotations: [],
  categories: [{ id: 1, name: 'a' }],
});

describe('loadResultsJson', () => {
  it.each(listCases(fixturesDir))('reads %s/dt.json exactly as JSON.parse + loadResults', (name) => {
    const dir = path.join(fixturesDir, name);
    const { gt: g } = loadCase(dir);
    const gi = indexGroundTruth(g);
    const bytes = readFileSync(path.join(dir, 'dt.json'));
    expectSameSet(loadResultsJson(gi, bytes), viaJsonParse(gi, bytes.toString('utf8')));
  });

  it('handles any layout, key order, extra fields and number spelling', () => {
    const text = `
      [ {"score" : 1e-5, "bbox":[ 1.5 , -0.0,2E2, 3.25e+1 ] ,"category_id":1,"image_id":2,
         "extra": {"nested": [1, "two\\"\\u00e9\\n", {"x": null}], "t": true, "f": false}, "s": "ünïcode"},
        {"image_id":1.0,"category_id":-0,"bbox":[0,0,1,1],"score":0.12345678901234567890,
         "id": 12345678901234567890, "bbox2": [], "o": {}},
        {"image_id":1,"category_id":1,"bbox":[0.1,0.2,0.30000000000000004,1e22],"score":123456789012345678,
         "image_id":2, "score": 5e-324}
      ]\r\n\t`;
    const a = loadResultsJson(gt, enc.encode(text));
    expectSameSet(a, viaJsonParse(gt, text));
    expect(a.n).toBe(3);
    expect(a.imageId[2]).toBe(2); // duplicate key: the last one wins, as in JSON.parse
    expect(Object.is(a.box[1], -0)).toBe(true);
  });

  it('reads an empty list', () => {
    expect(loadResultsJson(gt, enc.encode(' [ ] ')).n).toBe(0);
  });

  it('throws what JSON.parse throws on invalid JSON', () => {
    for (const text of ['[{"image_id":1,"category_id":1,"bbox":[0,0,1,1],"score":0.5},]', '[{"image_id":01}]', '[', '\ufeff[]', '[1] x']) {
      expect(() => loadResultsJson(gt, enc.encode(text))).toThrow(SyntaxError);
    }
  });

  it('reports the same errors as loadResults', () => {
    const cases = [
      '[{"image_id":7,"category_id":1,"bbox":[0,0,1,1],"score":0.5}]', // unknown image
      '[{"image_id":1,"category_id":1,"bbox":[0,0,1],"score":0.5}]', // short bbox
      '[{"image_id":1,"category_id":1,"bbox":[0,0,1,1],"score":"0.5"}]', // string score
      '[{"image_id":1,"category_id":1,"bbox":[0,0,1,1],"score":1e999}]', // infinite score
      '[{"image_id":1,"category_id":1,"bbox":[0,0,1,1]}]', // missing score
      '{"image_id":1}', // not a list
    ];
    for (const text of cases) {
      let expected = '';
      try {
        viaJsonParse(gt, text);
      } catch (err) {
        expected = (err as Error).message;
      }
      expect(expected).not.toBe('');
      expect(() => loadResultsJson(gt, enc.encode(text))).toThrow(expected);
    }
  });
});
