/**
 * `odra audit --estimate`: prints the time estimate (text, or the estimate object with
 * --json) and exits 0 without running the audit and without creating the --db store.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditEstimateSchema } from '../../../../src/shared/audits';
import { makeTempDir, removeDir } from '../../../helpers/broken-datasets';
import { ensureCliBuilt, runOdra } from '../../../helpers/odra-cli';
import { sharedPath } from '../../../helpers/shared';

describe('odra audit --estimate', () => {
  let temp: string;
  beforeAll(async () => {
    await ensureCliBuilt();
    temp = await makeTempDir('cli-estimate');
  });
  afterAll(async () => {
    await removeDir(temp);
  });

  const args = (): string[] => [
    'audit',
    '--model',
    sharedPath('data', 'models', 'nanodet_m', 'nanodet_m_0.5x.onnx'),
    '--dataset',
    sharedPath('data', 'datasets', 'kitti_tiny_2d'),
    '--corruptions',
    'gaussian_noise,contrast',
    '--severities',
    '1,4',
    '--sample',
    '6',
    '--db',
    path.join(temp, 'never.db'),
    '--estimate',
  ];

  it('prints the estimate object with --json and writes no store', async () => {
    const run = await runOdra([...args(), '--json'], { timeoutMs: 300_000 });
    expect(run.code, run.stderr).toBe(0);
    const estimate = auditEstimateSchema.parse(JSON.parse(run.stdout));
    expect(estimate.units).toBe(6 * 5);
    expect(estimate.basis).toBe('4 images × 3 conditions');
    expect(estimate.seconds).toBeGreaterThan(0);
    expect(existsSync(path.join(temp, 'never.db'))).toBe(false);
  }, 300_000);

  it('prints the estimate in words', async () => {
    const run = await runOdra(args(), { timeoutMs: 300_000 });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^estimate: ≈ \d+ s \(\d+–\d+ s\) for 30 units \(6 images x 5 conditions x 1 model\)/);
    expect(run.stdout).toMatch(/from a calibration of 4 images × 3 conditions per model/);
    expect(run.stdout).toMatch(/nanodet_m_0\.5x: [\d.]+ ms per unit/);
    expect(existsSync(path.join(temp, 'never.db'))).toBe(false);
  }, 300_000);
});
