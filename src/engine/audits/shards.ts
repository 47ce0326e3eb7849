/**
 * Shards of an audit plan as pure functions: which images shard I of N runs, and the
 * fingerprint every shard of one plan shares.
 *
 * Partition: the plan's images are ranked by their content hash (the image file's
 * SHA-256, as imported; ties, i.e. identical files, by image id) and image of rank r goes
 * to shard r mod N. So
 *   - every image is in exactly one shard (r mod N is a function of r);
 *   - the partition depends only on the set of (id, hash) pairs, not on the order the list
 *     is given in, so shards of the same plan agree without coordination;
 *   - shard sizes differ by at most one image (floor(n/N) or ceil(n/N));
 *   - a shard is a spread of the dataset (hash order is unrelated to file names or
 *     sequences), so shards take about the same time.
 * Within a shard the images keep plan order (ascending id). A shard of an empty list is
 * empty; N may exceed the image count (some shards are then empty).
 *
 * Shard plan fingerprint: SHA-256 over the audit's plan fingerprint (plan.ts: models'
 * sha256, baseline, dataset hash, audited image ids, conditions, seed, provider, threads,
 * corruption catalogue), the sample size and Odra's version, so shards made by another
 * Odra version, another sample or another plan never merge. The shard's own audit
 * fingerprint adds `shard I/N`, so re-running the same shard command resumes that shard.
 */
import { createHash } from 'node:crypto';

export interface ShardImage {
  id: number;
  /** content hash of the image file */
  sha256: string;
}

export interface ShardSpec {
  index: number;
  count: number;
}

export function checkShard(spec: ShardSpec): void {
  if (!Number.isInteger(spec.count) || spec.count < 1) throw new RangeError(`the shard count must be a positive integer, got ${spec.count}`);
  if (!Number.isInteger(spec.index) || spec.index < 0 || spec.index >= spec.count) {
    throw new RangeError(`the shard index must be an integer in 0..${spec.count - 1}, got ${spec.index}`);
  }
}

/** Shard index of every image id, by content-hash rank mod count. */
export function shardAssignment(images: readonly ShardImage[], count: number): Map<number, number> {
  checkShard({ index: 0, count });
  const ranked = [...images].sort((a, b) => (a.sha256 < b.sha256 ? -1 : a.sha256 > b.sha256 ? 1 : a.id - b.id));
  return new Map(ranked.map((im, rank) => [im.id, rank % count]));
}

/** Image ids of shard `index` of `count`, ascending (plan order). */
export function shardImages(images: readonly ShardImage[], spec: ShardSpec): number[] {
  checkShard(spec);
  const assignment = shardAssignment(images, spec.count);
  return images
    .filter((im) => assignment.get(im.id) === spec.index)
    .map((im) => im.id)
    .sort((a, b) => a - b);
}

/** The fingerprint every shard of one plan records (see the header). */
export function shardPlanFingerprint(auditFingerprint: string, sample: number | null, odraVersion: string): string {
  return createHash('sha256').update(`odra-shard-plan-v1\nplan ${auditFingerprint}\nsample ${sample ?? 'all'}\nodra ${odraVersion}\n`).digest('hex');
}

/** The audit fingerprint of one shard (what `odra audit --shard I/N` resumes by). */
export function shardAuditFingerprint(planFingerprint: string, spec: ShardSpec): string {
  return createHash('sha256').update(`odra-shard-v1\n${planFingerprint}\nshard ${spec.index}/${spec.count}\n`).digest('hex');
}
