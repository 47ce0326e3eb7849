import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, removeDir } from '../../../helpers/broken-datasets';
import { sharedPath } from '../../../helpers/shared';
import { ensureCliBuilt, runOdra } from '../../../helpers/odra-cli';

interface Expected {
  stats: Record<string, number>;
  per_category: { id: number; name: string; AP: number | null; AP50: number | null; num_gt: number; num_dets: number }[];
}

const STAT_KEYS = ['AP', 'AP50', 'AP75', 'APs', 'APm', 'APl', 'AR1', 'AR10', 'AR100', 'ARs', 'ARm', 'ARl'];

// Each run is a separate process that mostly waits on module loading: run them side by side.
describe.concurrent('odra cocoeval and the command line', () => {
  let temp: string;
  const fixture = sharedPath('fixtures', 'cocoeval', 'yolox_kitti');
  const gt = path.join(fixture, 'gt.json');
  const dt = path.join(fixture, 'dt.json');

  beforeAll(async () => {
    await ensureCliBuilt();
    temp = await makeTempDir('cli');
  });
  afterAll(async () => {
    await removeDir(temp);
  });

  it('odra --help exits 0 and lists the commands', async () => {
    const run = await runOdra(['--help']);
    expect(run.code).toBe(0);
    for (const command of ['eval', 'cocoeval', 'serve']) expect(run.stdout).toMatch(new RegExp(`^  ${command} `, 'm'));
    expect(run.stdout).toContain('odra cocoeval --gt GT.json --dt DT.json [--json]');
  });

  it('an unknown command exits 2 with the help', async () => {
    const run = await runOdra(['frobnicate']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/unknown command "frobnicate"/);
    expect(run.stderr).toMatch(/usage: odra <command>/);
  });

  it('--json prints pycocotools-equal stats and per-category AP for the yolox_kitti fixture', async () => {
    const run = await runOdra(['cocoeval', '--gt', gt, '--dt', dt, '--json']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout) as Expected;
    const expected = JSON.parse(readFileSync(path.join(fixture, 'expected.json'), 'utf8')) as Expected;
    expect(Object.keys(out.stats).sort()).toEqual([...STAT_KEYS].sort());
    for (const k of STAT_KEYS) expect(Math.abs(out.stats[k] - expected.stats[k]), k).toBeLessThanOrEqual(1e-9);

    expect(out.per_category.map((c) => c.id)).toEqual(expected.per_category.map((c) => c.id));
    out.per_category.forEach((c, i) => {
      const e = expected.per_category[i];
      expect(Object.keys(c).sort()).toEqual(Object.keys(e).sort());
      expect([c.name, c.num_gt, c.num_dets]).toEqual([e.name, e.num_gt, e.num_dets]);
      for (const k of ['AP', 'AP50'] as const) {
        if (e[k] === null) expect(c[k], `${e.name} ${k}`).toBeNull();
        else expect(Math.abs((c[k] as number) - e[k]), `${e.name} ${k}`).toBeLessThanOrEqual(1e-9);
      }
    });
  });

  it('without --json prints the 12 stats as a table', async () => {
    const run = await runOdra(['cocoeval', '--gt', gt, '--dt', dt]);
    expect(run.code).toBe(0);
    const lines = run.stdout.trim().split('\n');
    expect(lines.map((l) => l.split(/\s+/)[0])).toEqual(STAT_KEYS);
    expect(lines[0]).toMatch(/^AP\s+0\.1362$/);
  });

  it.each([
    [['cocoeval'], /--gt and --dt are required/],
    [['cocoeval', '--gt', 'a.json'], /--gt and --dt are required/],
    [['cocoeval', '--gt', 'a.json', '--dt', 'b.json', '--bogus'], /bogus/],
    [['cocoeval', '--gt'], /--gt/],
  ])('bad arguments %j exit 2 with the usage', async (args, problem) => {
    const run = await runOdra(args);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(problem);
    expect(run.stderr).toContain('usage: odra cocoeval --gt GT.json --dt DT.json [--json]');
    expect(run.stdout).toBe('');
  });

  it('a missing --dt file exits 2 naming it', async () => {
    const missing = path.join(temp, 'no-such-dt.json');
    const run = await runOdra(['cocoeval', '--gt', gt, '--dt', missing, '--json']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(missing);
    expect(run.stderr).toMatch(/cannot read|not found|no such file/i);
    expect(run.stdout).toBe('');
  });

  it.each([
    ['an object, not a list', { annotations: [] }, /is not a COCO results list/],
    ['a bbox of 3 numbers', [{ image_id: 0, category_id: 1, bbox: [1, 2, 3], score: 0.5 }], /entry 0\.bbox/],
    ['a score that is a string', [{ image_id: 0, category_id: 1, bbox: [1, 2, 3, 4], score: '0.5' }], /entry 0\.score/],
    // the byte-level reader takes any number; the schema wants integer ids, and so does the command
    ['a fractional category id', [{ image_id: 0, category_id: 1.5, bbox: [1, 2, 3, 4], score: 0.5 }], /entry 0\.category_id/],
  ])('a dt file that is %s exits 2 naming the file', async (_name, content, problem) => {
    const file = path.join(temp, `dt-${_name.replace(/\W+/g, '-')}.json`);
    await writeFile(file, JSON.stringify(content));
    const run = await runOdra(['cocoeval', '--gt', gt, '--dt', file, '--json']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(file);
    expect(run.stderr).toMatch(/is not a COCO results list/);
    expect(run.stderr).toMatch(problem);
    expect(run.stdout).toBe('');
  });

  it('a dt file that is not JSON exits 2 with the line', async () => {
    const file = path.join(temp, 'dt-broken.json');
    await writeFile(file, '[\n {"image_id": 0, "category_id": 1, "bbox": [1, 2, 3, 4], "score": 0.5},\n]\n');
    const run = await runOdra(['cocoeval', '--gt', gt, '--dt', file]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`${file} is not valid JSON (line 3`);
  });
});
