/**
 * `odra demo-data`: writes the synthetic demo road scenes (COCO layout) to a folder.
 * Same --seed and image index, same bytes; see engine/demo/generate.ts.
 */
import { parseArgs } from 'node:util';
import { generateDemoDataset, type DemoDataSummary } from '../../engine/demo/generate';
import { progressReporter } from '../../engine/util/progress';
import { usageError } from '../cli-error';
import { stderrProgress } from '../progress-bar';

export const DEMO_DATA_USAGE = 'odra demo-data --out DIR [--images N] [--seed S] [--force] [--json]';

function integer(raw: string, what: string, lo: number, hi: number): number {
  const n = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || !Number.isInteger(n) || n < lo || n > hi) throw usageError(`${what} must be an integer from ${lo} to ${hi} (got "${raw}")`);
  return n;
}

function formatSummary(s: DemoDataSummary): string {
  const cats = Object.entries(s.perCategory)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  return [
    `wrote ${s.images} images (${s.width}x${s.height}, seed ${s.seed}) and ${s.annotations} annotations to ${s.out}`,
    `  boxes      ${cats}; crowd regions ${s.crowdRegions}`,
    `  lighting   day ${s.perTimeOfDay.day}, dusk ${s.perTimeOfDay.dusk}, night ${s.perTimeOfDay.night}`,
    `  speed      ${s.imagesPerSecond.toFixed(1)} images/s (${s.seconds.toFixed(1)} s)`,
  ].join('\n');
}

export async function demoDataCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      out: { type: 'string' },
      images: { type: 'string', default: '500' },
      seed: { type: 'string', default: '0' },
      force: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (!values.out) throw usageError(`--out is required\nusage: ${DEMO_DATA_USAGE}`);
  const images = integer(values.images, '--images', 1, 100_000);
  const seed = integer(values.seed, '--seed', 0, 0xffffffff);
  const bar = stderrProgress();
  const report = progressReporter('rendering scenes', images, bar.update);
  let summary: DemoDataSummary;
  try {
    summary = await generateDemoDataset({ out: values.out, images, seed, force: values.force, onProgress: (done) => report(done) });
  } finally {
    bar.end();
  }
  process.stdout.write(values.json ? `${JSON.stringify(summary)}\n` : `${formatSummary(summary)}\n`);
}
