/**
 * Fidelity where it matters: YOLOX-Nano's AP on the shared COCO driving val set under
 * each of Odra's 15 benchmark corruptions at severity 3 must match its AP under the
 * reference implementation (imagecorruptions, 8 seeds: ../shared/fixtures/corruptions/
 * ap_under_reference.json) within max(1 AP point, 2 x the reference's seed spread).
 * The same audit's clean condition must equal `odra eval` of the same model on the same
 * dataset exactly: one pipeline, one scorer. The differences are written to
 * test-results/audits/fidelity.json and printed.
 *
 * One audit: 55 images x 16 conditions x 1 model = 880 units (about a minute on an idle
 * 2-core machine).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditResult } from '../../../src/shared/audits';
import { BENCHMARK_CORRUPTIONS } from '../../../src/shared/corruptions';
import { makeTempDir, removeDir } from '../../helpers/broken-datasets';
import { ensureCliBuilt, runOdra } from '../../helpers/odra-cli';
import { sharedPath } from '../../helpers/shared';

interface Reference {
  model_sha256: string;
  dataset_content_hash_as_odra_computes_it: string;
  clean_AP: number;
  severity: number;
  ap: Record<string, { mean: number; sd: number; spread: number; per_seed: number[] }>;
}

const MODEL = sharedPath('data', 'models', 'yolox_nano', 'yolox_nano.onnx');
const DATASET = sharedPath('data', 'datasets', 'coco128_val2017_driving');

describe('audit fidelity on YOLOX-Nano and the shared COCO driving set', () => {
  let temp: string;
  let result: AuditResult;
  let seconds: number;
  const reference = JSON.parse(readFileSync(sharedPath('fixtures', 'corruptions', 'ap_under_reference.json'), 'utf8')) as Reference;

  beforeAll(async () => {
    await ensureCliBuilt();
    temp = await makeTempDir('fidelity');
    const t0 = performance.now();
    const run = await runOdra(['audit', '--model', MODEL, '--dataset', DATASET, '--corruptions', 'quick', '--threads', '1', '--db', path.join(temp, 'odra.db'), '--json'], {
      timeoutMs: 1_200_000,
    });
    seconds = (performance.now() - t0) / 1000;
    if (run.code !== 0) throw new Error(`odra audit exited ${run.code}:\n${run.stderr}`);
    result = JSON.parse(run.stdout) as AuditResult;
  });
  afterAll(async () => {
    await removeDir(temp);
  });

  it('audits the same model and dataset the reference did', () => {
    expect(result.models[0].sha256).toBe(reference.model_sha256);
    expect(result.audit.provenance!.dataset.contentHash).toBe(reference.dataset_content_hash_as_odra_computes_it);
    expect(result.audit.images).toBe(55);
    expect(result.conditions.map((c) => `${c.corruption}/${c.severity}`)).toEqual(['clean/0', ...BENCHMARK_CORRUPTIONS.map((c) => `${c}/3`)]);
  });

  it("each corruption's AP is within max(1 AP point, 2 x the reference's seed spread) of the reference mean", () => {
    const rows = BENCHMARK_CORRUPTIONS.map((name) => {
      const ref = reference.ap[name];
      const odra = result.conditions.find((c) => c.corruption === name && c.severity === reference.severity)!.stats!.AP;
      const tolerance = Math.max(0.01, 2 * ref.spread);
      return { corruption: name, odra, reference_mean: ref.mean, reference_spread: ref.spread, difference: odra - ref.mean, tolerance, ok: Math.abs(odra - ref.mean) <= tolerance };
    });
    const clean = result.conditions.find((c) => c.corruption === 'clean')!.stats!.AP;
    const report = { model: 'yolox_nano', dataset: 'coco128_val2017_driving', severity: reference.severity, clean_AP: clean, reference_clean_AP: reference.clean_AP, audit_seconds: seconds, rows };
    mkdirSync(path.join('test-results', 'audits'), { recursive: true });
    writeFileSync(path.join('test-results', 'audits', 'fidelity.json'), `${JSON.stringify(report, null, 2)}\n`);
    process.stdout.write(
      `fidelity (YOLOX-Nano, severity 3; audit ${seconds.toFixed(0)} s):\n${rows
        .map((r) => `  ${r.corruption.padEnd(18)} odra ${r.odra.toFixed(4)}  reference ${r.reference_mean.toFixed(4)} ±${r.reference_spread.toFixed(4)}  diff ${r.difference >= 0 ? '+' : ''}${r.difference.toFixed(4)}  tol ${r.tolerance.toFixed(4)}`)
        .join('\n')}\n`,
    );
    expect(rows.filter((r) => !r.ok).map((r) => `${r.corruption}: ${r.odra} vs ${r.reference_mean} (tolerance ${r.tolerance})`)).toEqual([]);
  });

  it('the clean condition equals odra eval of the same model on the same dataset, and the reference clean AP', async () => {
    const run = await runOdra(['eval', '--model', MODEL, '--dataset', DATASET, '--threads', '1', '--json'], { timeoutMs: 300_000 });
    expect(run.code, run.stderr).toBe(0);
    const evaluation = JSON.parse(run.stdout) as { stats: Record<string, number>; per_category: unknown[] };
    const clean = result.conditions.find((c) => c.corruption === 'clean')!;
    expect(clean.stats).toEqual(evaluation.stats);
    expect(clean.per_category).toEqual(evaluation.per_category);
    expect(Math.abs(clean.stats!.AP - reference.clean_AP)).toBeLessThan(1e-9);
    expect(result.models[0].P).toBe(clean.stats!.AP);
  });
});
