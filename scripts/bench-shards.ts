/**
 * `npm run bench:shards`: one audit run whole and as N shards at once on this machine,
 * then merged (issue 14).
 *
 *   node --import tsx scripts/bench-shards.ts [--images 24] [--shards 3] [--threads 1]
 *        [--corruptions gaussian_noise,fog] [--severities 3] [--bootstrap 1000]
 *
 * The audit: YOLOX-Nano on a seeded sample of the shared COCO driving val set (clean +
 * the corruptions). Measured (wall clock, real `odra` processes, each with its own store):
 *   whole_s   `odra audit` unsharded, including its analysis (bootstrap)
 *   shards_s  N `odra audit --shard I/N` processes started together, until the last ends
 *   merge_s   `odra merge` of the N stores: checks, copy, scoring, analysis
 *   whole_units_per_s  units / whole_s (start-up, file checks and analysis included)
 * The merged result is checked equal to the whole run's (numbers and intervals). The
 * load average is reported beside the timings: this is a shared machine.
 * Progress goes to stderr; the last stdout line is one JSON object.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';

const ROOT = path.resolve(import.meta.dirname, '..');
const BIN = path.join(ROOT, 'bin', 'odra.mjs');
const SHARED = path.resolve(ROOT, '..', 'shared', 'data');

const { values } = parseArgs({
  options: {
    images: { type: 'string', default: '24' },
    shards: { type: 'string', default: '3' },
    threads: { type: 'string', default: '1' },
    corruptions: { type: 'string', default: 'gaussian_noise,fog' },
    severities: { type: 'string', default: '3' },
    bootstrap: { type: 'string', default: '1000' },
  },
});
const n = Number(values.shards);

function odra(args: string[]): Promise<{ seconds: number; stdout: string }> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [BIN, ...args], { maxBuffer: 256 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`odra ${args.join(' ')} failed: ${stderr.slice(-2000)}`));
      else resolve({ seconds: (performance.now() - t0) / 1000, stdout });
    });
  });
}

const strip = (json: string): string => {
  const r = JSON.parse(json) as { audit: Record<string, unknown> };
  delete r.audit.id;
  delete r.audit.name;
  delete r.audit.provenance;
  return JSON.stringify(r);
};

async function main(): Promise<void> {
  const work = mkdtempSync(path.join(os.tmpdir(), 'odra-bench-shards-'));
  try {
    const audit = [
      'audit',
      '--model', path.join(SHARED, 'models', 'yolox_nano', 'yolox_nano.onnx'),
      '--dataset', path.join(SHARED, 'datasets', 'coco128_val2017_driving'),
      '--corruptions', values.corruptions, '--severities', values.severities,
      '--sample', values.images, '--seed', '11', '--threads', values.threads, '--bootstrap', values.bootstrap, '--json',
    ];
    const load = [os.loadavg()[0]];
    process.stderr.write('whole audit...\n');
    const whole = await odra([...audit, '--db', path.join(work, 'whole.db')]);
    load.push(os.loadavg()[0]);
    process.stderr.write(`${n} shards at once...\n`);
    const t0 = performance.now();
    await Promise.all(Array.from({ length: n }, (_, i) => odra([...audit, '--shard', `${i}/${n}`, '--db', path.join(work, 'shard-{shard}.db')])));
    const shardsSeconds = (performance.now() - t0) / 1000;
    load.push(os.loadavg()[0]);
    process.stderr.write('merge...\n');
    const merge = await odra(['merge', '--db', path.join(work, 'merged.db'), '--bootstrap', values.bootstrap, '--json', ...Array.from({ length: n }, (_, i) => path.join(work, `shard-${i}.db`))]);
    load.push(os.loadavg()[0]);
    const result = JSON.parse(whole.stdout) as { audit: { images: number; conditions: number } };
    const units = result.audit.images * result.audit.conditions;
    process.stdout.write(
      `${JSON.stringify({
        images: result.audit.images,
        conditions: result.audit.conditions,
        models: 1,
        units,
        shards: n,
        threads: Number(values.threads),
        cores: os.availableParallelism(),
        whole_s: Number(whole.seconds.toFixed(2)),
        shards_s: Number(shardsSeconds.toFixed(2)),
        merge_s: Number(merge.seconds.toFixed(2)),
        whole_units_per_s: Number((units / whole.seconds).toFixed(3)),
        merged_equals_whole: strip(merge.stdout) === strip(whole.stdout),
        load_average_1m: load.map((l) => Number(l.toFixed(2))),
      })}\n`,
    );
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

void main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
