/**
 * `odra audit --shard` parsing and the launch files of --emit: the Kubernetes manifest
 * parses as YAML and is an Indexed Job with completions = parallelism = N, the Slurm
 * script has --array=0-(N-1), and the command each runs goes back through odra audit's
 * own parser to the same audit with the shard index its engine gives.
 */
import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { parseAuditArgs, parseShard, shardDbPath } from '../../../../src/cli/commands/audit';
import { emitLaunchFile, perShardDb } from '../../../../src/cli/commands/audit-emit';

const BASE = [
  '--model', '/data/models/yolox_nano.onnx',
  '--model', '/data/models/nanodet_m.onnx',
  '--baseline', '/data/models/nanodet_m.onnx',
  '--dataset', '/data/kitti',
  '--corruptions', 'benchmark', '--severities', '1-5',
  '--seed', '7', '--sample', '500', '--threads', '2', '--bootstrap', '1000', '--json',
];

interface K8sJob {
  apiVersion: string;
  kind: string;
  spec: {
    completionMode: string;
    completions: number;
    parallelism: number;
    template: {
      spec: {
        restartPolicy: string;
        containers: {
          image: string;
          command: string[];
          args: string[];
          resources: { requests: Record<string, unknown>; limits: Record<string, unknown> };
          volumeMounts: { name: string; mountPath: string; readOnly?: boolean }[];
        }[];
        volumes: { name: string; persistentVolumeClaim: { claimName: string } }[];
      };
    };
  };
}

