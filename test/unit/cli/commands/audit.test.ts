/**
 * `odra audit` arguments: condition selection and severities parsed as the usage says,
 * and bad input refused with exit 2 before anything runs.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCorruptions, parseSeverities } from '../../../../src/cli/commands/audit';
import { makeTempDir, removeDir } from '../../../helpers/broken-datasets';
import { ensureCliBuilt, runOdra } from '../../../helpers/odra-cli';
import { sharedPath } from '../../../helpers/shared';

describe('odra audit arguments', () => {
  it('takes a preset or a list of corruptions, benchmark by default', () => {
    expect(parseCorruptions(undefined)).toEqual({ preset: 'benchmark' });
    expect(parseCorruptions('quick')).toEqual({ preset: 'quick' });
    expect(parseCorruptions('all')).toEqual({ preset: 'all' });
    expect(parseCorruptions('fog, snow')).toEqual({ corruptions: ['fog', 'snow'] });
    expect(() => parseCorruptions('fog,rain')).toThrow(/unknown: rain/);
    expect(() => parseCorruptions(',')).toThrow(/unknown: \(empty\)/);
  });

  it('takes severities as a range or a list', () => {
    expect(parseSeverities(undefined)).toBeUndefined();
    expect(parseSeverities('1-5')).toEqual([1, 2, 3, 4, 5]);
    expect(parseSeverities('2-3')).toEqual([2, 3]);
    expect(parseSeverities('5,1,3,3')).toEqual([1, 3, 5]);
    expect(parseSeverities('4')).toEqual([4]);
    expect(() => parseSeverities('4-2')).toThrow(/must go up/);
    expect(() => parseSeverities('0,6')).toThrow(/severities 1..5/);
    expect(() => parseSeverities('1-9')).toThrow(/severities 1..5/);
  });
});

describe.concurrent('odra audit refuses bad input with exit 2', () => {
  let temp: string;
  const model = sharedPath('data', 'models', 'nanodet_m', 'nanodet_m_0.5x.onnx');
  const dataset = sharedPath('data', 'datasets', 'kitti_tiny_2d');

  beforeAll(async () => {
    await ensureCliBuilt();
    temp = await makeTempDir('cli-audit');
  });
  afterAll(async () => {
    await removeDir(temp);
  });

  it.each([
    [['audit', '--dataset', 'd'], /--model and --dataset are required/],
    [['audit', '--model', 'm.onnx', '--dataset', 'd', '--corruptions', 'rain'], /unknown: rain/],
    [['audit', '--model', 'm.onnx', '--dataset', 'd', '--severities', '7'], /severities 1..5/],
    [['audit', '--model', 'a.onnx', '--model', 'b.onnx', '--baseline', 'c.onnx', '--dataset', 'd'], /--baseline c.onnx must be one of the --model files/],
    [['audit', '--model', 'a.onnx', '--model', './a.onnx', '--dataset', 'd'], /a model is given twice/],
    [['audit', '--model', 'm.onnx', '--dataset', 'd', '--sample', '0'], /--sample must be an integer >= 1/],
  ])('%j', async (args, message) => {
    const run = await runOdra(args);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stdout).toBe('');
  });

  it('a class-counts file that is not a count map is named', async () => {
    const file = path.join(temp, 'counts.json');
    const { writeFile } = await import('node:fs/promises');
    await writeFile(file, '{"car": "many"}');
    const run = await runOdra(['audit', '--model', model, '--dataset', dataset, '--class-counts', file]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`${file} must map class names to non-negative integer counts`);
  });

  it('a --db that is a folder is named, before anything runs', async () => {
    const run = await runOdra(['audit', '--model', model, '--dataset', dataset, '--db', temp]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`cannot open the store ${temp}`);
  });
});
