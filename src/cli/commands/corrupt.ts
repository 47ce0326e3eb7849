/**
 * `odra corrupt`: one image corruption at a severity, written as PNG. The seed is the
 * one an audit uses (corruptions/seed.ts: corruptionSeed(seed, imageKey, corruption,
 * severity)), with the image key given in one of three ways:
 *
 *   --db FILE --audit ID --image-id N   the audit's own seed, dataset hash and image: the
 *                                       exact pixels that audit fed its models
 *   --input IN --dataset-hash H --image-id N [--seed S]
 *                                       an explicit key (a copy of a dataset image)
 *   --input IN [--seed S]               a standalone image: the key is the file's name
 */
import { parseArgs } from 'node:util';
import { CORRUPTIONS, CORRUPTION_NAMES, isCorruptionName, type Severity } from '../../shared/corruptions';
import { badInput } from '../../shared/errors';
import { AuditRepo } from '../../engine/audits/audit-repo';
import { DatasetRepo } from '../../engine/datasets/dataset-repo';
import { corruptionSeed, fileImageKey, imageKey } from '../../engine/corruptions/seed';
import { CorruptionPool } from '../../engine/corruptions/pool';
import { decodeImage, encodePng } from '../../engine/images/decode';
import { openDatabase } from '../../engine/store/database';
import { usageError } from '../cli-error';

export const CORRUPT_USAGE =
  'odra corrupt --input IN --corruption NAME --severity 1..5 [--seed N] [--dataset-hash H --image-id N] --output OUT.png\n' +
  '             odra corrupt --db FILE --audit ID --image-id N --corruption NAME --severity 1..5 --output OUT.png\n' +
  '             odra corrupt --list [--json]';

function integer(flag: string, value: string | undefined, max = Number.MAX_SAFE_INTEGER): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > max) throw usageError(`${flag} must be an integer 0..${max} (got "${value}")`);
  return n;
}

/** The image and the seed key the pixels are made from. */
async function locate(values: Record<string, string | boolean | undefined>): Promise<{ input: string; seed: number; key: string }> {
  const imageId = values['image-id'] === undefined ? undefined : Number(values['image-id']);
  if (imageId !== undefined && !Number.isInteger(imageId)) throw usageError(`--image-id must be an integer (got "${String(values['image-id'])}")`);
  if (values.db !== undefined || values.audit !== undefined) {
    if (typeof values.db !== 'string' || values.audit === undefined || imageId === undefined) {
      throw usageError(`--db, --audit and --image-id go together\nusage: ${CORRUPT_USAGE}`);
    }
    if (values.input !== undefined || values.seed !== undefined || values['dataset-hash'] !== undefined) {
      throw usageError('--input, --seed and --dataset-hash come from the audit with --db and --audit; leave them out');
    }
    const auditId = integer('--audit', values.audit as string)!;
    let db;
    try {
      db = openDatabase(values.db);
    } catch (err) {
      throw badInput(`cannot open the store ${values.db}: ${(err as Error).message}`, [], values.db);
    }
    try {
      const audit = new AuditRepo(db).get(auditId);
      if (new AuditRepo(db).imagePosition(auditId, imageId) === null) {
        throw badInput(`image ${imageId} is not one of the images of audit ${auditId}`, [], values.db);
      }
      const located = new DatasetRepo(db).imagePath(audit.datasetId, imageId);
      return { input: located.path, seed: audit.seed, key: imageKey(audit.datasetHash, imageId) };
    } finally {
      db.close();
    }
  }
  if (typeof values.input !== 'string') throw usageError(`--input (or --db with --audit) is required\nusage: ${CORRUPT_USAGE}`);
  const seed = integer('--seed', values.seed as string | undefined, 0xffffffff) ?? 0;
  const hash = values['dataset-hash'];
  if (hash !== undefined || imageId !== undefined) {
    if (typeof hash !== 'string' || !/^[0-9a-f]{64}$/.test(hash) || imageId === undefined) {
      throw usageError('--dataset-hash (the 64 hex digits of the dataset content hash) and --image-id go together');
    }
    return { input: values.input, seed, key: imageKey(hash, imageId) };
  }
  // a standalone image: the key is the file's name so a seed reproduces across machines and folders
  return { input: values.input, seed, key: fileImageKey(values.input) };
}

export async function corruptCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      input: { type: 'string' },
      corruption: { type: 'string' },
      severity: { type: 'string' },
      seed: { type: 'string' },
      output: { type: 'string' },
      db: { type: 'string' },
      audit: { type: 'string' },
      'image-id': { type: 'string' },
      'dataset-hash': { type: 'string' },
      list: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.list) {
    if (values.json) process.stdout.write(`${JSON.stringify(CORRUPTIONS)}\n`);
    else for (const c of CORRUPTIONS) process.stdout.write(`${c.name.padEnd(18)} ${c.family.padEnd(8)} ${c.role.padEnd(10)} ${c.parameter}\n`);
    return;
  }
  if (!values.corruption || !values.severity || !values.output) {
    throw usageError(`--corruption, --severity and --output are required\nusage: ${CORRUPT_USAGE}`);
  }
  const name = values.corruption;
  if (!isCorruptionName(name)) {
    throw usageError(`unknown corruption "${name}"; valid names: ${CORRUPTION_NAMES.join(', ')}`);
  }
  const severity = Number(values.severity);
  if (!Number.isInteger(severity) || severity < 1 || severity > 5) {
    throw usageError(`--severity must be an integer from 1 to 5 (got "${values.severity}")`);
  }
  const { input, seed, key } = await locate(values);
  let image;
  try {
    image = await decodeImage(input);
  } catch (err) {
    throw badInput(`cannot read image ${input}: ${(err as Error).message.split('\n')[0]}`, [], input);
  }
  const pool = new CorruptionPool(1);
  try {
    const out = await pool.corrupt(image, name, severity as Severity, corruptionSeed(seed, key, name, severity));
    await encodePng(out, values.output);
  } finally {
    await pool.close();
  }
}
