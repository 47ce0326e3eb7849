/**
 * `odra merge --db OUT.db SHARD.db…`: merges the stores of `odra audit --shard I/N` runs
 * into one audit of the whole plan in OUT (contract: audits.merge), scores it once over
 * the whole plan, and prints its result as `odra audit` does (--json: the same object).
 *
 * Refused with exit 2, naming the files or shard indices, before OUT changes: a damaged
 * or unfinished shard store, a shard of another plan (foreign), a shard given twice or
 * already merged (duplicate), missing shards without --allow-partial. With
 * --allow-partial an incomplete merge is stored, marked partial (odra audit on OUT says
 * which shards are missing), and a later `odra merge --db OUT.db` of the rest completes it.
 * After a complete merge, the unsharded `odra audit …` command on OUT prints the stored
 * result without computing anything.
 */
import { parseArgs } from 'node:util';
import { badInput, OdraError } from '../../shared/errors';
import { Engine } from '../../engine/engine';
import { inProcessClient } from '../../engine/rpc/in-process';
import { usageError } from '../cli-error';
import { stderrProgress } from '../progress-bar';
import { formatResult } from './audit';

export const MERGE_USAGE = 'odra merge --db OUT.db [--allow-partial] [--bootstrap N] [--json] SHARD.db [SHARD.db ...]';

export async function mergeCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      db: { type: 'string' },
      'allow-partial': { type: 'boolean', default: false },
      bootstrap: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
    allowPositionals: true,
    strict: true,
  });
  if (!values.db || !positionals.length) throw usageError(`--db OUT.db and at least one shard store are required\nusage: ${MERGE_USAGE}`);
  const bootstrap = values.bootstrap === undefined ? 1000 : Number(values.bootstrap);
  if (!Number.isInteger(bootstrap) || bootstrap < 0) throw usageError(`--bootstrap must be an integer >= 0 (got "${values.bootstrap}")`);
  let engine: Engine;
  try {
    engine = new Engine({ dbPath: values.db });
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw badInput(`cannot open the store ${values.db}: ${reason}`, [{ file: values.db, problem: reason }], values.db);
  }
  const client = inProcessClient(engine);
  const bar = stderrProgress();
  try {
    const t0 = performance.now();
    const merged = await client.call('audits.merge', { stores: positionals, allowPartial: values['allow-partial'] ?? false }, { onProgress: bar.update });
    bar.end();
    const id = merged.audit.id;
    const copySeconds = (performance.now() - t0) / 1000;
    if (merged.missing.length) {
      process.stderr.write(
        `odra: stored a PARTIAL merge as audit ${id}: shards ${merged.merged.join(', ')} of ${merged.audit.shard?.count}; missing ${merged.missing.join(', ')} ` +
          `(merge them with odra merge --db ${values.db} SHARD.db... to complete it)\n`,
      );
      if (values.json) process.stdout.write(`${JSON.stringify({ audit: merged.audit, merged: merged.merged, missing: merged.missing, partial: true })}\n`);
      return;
    }
    process.stderr.write(`odra: merged ${positionals.length} shard store(s) into audit ${id} in ${copySeconds.toFixed(2)} s; scoring the whole plan\n`);
    const info = await client.call(
      'jobs.watch',
      { id: merged.jobId! },
      {
        onEvent: (e) => {
          if (e.type === 'progress') bar.update({ stage: e.progress.stage, done: e.progress.done, total: e.progress.total, etaSeconds: e.progress.etaSeconds });
        },
      },
    );
    bar.end();
    if (info.status !== 'done') throw new OdraError(info.errorCode ?? 'INTERNAL', info.error ?? `scoring the merged audit ${id} ended ${info.status}: its units are stored; run the unsharded odra audit command with --db ${values.db} to finish scoring`);
    if (bootstrap > 0) process.stderr.write(`odra: analysing (${bootstrap} bootstrap resamples)\n`);
    const result = await client.call('audits.result', { id, bootstrap });
    process.stderr.write(`odra: merge done in ${((performance.now() - t0) / 1000).toFixed(2)} s\n`);
    if (values.json) process.stdout.write(`${JSON.stringify(result)}\n`);
    else process.stdout.write(formatResult(result));
  } finally {
    bar.end();
    await engine.close();
  }
}
