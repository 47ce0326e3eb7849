import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, removeDir } from '../../../helpers/broken-datasets';
import { ensureCliBuilt, runOdra } from '../../../helpers/odra-cli';
import { sharedPath } from '../../../helpers/shared';
import { materialise } from '../../../helpers/dataset-fixtures';

interface EvalJson {
  class_map: { version: number; categories: { name: string; datasetCategories: number[]; modelClasses: string[]; ignore: number[] }[] };
  unmapped_categories: string[];
  per_category: { id: number; name: string; num_gt: number; datasetCategories?: string[]; ignoring?: string[] }[];
}

describe.concurrent('odra eval --class-map', () => {
  let temp: string;
  let kitti: string;
  const model = sharedPath('data', 'models', 'yolox_nano', 'yolox_nano.onnx');

  beforeAll(async () => {
    await ensureCliBuilt();
    temp = await makeTempDir('cli-class-map');
    kitti = (await materialise('kitti', path.join(temp, 'kitti'))).dir;
  });
  afterAll(async () => {
    await removeDir(temp);
  });

  async function mapFile(name: string, json: unknown): Promise<string> {
    const file = path.join(temp, name);
    await writeFile(file, JSON.stringify(json));
    return file;
  }

  it('a first-format map that sends one class to two categories exits 2, naming the file and the double counting', async () => {
    const file = await mapFile('twice.json', { Car: 'car', Van: 'car', Pedestrian: ['person'] });
    const run = await runOdra(['eval', '--model', model, '--dataset', kitti, '--class-map', file, '--json']);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(`odra: ${file} does not fit this model and dataset`);
    expect(run.stderr).toMatch(/model class "car" is mapped to "Car" and "Van": every car detection would be scored twice/);
  });

  it('format 2 with a merge and an ignore rule (categories by name) is scored as written', async () => {
    const file = await mapFile('merge.json', {
      version: 2,
      categories: [
        { name: 'vehicle', datasetCategories: ['Car', 'Van'], modelClasses: ['car'] },
        { name: 'Pedestrian', datasetCategories: ['Pedestrian'], modelClasses: 'person', ignore: ['Person_sitting', 'Cyclist'] },
      ],
    });
    const run = await runOdra(['eval', '--model', model, '--dataset', kitti, '--class-map', file, '--json', '--threads', '1']);
    expect(run.code, run.stderr).toBe(0);
    const out = JSON.parse(run.stdout) as EvalJson;
    expect(out.per_category.map((c) => [c.name, c.num_gt, c.datasetCategories, c.ignoring])).toEqual([
      ['vehicle', 3, ['Car', 'Van'], undefined],
      ['Pedestrian', 1, undefined, ['Person_sitting', 'Cyclist']],
    ]);
    expect(out.class_map.version).toBe(2);
    expect(out.unmapped_categories).toEqual(['Truck', 'Person_sitting', 'Cyclist', 'Tram', 'Misc']);
  });

  it('a first-format map without double counting still works', async () => {
    const file = await mapFile('old.json', { '1': ['car'], Pedestrian: 'person' });
    const run = await runOdra(['eval', '--model', model, '--dataset', kitti, '--class-map', file, '--json', '--threads', '1']);
    expect(run.code, run.stderr).toBe(0);
    const out = JSON.parse(run.stdout) as EvalJson;
    expect(out.per_category.map((c) => c.name)).toEqual(['Car', 'Pedestrian']);
  });

  it('a class the model does not have exits 2 naming the file', async () => {
    const file = await mapFile('unknown.json', { version: 2, categories: [{ datasetCategories: [1], modelClasses: ['automobile'] }] });
    const run = await runOdra(['eval', '--model', model, '--dataset', kitti, '--class-map', file]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`${file} does not fit this model and dataset`);
    expect(run.stderr).toContain('"automobile" is not one of the model\'s classes');
  });
});
