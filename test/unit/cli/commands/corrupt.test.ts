import { readFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, removeDir } from '../../../helpers/broken-datasets';
import { ensureCliBuilt, runOdra } from '../../../helpers/odra-cli';
import { sharedPath } from '../../../helpers/shared';

describe('odra corrupt --output', () => {
  let temp: string;
  const input = sharedPath('data', 'datasets', 'kitti_tiny_2d', 'images');
  let image: string;

  beforeAll(async () => {
    await ensureCliBuilt();
    temp = await makeTempDir('corrupt-cli');
    const { readdir } = await import('node:fs/promises');
    image = path.join(input, (await readdir(input)).sort()[0]);
  });
  afterAll(async () => {
    await removeDir(temp);
  });

  it.each([
    ['out.png', 'png', []],
    ['out.jpg', 'jpeg', ['--quality', '80']],
    ['OUT.JPEG', 'jpeg', []],
    ['out.webp', 'webp', ['--quality', '90']],
  ])('%s is written in the format its extension names', async (name, format, extra) => {
    const output = path.join(temp, name);
    const run = await runOdra(['corrupt', '--input', image, '--corruption', 'contrast', '--severity', '3', '--output', output, ...extra]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const meta = await sharp(await readFile(output)).metadata();
    expect(meta.format).toBe(format);
    const source = await sharp(image).metadata();
    expect([meta.width, meta.height]).toEqual([source.width, source.height]);
  });

  it('a higher JPEG quality keeps more bytes', async () => {
    const sizes: number[] = [];
    for (const q of ['20', '95']) {
      const output = path.join(temp, `q${q}.jpg`);
      expect((await runOdra(['corrupt', '--input', image, '--corruption', 'contrast', '--severity', '3', '--output', output, '--quality', q])).code).toBe(0);
      sizes.push((await readFile(output)).length);
    }
    expect(sizes[1]).toBeGreaterThan(sizes[0]);
  });

  it('--quality is refused for PNG, which is lossless', async () => {
    const run = await runOdra(['corrupt', '--input', image, '--corruption', 'contrast', '--severity', '3', '--output', path.join(temp, 'x.png'), '--quality', '50']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--quality applies to \.jpg and \.webp outputs; PNG is lossless/);
  });
});
