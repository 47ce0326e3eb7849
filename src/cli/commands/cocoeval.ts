import { parseArgs } from 'node:util';
import { accumulate, evaluate, indexGroundTruth, summarize } from '../../engine/cocoeval/cocoeval';
import { streamCocoGroundTruth, streamCocoResults } from '../../engine/datasets/coco-results';
import { badInput } from '../../shared/errors';
import { usageError } from '../cli-error';

/**
 * `odra cocoeval`: pycocotools' bbox evaluation of a results file against a COCO
 * ground-truth file. Both files are read as streams (datasets/coco-results.ts), so
 * their size is not limited by V8's string length.
 */
export const COCOEVAL_USAGE = 'odra cocoeval --gt GT.json --dt DT.json [--json]';

export async function cocoevalCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: { gt: { type: 'string' }, dt: { type: 'string' }, json: { type: 'boolean', default: false } },
    strict: true,
  });
  if (!values.gt || !values.dt) throw usageError(`--gt and --dt are required\nusage: ${COCOEVAL_USAGE}`);
  const gt = await streamCocoGroundTruth(values.gt);
  const dets = await streamCocoResults(values.dt);
  let result;
  try {
    const gtIndex = indexGroundTruth(gt);
    const ev = evaluate(gtIndex, dets.finish(gtIndex));
    result = summarize(accumulate(ev.images, ev.setup));
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