/** Splits the single-quoted words shellQuote writes (and bare words) back into arguments. */
function shellWords(line: string): string[] {
  const words: string[] = [];
  const re = /'((?:[^']|'\\'')*)'|(\S+)/g;
  for (let m = re.exec(line); m; m = re.exec(line)) words.push(m[1] !== undefined ? m[1].replace(/'\\''/g, "'") : m[2]);
  return words;
}

describe('--shard', () => {
  it('takes I/N, or N with the index from the environment', () => {
    expect(parseShard('2/5', undefined, {})).toEqual({ index: 2, count: 5 });
    expect(parseShard('5', undefined, { JOB_COMPLETION_INDEX: '3' })).toEqual({ index: 3, count: 5 });
    expect(parseShard('5', undefined, { SLURM_ARRAY_TASK_ID: '4' })).toEqual({ index: 4, count: 5 });
    expect(parseShard('5', 'CI_NODE_INDEX', { CI_NODE_INDEX: '1', JOB_COMPLETION_INDEX: '3' })).toEqual({ index: 1, count: 5 });
    expect(parseShard('5', undefined, {}, false)).toEqual({ index: null, count: 5 });
  });

  it('refuses a bad shard with a message saying why', () => {
    expect(() => parseShard('5/5', undefined, {})).toThrow(/index 5 must be below the shard count 5/);
    expect(() => parseShard('0/0', undefined, {})).toThrow(/at least 1/);
    expect(() => parseShard('a/3', undefined, {})).toThrow(/takes I\/N/);
    expect(() => parseShard('3', undefined, {})).toThrow(/JOB_COMPLETION_INDEX and SLURM_ARRAY_TASK_ID are not set/);
    expect(() => parseShard('3', 'CI_NODE_INDEX', { CI_NODE_INDEX: 'x' })).toThrow(/CI_NODE_INDEX="x" is not a shard index/);
    expect(() => parseShard('1/3', 'CI_NODE_INDEX', {})).toThrow(/not both/);
  });

  it('needs --db and --threads, and puts the index into {shard} of --db', () => {
    expect(() => parseAuditArgs([...BASE, '--shard', '1/3'], {})).toThrow(/--shard needs --db/);
    const noThreads = BASE.filter((a, i) => a !== '--threads' && BASE[i - 1] !== '--threads');
    expect(() => parseAuditArgs([...noThreads, '--shard', '1/3', '--db', 'x.db'], {})).toThrow(/--shard needs --threads/);
    expect(parseAuditArgs([...BASE, '--shard', '3', '--db', '/shards/s-{shard}.db'], { SLURM_ARRAY_TASK_ID: '2' })).toMatchObject({
      shard: { index: 2, count: 3 },
      db: '/shards/s-2.db',
    });
    expect(shardDbPath('a{shard}/b-{shard}.db', 7)).toBe('a7/b-7.db');
    expect(perShardDb('/x/audit.db')).toBe('/x/audit-{shard}.db');
    expect(perShardDb('run')).toBe('run-{shard}.db');
    expect(perShardDb('/x/s{shard}.sqlite')).toBe('/x/s{shard}.sqlite');
  });
});

describe('--emit', () => {
  const plain = parseAuditArgs([...BASE, '--db', 'audit.db'], {});

  it('writes a Kubernetes Indexed Job whose command is the same audit, one shard per completion index', () => {
    const argv = [...BASE, '--shard', '4', '--db', 'audit.db', '--emit', 'k8s', '--image', 'registry.example/odra:1', '--ep', 'cuda'];
    const job = load(emitLaunchFile('k8s', argv, parseAuditArgs(argv, {}))) as K8sJob;
    expect(job.apiVersion).toBe('batch/v1');
    expect(job.kind).toBe('Job');
    expect(job.spec.completionMode).toBe('Indexed');
    expect(job.spec.completions).toBe(4);
    expect(job.spec.parallelism).toBe(4);
    const pod = job.spec.template.spec;
    const c = pod.containers[0];
    expect(c.image).toBe('registry.example/odra:1');
    expect(c.resources.requests['nvidia.com/gpu']).toBe(1);
    expect(c.resources.limits['nvidia.com/gpu']).toBe(1);
    expect(pod.volumes.map((v) => v.persistentVolumeClaim.claimName)).toEqual(['odra-data', 'odra-shards']);
    expect(c.volumeMounts).toEqual([
      { name: 'data', mountPath: '/data', readOnly: true },
      { name: 'shards', mountPath: '/shards' },
    ]);
    expect(c.command).toEqual(['odra']);
    expect(c.args[0]).toBe('audit');
    for (const index of [0, 3]) {
      const parsed = parseAuditArgs(c.args.slice(1), { JOB_COMPLETION_INDEX: String(index) });
      expect(parsed.shard).toEqual({ index, count: 4 });
      expect(parsed.db).toBe(`/shards/audit-${index}.db`);
      expect(parsed.emit).toBeUndefined();
      // the same audit as the command given: everything but the shard and its store
      expect({ ...parsed, shard: null, db: plain.db, shardIndexEnv: undefined, ep: undefined }).toEqual(plain);
      expect(parsed.ep).toBe('cuda');
    }
  });

  it('asks for no GPU on the CPU provider', () => {
    const argv = [...BASE, '--shard', '2', '--db', '/stores/a.db', '--emit', 'k8s'];
    const job = load(emitLaunchFile('k8s', argv, parseAuditArgs(argv, {}))) as K8sJob;
    const c = job.spec.template.spec.containers[0];
    expect(c.resources.requests['nvidia.com/gpu']).toBeUndefined();
    expect(c.resources.requests.cpu).toBe('3');
    expect(c.volumeMounts[1].mountPath).toBe('/stores');
  });

  it('writes a Slurm array script of N tasks running the same audit, one shard per task', () => {
    const argv = [...BASE, '--dataset', "/data/it's here", '--shard', '6', '--db', 'runs/s{shard}.db', '--emit', 'slurm'];
    const script = emitLaunchFile('slurm', argv, parseAuditArgs(argv, {}));
    expect(script.startsWith('#!/bin/bash\n')).toBe(true);
    const directives = script.split('\n').filter((l) => l.startsWith('#SBATCH'));
    expect(directives).toContain('#SBATCH --array=0-5');
    expect(directives.some((l) => l.startsWith('#SBATCH --gres'))).toBe(false);
    const line = script.split('\n').find((l) => l.startsWith('exec '))!;
    const words = shellWords(line);
    expect(words.slice(0, 3)).toEqual(['exec', '${ODRA:-odra}', 'audit']);
    const parsed = parseAuditArgs(words.slice(3), { SLURM_ARRAY_TASK_ID: '5' });
    expect(parsed.shard).toEqual({ index: 5, count: 6 });
    expect(parsed.shardIndexEnv).toBe('SLURM_ARRAY_TASK_ID');
    expect(parsed.db).toBe('runs/s5.db');
    expect(parsed.dataset).toBe("/data/it's here");
    expect(parsed.modelPaths).toEqual(plain.modelPaths);
    expect(parsed.selection).toEqual(plain.selection);
    expect([parsed.seed, parsed.sample, parsed.threads, parsed.bootstrap, parsed.baselineIndex]).toEqual([7, 500, 2, 1000, 1]);
  });

  it('needs the shard count', () => {
    expect(() => parseAuditArgs([...BASE, '--db', 'a.db', '--emit', 'k8s'], {})).toThrow(/--emit needs --shard N/);
    expect(() => parseAuditArgs([...BASE, '--db', 'a.db', '--shard', '3', '--emit', 'nomad'], {})).toThrow(/--emit takes k8s or slurm/);
  });
});
