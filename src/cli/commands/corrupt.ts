import { parseArgs } from 'node:util';
import { CORRUPTIONS, CORRUPTION_NAMES, isCorruptionName, type Severity } from '../../shared/corruptions';
import { badInput } from '../../shared/errors';
import { corruptionSeed, fileImageKey } from '../../engine/corruptions/seed';
import { CorruptionPool } from '../../engine/corruptions/pool';
import { decodeImage, encodePng } from '../../engine/images/decode';
import { usageError } from '../cli-error';

export const CORRUPT_USAGE =
  'odra corrupt --input IN --corruption NAME --severity 1..5 [--seed N] --output OUT.png\n             odra corrupt --list [--json]';

export async function corruptCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      input: { type: 'string' },
      corruption: { type: 'string' },
      severity: { type: 'string' },
      seed: { type: 'string', default: '0' },
      output: { type: 'string' },
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
  if (!values.input || !values.corruption || !values.severity || !values.output) {
    throw usageError(`--input, --corruption, --severity and --output are required\nusage: ${CORRUPT_USAGE}`);
  }
  const name = values.corruption;
  if (!isCorruptionName(name)) {
    throw usageError(`unknown corruption "${name}"; valid names: ${CORRUPTION_NAMES.join(', ')}`);
  }
  const severity = Number(values.severity);
  if (!Number.isInteger(severity) || severity < 1 || severity > 5) {
    throw usageError(`--severity must be an integer from 1 to 5 (got "${values.severity}")`);
  }
  const seed = Number(values.seed);
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw usageError(`--seed must be an integer 0..4294967295`);
  let image;
  try {
    image = await decodeImage(values.input);
  } catch (err) {
    throw badInput(`cannot read image ${values.input}: ${(err as Error).message.split('\n')[0]}`, [], values.input);
  }
  const pool = new CorruptionPool(1);
  try {
    const out = await pool.corrupt(image, name, severity as Severity, corruptionSeed(seed, fileImageKey(values.input), name, severity));
    await encodePng(out, values.output);
  } finally {
    await pool.close();
  }
}
