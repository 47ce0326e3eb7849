/**
 * `odra audit … --shard N --emit k8s|slurm`: prints (never submits) a launch file that runs
 * the N shards of the audit on a batch engine the team already runs, each shard being
 * the same `odra audit … --shard N --shard-index-env VAR` command into its own store.
 *
 * Kubernetes: a batch/v1 Indexed Job (completionMode Indexed, completions = parallelism =
 * N); the shard index is the pod's JOB_COMPLETION_INDEX. The image (--image, default
 * `odra:<version>`, built from the repository's Dockerfile) has `odra` as its entrypoint.
 * Volumes: the PersistentVolumeClaim `odra-data` mounted read-only at /data (the working
 * directory: relative model and dataset paths are relative to it) and `odra-shards`
 * mounted read-write where the shard stores go (a relative --db goes under /shards).
 * Requests: --threads + 1 CPUs (ORT's threads and the corruption pool's dispatcher;
 * default 2) and 4 GiB of memory (an audit measured under 1 GiB peak RSS, bench:audit);
 * `nvidia.com/gpu: 1` when --ep cuda or tensorrt is asked. restartPolicy OnFailure: a
 * restarted shard resumes from its last stored unit (the same command on the same --db).
 *
 * Slurm: a batch script with `#SBATCH --array=0-(N-1)`; the shard index is
 * SLURM_ARRAY_TASK_ID; paths are as given (a shared file system); `ODRA` may name another
 * launcher (e.g. `apptainer exec odra.sif odra`). Every argument is single-quoted.
 *
 * Both keep every option of the given command except --emit/--image, replace --shard by
 * the count, and make the store name per shard (`{shard}` in --db, added before the
 * extension when absent).
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { dump } from 'js-yaml';
import { ODRA_VERSION } from '../../engine/util/version';
import type { ParsedAuditArgs } from './audit';
import { AUDIT_OPTIONS } from './audit-options';

const DROPPED = new Set(['emit', 'image', 'shard', 'shard-index-env', 'db']);

/** The per-shard store name: `{shard}` kept, or added before the extension. */
export function perShardDb(db: string): string {
  if (db.includes('{shard}')) return db;
  const ext = path.extname(db);
  return `${db.slice(0, db.length - ext.length)}-{shard}${ext || '.db'}`;
}

/** The command's options in order, without the emit-only ones and without --shard/--db. */
function keptArgs(argv: string[]): string[] {
  const { tokens } = parseArgs({ args: argv, options: AUDIT_OPTIONS, strict: true, tokens: true });
  const out: string[] = [];
  for (const t of tokens) {
    if (t.kind !== 'option' || DROPPED.has(t.name)) continue;
    out.push(`--${t.name}`);
    if (t.value !== undefined) out.push(t.value);
  }
  return out;
}

/** The shard command's arguments after `odra` (audit …), for a store path and index variable. */
export function shardCommand(argv: string[], args: ParsedAuditArgs, db: string, indexEnv: string): string[] {
  return ['audit', ...keptArgs(argv), '--shard', String(args.shard!.count), '--shard-index-env', indexEnv, '--db', db];
}

const needsGpu = (ep: string | undefined): boolean => ep === 'cuda' || ep === 'tensorrt';

export function emitLaunchFile(kind: 'k8s' | 'slurm', argv: string[], args: ParsedAuditArgs): string {
  return kind === 'k8s' ? emitK8s(argv, args) : emitSlurm(argv, args);
}

function emitK8s(argv: string[], args: ParsedAuditArgs): string {
  const n = args.shard!.count;
  const given = perShardDb(args.db!);
  const db = path.posix.isAbsolute(given) ? given : path.posix.join('/shards', given);
  const cpus = (args.threads ?? 1) + 1;
  const command = shardCommand(argv, args, db, 'JOB_COMPLETION_INDEX');
  const job = {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: 'odra-audit', labels: { app: 'odra', 'odra/shards': String(n) } },
    spec: {
      completionMode: 'Indexed',
      completions: n,
      parallelism: n,
      backoffLimit: n * 3,
      template: {
        metadata: { labels: { app: 'odra' } },
        spec: {
          restartPolicy: 'OnFailure',
          containers: [
            {
              name: 'odra',
              image: args.image ?? `odra:${ODRA_VERSION}`,
              workingDir: '/data',
              command: ['odra'],
              args: command,
              resources: {
                requests: { cpu: String(cpus), memory: '4Gi', ...(needsGpu(args.ep) ? { 'nvidia.com/gpu': 1 } : {}) },
                limits: { memory: '8Gi', ...(needsGpu(args.ep) ? { 'nvidia.com/gpu': 1 } : {}) },
              },
              volumeMounts: [
                { name: 'data', mountPath: '/data', readOnly: true },
                { name: 'shards', mountPath: path.posix.dirname(db) },
              ],
            },
          ],
          volumes: [
            { name: 'data', persistentVolumeClaim: { claimName: 'odra-data', readOnly: true } },
            { name: 'shards', persistentVolumeClaim: { claimName: 'odra-shards' } },
          ],
        },
      },
    },
  };
  const header = [
    `# odra ${ODRA_VERSION}: ${n} shards of one audit as a Kubernetes Indexed Job (printed, not submitted).`,
    '# Submit: kubectl apply -f this.yaml; wait: kubectl wait --for=condition=complete job/odra-audit --timeout=24h',
    `# Merge: odra merge --db audit.db ${db.replace('{shard}', '*')}   (from where the odra-shards volume is mounted)`,
  ];
  return `${header.join('\n')}\n${dump(job, { lineWidth: -1, noRefs: true })}`;
}

/** Single-quoted for sh: every character literal. */
export function shellQuote(s: string): string {
  return /^[A-Za-z0-9_./:=,+@%{}-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

function emitSlurm(argv: string[], args: ParsedAuditArgs): string {
  const n = args.shard!.count;
  const db = perShardDb(args.db!);
  const command = shardCommand(argv, args, db, 'SLURM_ARRAY_TASK_ID');
  return [
    '#!/bin/bash',
    `# odra ${ODRA_VERSION}: ${n} shards of one audit as a Slurm job array (printed, not submitted).`,
    '# Submit: sbatch this.sh; a failed task is resubmitted with sbatch --array=I this.sh and resumes its store.',
    `# Merge: odra merge --db audit.db ${db.replace('{shard}', '*')}`,
    '#SBATCH --job-name=odra-audit',
    `#SBATCH --array=0-${n - 1}`,
    '#SBATCH --ntasks=1',
    `#SBATCH --cpus-per-task=${(args.threads ?? 1) + 1}`,
    '#SBATCH --mem=4G',
    ...(needsGpu(args.ep) ? ['#SBATCH --gres=gpu:1'] : []),
    '#SBATCH --output=odra-audit-%A_%a.log',
    'set -euo pipefail',
    `exec \${ODRA:-odra} ${command.map(shellQuote).join(' ')}`,
    '',
  ].join('\n');
}
