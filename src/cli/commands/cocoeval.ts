import { parseArgs } from 'node:util';
import { evaluateCoco, type CocoDetection, type CocoGroundTruth } from '../../engine/cocoeval/cocoeval';
import { readJson } from '../../engine/datasets/coco-import';
import { cocoResultsSchema } from '../../engine/datasets/coco-schema';
import { badInput } from '../../shared/errors';
import { usageError } from '../cli-error';

export const COCOEVAL_USAGE = 'odra cocoeval --gt GT.json --dt DT.json [--json]';

export async function cocoevalCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: { gt: { type: 'string' }, dt: { type: 'string' }, json: { type: 'boolean', default: false } },
    strict: true,
  });
  if (!values.gt || !values.dt) throw usageError(`--gt and --dt are required\nusage: ${COCOEVAL_USAGE}`);
  const gt = await readJson(values.gt);
  const dt = await readJson(values.dt);
  if (typeof gt !== 'object' || gt === null || !['images', 'annotations', 'categories'].every((k) => Array.isArray((gt as Record<string, unknown>)[k]))) {
    throw badInput(`${values.gt} is not a COCO ground-truth file (needs images, annotations, categories)`, [], values.gt);
  }
  const dets = cocoResultsSchema.safeParse(dt);
  if (!dets.success) {
    const problems = dets.error.issues.slice(0, 20).map((i) => ({ file: values.dt, problem: `entry ${i.path.join('.')}: ${i.message}` }));
    throw badInput(`${values.dt} is not a COCO results list ([{image_id, category_id, bbox, score}, ...])`, problems, values.dt);
  }
  let result;
  try {
    result = evaluateCoco(gt as CocoGroundTruth, dets.data as CocoDetection[]);
  } catch (err) {
    throw badInput(`${values.dt}: ${(err as Error).message}`, [], values.dt);
  }
  const out = { stats: result.stats, per_category: result.per_category };
  if (values.json) {
    process.stdout.write(`${JSON.stringify(out)}\n`);
    return;
  }
  for (const [k, v] of Object.entries(result.stats)) process.stdout.write(`${k.padEnd(6)} ${v.toFixed(4)}\n`);
}
