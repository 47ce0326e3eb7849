/**
 * Reading shard stores for a merge, and checking that a set of shards covers one plan
 * exactly once.
 *
 * A shard store is an Odra store holding one finished shard audit (`odra audit --shard
 * I/N --db FILE`). It is opened read-only and never migrated or changed; it must pass
 * SQLite's `PRAGMA integrity_check`, hold exactly one shard audit, that audit must be done,
 * and its unit rows must number images x conditions x models (what its cell counters say
 * was written), so a damaged or unfinished store is refused before anything is merged.
 *
 * Set check (checkShardSet): every shard records the same plan fingerprint and shard
 * count (else: foreign, naming both files); no index twice, counting shards merged
 * before (else: duplicate, naming the files or the index); every index 0..N-1 present
 * unless a partial merge is allowed (else: missing, naming the indices). Errors are
 * BAD_INPUT (exit 2), each naming the files or indices at fault.
 */
import Database from 'better-sqlite3';
import type { Condition } from '../../shared/audits';
import { badInput, OdraError } from '../../shared/errors';

export interface ShardStoreModel {
  position: number;
  path: string;
  sha256: string;
  baseline: boolean;
  adapterJson: string;
  classMapJson: string;
  executionProvider: string | null;
  requestedProvider: string | null;
  providerWarning: string | null;
}

export interface ShardStoreAudit {
  file: string;
  auditId: number;
  planFingerprint: string;
  count: number;
  index: number;
  toolVersion: string;
  seed: number;
  sample: number | null;
  planJson: string;
  provenanceJson: string | null;
  dataset: { root: string; format: string; contentHash: string };
  models: ShardStoreModel[];
  conditions: Condition[];
  /** image ids in the shard's plan order */
  imageIds: number[];
}

export interface ShardUnit {
  conditionPos: number;
  modelPos: number;
  imagePos: number;
  detections: Uint8Array;
}

/** An open shard store; close it when done. */
export class ShardStore {
  private constructor(
    private readonly db: Database.Database,
    readonly audit: ShardStoreAudit,
  ) {}

  static open(file: string, nativeBinding?: string): ShardStore {
    let db: Database.Database;
    try {
      db = new Database(file, { readonly: true, fileMustExist: true, ...(nativeBinding ? { nativeBinding } : {}) });
    } catch (err) {
      const problem = err instanceof Error ? err.message : String(err);
      throw badInput(`cannot open the shard store ${file}: ${problem}`, [{ file, problem }], file);
    }
    try {
      return new ShardStore(db, readAudit(db, file));
    } catch (err) {
      db.close();
      if (err instanceof OdraError) throw err;
      // SQLite's own errors on a damaged file ("file is not a database", "malformed", a missing table)
      const problem = err instanceof Error ? err.message : String(err);
      throw badInput(`the shard store ${file} is damaged or not an Odra store: ${problem}`, [{ file, problem }], file);
    }
  }

  /** The shard's units, in (condition, model, image) order. */
  *units(): IterableIterator<ShardUnit> {
    const rows = this.db
      .prepare('SELECT condition_pos, model_pos, image_pos, detections FROM audit_units WHERE audit_id = ? ORDER BY condition_pos, model_pos, image_pos')
      .iterate(this.audit.auditId) as IterableIterator<{ condition_pos: number; model_pos: number; image_pos: number; detections: Buffer }>;
    for (const r of rows) {
      yield {
        conditionPos: r.condition_pos,
        modelPos: r.model_pos,
        imagePos: r.image_pos,
        detections: new Uint8Array(r.detections.buffer, r.detections.byteOffset, r.detections.byteLength),
      };
    }
  }

  inputDigests(): { conditionPos: number; imagePos: number; sha256: string }[] {
    return (
      this.db.prepare('SELECT condition_pos, image_pos, sha256 FROM audit_input_digests WHERE audit_id = ?').all(this.audit.auditId) as {
        condition_pos: number;
        image_pos: number;
        sha256: string;
      }[]
    ).map((r) => ({ conditionPos: r.condition_pos, imagePos: r.image_pos, sha256: r.sha256 }));
  }

