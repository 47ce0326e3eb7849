import { createHash } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { CORRUPTION_NAMES, type CorruptionName } from '../../../src/shared/corruptions';
import { corruptionSeed } from '../../../src/engine/corruptions/seed';
import { CorruptionPool } from '../../../src/engine/corruptions/pool';
import { applyCorruption } from '../../../src/engine/corruptions/registry';
import { loadFixtureImage } from './fidelity-helpers';

const sha = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex');

describe('corruption worker pool', () => {
  const pools: CorruptionPool[] = [];
  afterAll(async () => {
    await Promise.all(pools.map((p) => p.close()));
  });

  it('gives byte-identical output for the same seed across runs and worker counts, and differs by seed', async () => {
    const image = await loadFixtureImage('kitti_000010');
    const one = new CorruptionPool(1);
    const two = new CorruptionPool(2);
    pools.push(one, two);
    const stochastic: CorruptionName[] = ['gaussian_noise', 'shot_noise', 'impulse_noise', 'speckle_noise', 'glass_blur', 'motion_blur', 'snow', 'frost', 'fog', 'elastic_transform', 'spatter'];
    for (const name of CORRUPTION_NAMES) {
      const seed = corruptionSeed(7, 'kitti_000010', name, 3);
      const [a, b, c] = await Promise.all([one.corrupt(image, name, 3, seed), two.corrupt(image, name, 3, seed), two.corrupt(image, name, 3, seed)]);
      const direct = await applyCorruption(image, name, 3, seed);
      expect(a.width).toBe(image.width);
      expect(a.height).toBe(image.height);
      expect(sha(a.data), name).toBe(sha(b.data));
      expect(sha(b.data), name).toBe(sha(c.data));
      expect(sha(a.data), name).toBe(sha(direct.data));
      expect(sha(a.data), `${name} changes the image`).not.toBe(sha(image.data));
      if (stochastic.includes(name)) {
        const other = await one.corrupt(image, name, 3, seed + 1);
        expect(sha(other.data), `${name} depends on the seed`).not.toBe(sha(a.data));
      }
    }
  }, 120_000);

  it('leaves the caller image untouched and refuses work once closed', async () => {
    const image = await loadFixtureImage('coco_val2017_000000011197');
    const before = sha(image.data);
    const pool = new CorruptionPool(1);
    pools.push(pool);
    await pool.corrupt(image, 'contrast', 2, 0);
    expect(sha(image.data)).toBe(before);
    await pool.close();
    await expect(pool.corrupt(image, 'contrast', 1, 0)).rejects.toThrow(/closed/);
  });
});
