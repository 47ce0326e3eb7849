import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { accumulate, evaluate, evaluateCoco, indexGroundTruth, summarize, type CocoDetection, type CocoGroundTruth } from '../../../src/engine/cocoeval/cocoeval';
import { loadResultsJson } from '../../../src/engine/cocoeval/results-json';
import { cocoevalFixturesDir, compareWithExpected, readJson, type Expected } from './fixtures';

// The 5,000-image synthetic benchmark (500,000 detections): generated here, checked
// against its published sha256, then evaluated through both loaders.
const benchDir = path.join(cocoevalFixturesDir(), 'bench5k');
const generator = path.resolve(process.cwd(), '../shared/tools/make_eval_bench.py');

describe('bench5k (pycocotools reference on 500,000 detections)', () => {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'odra-bench5k-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('matches pycocotools within 1e-9', { timeout: 120_000 }, () => {
    if (!existsSync(generator)) throw new Error(`${generator} not found: this test needs ../shared next to the repo`);
    execFileSync('python3', [generator, tmp], { stdio: ['ignore', 'ignore', 'pipe'] });

    const sums = readFileSync(path.join(benchDir, 'SHA256SUMS'), 'utf8').trim().split('\n');
    expect(sums).toHaveLength(2);
    const bytes = new Map<string, Buffer>();
    for (const line of sums) {
      const [hash, name] = line.trim().split(/\s+/);
      const data = readFileSync(path.join(tmp, name));
      expect(createHash('sha256').update(data).digest('hex'), name).toBe(hash);
      bytes.set(name, data);
    }
    const expected = readJson<Expected>(path.join(benchDir, 'expected.json'));
    const gtBytes = bytes.get('gt.json');
    const detBytes = bytes.get('dets.json');
    if (!gtBytes || !detBytes) throw new Error('SHA256SUMS must list gt.json and dets.json');
    const gtJson = JSON.parse(gtBytes.toString('utf8')) as CocoGroundTruth;

    // bytes loader
    const gt = indexGroundTruth(gtJson);
    const ev = evaluate(gt, loadResultsJson(gt, detBytes));
    const fast = summarize(accumulate(ev.images, ev.setup));
    expect(compareWithExpected(fast, expected)).toBeLessThanOrEqual(1e-9);
    expect(ev.setup.imgIds).toHaveLength(expected.counts.images);

    // object API
    const dets = JSON.parse(detBytes.toString('utf8')) as CocoDetection[];
    expect(dets).toHaveLength(expected.counts.dets);
    const viaObjects = evaluateCoco(gtJson, dets);
    expect(viaObjects.statsArray).toEqual(fast.statsArray);
  });
});
