/**
 * The audit plan as pure functions: which images, in which order the work is done, and
 * the seed of every corrupted image.
 *
 * Images: all of the dataset, or a seeded sample of N. The sample takes the N images
 * with the smallest FNV-1a 32 of `${seed}|sample|${imageKey}` (ties by image id), where
 * imageKey = `${datasetHash}:${imageId}` (corruptions/seed.ts): a pure function of the
 * seed and the dataset's content, so the same command picks the same images anywhere.
 * Plan order is ascending image id (the order pycocotools accumulates in).
 *
 * Work order (the executor's blocks): image-major WITHIN a corruption block. The clean
 * condition is the first block; then one block per corruption holding all of its
 * audited severities. In a block every image is decoded once, each (image, condition)
 * corrupted once and fed to every model, so all cells of a block (models x its
 * severities) finish together and only one block's work is in flight. Decoding is
 * repeated once per block (1 + corruptions decodes per image instead of 1): a few per
 * cent of the work, bought for bounded memory and cells that complete block by block.
 *
 * Seeds: corruptionSeed(auditSeed, imageKey, corruption, severity), the one seed function
 * (corruptions/seed.ts), so `odra corrupt --audit` and previews reproduce the pixels.
 *
 * The fingerprint identifies what an audit computes: model file hashes in order, the
 * baseline, the dataset's content hash, the audited image ids, the conditions, the seed,
 * the requested execution provider, onnxruntime's intra-op thread count and the
 * corruption catalogue version. The thread count is in it because it changes numbers:
 * onnxruntime's CPU kernels give NanoDet-m different float outputs with 1 thread than
 * with 2 or more (measured; YOLOX-Nano's do not change), so it is fixed when the audit
 * is planned and every run of the audit uses it, on any machine. Batch size and worker
 * count are not in it: they change no number (the determinism test holds them to that).
 * The CLI resumes the unfinished audit with the same fingerprint; sharded runs compare
 * fingerprints.
 */
import { createHash } from 'node:crypto';
import type { Condition } from '../../shared/audits';
import { fnv1a32 } from '../../shared/prng';
import { corruptionSeed, imageKey } from '../corruptions/seed';

/** Image ids of the audit in plan order (ascending). `sample` absent or >= the count: all. */
export function sampleImages(imageIds: readonly number[], datasetHash: string, seed: number, sample?: number | null): number[] {
  const sorted = [...imageIds].sort((a, b) => a - b);
  if (sample === undefined || sample === null || sample >= sorted.length) return sorted;
  if (!(Number.isInteger(sample) && sample > 0)) throw new RangeError(`sample must be a positive integer, got ${sample}`);
  const ranked = sorted.map((id) => ({ id, key: fnv1a32(`${seed}|sample|${imageKey(datasetHash, id)}`) }));
  ranked.sort((a, b) => a.key - b.key || a.id - b.id);
  return ranked
    .slice(0, sample)
    .map((r) => r.id)
    .sort((a, b) => a - b);
}

/** One corruption (or clean) with the indices of its conditions in the audit's list. */
export interface Block {
  corruption: Condition['corruption'];
  /** condition indices, severities ascending */
  conditions: number[];
}

/** Blocks in work order: clean first, then corruptions in the order the condition list gives them. */
export function planBlocks(conditions: readonly Condition[]): Block[] {
  const blocks: Block[] = [];
  const byName = new Map<string, Block>();
  conditions.forEach((c, index) => {
    let block = byName.get(c.corruption);
    if (!block) {
      block = { corruption: c.corruption, conditions: [] };
      byName.set(c.corruption, block);
      blocks.push(block);
    }
    block.conditions.push(index);
  });
  const clean = blocks.findIndex((b) => b.corruption === 'clean');
  if (clean > 0) blocks.unshift(...blocks.splice(clean, 1));
  for (const b of blocks) b.conditions.sort((x, y) => conditions[x].severity - conditions[y].severity);
  return blocks;
}

/** The seed of the corrupted image of one (image, condition); clean images have none (0). */
export function unitSeed(auditSeed: number, datasetHash: string, imageId: number, condition: Condition): number {
  if (condition.corruption === 'clean') return 0;
  return corruptionSeed(auditSeed, imageKey(datasetHash, imageId), condition.corruption, condition.severity);
}

export interface FingerprintInput {
  modelSha256: readonly string[];
  baseline: number;
  datasetHash: string;
  imageIds: readonly number[];
  conditions: readonly Condition[];
  seed: number;
  executionProvider: string;
  /** onnxruntime intra-op threads */
  threads: number;
  corruptionCatalogueVersion: string;
}

/** SHA-256 over a canonical text of what the audit computes (see the header). */
export function planFingerprint(p: FingerprintInput): string {
  const h = createHash('sha256');
  h.update('odra-audit-plan-v1\n');
  h.update(`models ${p.modelSha256.join(' ')}\nbaseline ${p.baseline}\n`);
  h.update(`dataset ${p.datasetHash}\nseed ${p.seed >>> 0}\nep ${p.executionProvider}\nthreads ${p.threads}\ncatalogue ${p.corruptionCatalogueVersion}\n`);
  h.update(`conditions ${p.conditions.map((c) => `${c.corruption}:${c.severity}`).join(' ')}\n`);
  h.update(`images ${p.imageIds.join(' ')}\n`);
  return h.digest('hex');
}

/** Units of an audit: images x conditions x models. */
export function unitCount(images: number, conditions: number, models: number): number {
  return images * conditions * models;
}