  close(): void {
    this.db.close();
  }
}

function readAudit(db: Database.Database, file: string): ShardStoreAudit {
  const refuse = (problem: string): never => {
    throw badInput(`the shard store ${file} cannot be merged: ${problem}`, [{ file, problem }], file);
  };
  const integrity = (db.pragma('integrity_check') as { integrity_check: string }[]).map((r) => r.integrity_check);
  if (integrity.length !== 1 || integrity[0] !== 'ok') refuse(`SQLite's integrity check fails (${integrity.slice(0, 3).join('; ')})`);
  const hasShards = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'audit_shards'").get();
  if (!hasShards) refuse('it holds no shard audit (made by an Odra without shards, or not by odra audit --shard)');
  const shards = db.prepare('SELECT audit_id, plan_fingerprint, shard_count, shard_index FROM audit_shards WHERE shard_index IS NOT NULL').all() as {
    audit_id: number;
    plan_fingerprint: string;
    shard_count: number;
    shard_index: number;
  }[];
  if (shards.length === 0) refuse('it holds no shard audit (run odra audit --shard I/N --db on it)');
  if (shards.length > 1) refuse(`it holds ${shards.length} shard audits (${shards.map((s) => `${s.shard_index}/${s.shard_count}`).join(', ')}); give each shard its own --db`);
  const s = shards[0];
  const a = db
    .prepare(
      `SELECT a.status, a.tool_version, a.seed, a.sample, a.plan_json, a.provenance_json, a.units_total, d.root, d.format, d.content_hash
       FROM audits a JOIN datasets d ON d.id = a.dataset_id WHERE a.id = ?`,
    )
    .get(s.audit_id) as
    | {
        status: string;
        tool_version: string;
        seed: number;
        sample: number | null;
        plan_json: string;
        provenance_json: string | null;
        units_total: number;
        root: string;
        format: string;
        content_hash: string;
      }
    | undefined;
  if (!a) return refuse(`its shard record names audit ${s.audit_id}, which it does not hold`);
  const units = (db.prepare('SELECT COUNT(*) AS n FROM audit_units WHERE audit_id = ?').get(s.audit_id) as { n: number }).n;
  if (a.status !== 'done') {
    refuse(`shard ${s.shard_index}/${s.shard_count} is ${a.status} at ${units}/${a.units_total} units: finish it (run its odra audit --shard command again) before merging`);
  }
  if (units !== a.units_total) refuse(`shard ${s.shard_index}/${s.shard_count} is marked done but holds ${units} of its ${a.units_total} units`);
  const models = (
    db
      .prepare(
        `SELECT am.position, m.path, m.sha256, am.baseline, am.adapter_json, am.class_map_json, am.execution_provider, am.requested_provider, am.provider_warning
         FROM audit_models am JOIN models m ON m.id = am.model_id WHERE am.audit_id = ? ORDER BY am.position`,
      )
      .all(s.audit_id) as {
      position: number;
      path: string;
      sha256: string;
      baseline: number;
      adapter_json: string;
      class_map_json: string;
      execution_provider: string | null;
      requested_provider: string | null;
      provider_warning: string | null;
    }[]
  ).map((m) => ({
    position: m.position,
    path: m.path,
    sha256: m.sha256,
    baseline: m.baseline === 1,
    adapterJson: m.adapter_json,
    classMapJson: m.class_map_json,
    executionProvider: m.execution_provider,
    requestedProvider: m.requested_provider,
    providerWarning: m.provider_warning,
  }));
  const conditions = db.prepare('SELECT corruption, severity FROM audit_conditions WHERE audit_id = ? ORDER BY position').all(s.audit_id) as Condition[];
  const imageIds = (db.prepare('SELECT image_id FROM audit_images WHERE audit_id = ? ORDER BY position').all(s.audit_id) as { image_id: number }[]).map(
    (r) => r.image_id,
  );
  return {
    file,
    auditId: s.audit_id,
    planFingerprint: s.plan_fingerprint,
    count: s.shard_count,
    index: s.shard_index,
    toolVersion: a.tool_version,
    seed: a.seed,
    sample: a.sample,
    planJson: a.plan_json,
    provenanceJson: a.provenance_json,
    dataset: { root: a.root, format: a.format, contentHash: a.content_hash },
    models,
    conditions: conditions.map((c) => ({ corruption: c.corruption, severity: c.severity })),
    imageIds,
  };
}

export interface ShardSetCheck {
  count: number;
  planFingerprint: string;
  /** indices present after the merge (earlier ones included), ascending */
  covered: number[];
  missing: number[];
}

/**
 * Checks that the shards belong to one plan and, with `alreadyMerged` (shards an earlier
 * partial merge stored), cover it at most once and, unless `allowPartial`, completely.
 */
export function checkShardSet(
  shards: readonly Pick<ShardStoreAudit, 'file' | 'planFingerprint' | 'count' | 'index' | 'toolVersion'>[],
  options: { allowPartial: boolean; alreadyMerged?: readonly number[]; planFingerprint?: string; count?: number },
): ShardSetCheck {
  if (!shards.length) throw badInput('no shard stores to merge');
  const first = shards[0];
  const planFingerprint = options.planFingerprint ?? first.planFingerprint;
  const count = options.count ?? first.count;
  const foreign = shards.filter((s) => s.planFingerprint !== planFingerprint || s.count !== count);
  if (foreign.length) {
    const why = (s: (typeof shards)[number]): string =>
      s.count !== count
        ? `it is shard ${s.index}/${s.count}, the others are of ${count} shards`
        : `it belongs to another plan (fingerprint ${s.planFingerprint.slice(0, 12)}, expected ${planFingerprint.slice(0, 12)}; Odra ${s.toolVersion})`;
    throw badInput(
      `foreign shard${foreign.length > 1 ? 's' : ''}: ${foreign.map((s) => s.file).join(', ')} ${foreign.length > 1 ? 'do' : 'does'} not belong to the plan of ${options.planFingerprint ? 'the merged audit' : first.file}`,
      foreign.map((s) => ({ file: s.file, problem: why(s) })),
      foreign[0].file,
    );
  }
  const byIndex = new Map<number, string[]>();
  for (const s of shards) byIndex.set(s.index, [...(byIndex.get(s.index) ?? []), s.file]);
  const dup = [...byIndex.entries()].filter(([, files]) => files.length > 1);
  if (dup.length) {
    throw badInput(
      `duplicate shards: ${dup.map(([i, files]) => `shard ${i}/${count} is given ${files.length} times (${files.join(', ')})`).join('; ')}`,
      dup.flatMap(([i, files]) => files.map((file) => ({ file, problem: `shard ${i}/${count} again` }))),
      dup[0][1][1],
    );
  }
  const earlier = new Set(options.alreadyMerged ?? []);
  const again = shards.filter((s) => earlier.has(s.index));
  if (again.length) {
    throw badInput(
      `duplicate shards: ${again.map((s) => `shard ${s.index}/${count} (${s.file})`).join(', ')} ${again.length > 1 ? 'are' : 'is'} already merged into this store`,
      again.map((s) => ({ file: s.file, problem: `shard ${s.index}/${count} already merged` })),
      again[0].file,
    );
  }
  const covered = [...new Set([...earlier, ...shards.map((s) => s.index)])].sort((a, b) => a - b);
  const missing = Array.from({ length: count }, (_, i) => i).filter((i) => !covered.includes(i));
  if (missing.length && !options.allowPartial) {
    throw badInput(
      `missing shard${missing.length > 1 ? 's' : ''} ${missing.join(', ')} of ${count}: merge all ${count} shards, or give --allow-partial to store an incomplete merge that a later merge completes`,
    );
  }
  return { count, planFingerprint, covered, missing };
}
