/**
 * Output files (the CLI's `eval --dt-out`, `corrupt --output`; the contract's
 * `reports.write` path) are checked BEFORE the work that produces them, so a typo in a folder name costs a second, not an
 * evaluation: the folder must exist and be writable, and the path must not be a folder
 * or a special file. The check is advisory (the disk can still fill up); the write
 * itself reports its own failure with the path.
 */
import { accessSync, constants, statSync, type Stats } from 'node:fs';
import path from 'node:path';
import { kindOf, kindProblem } from '../../platform/node/files';
import { badInput } from '../../shared/errors';

function statOrNull(p: string): Stats | null {
  try {
    return statSync(p);
  } catch {
    return null;
  }
}

/** BAD_INPUT naming `flag` (what the file is: a CLI flag, "report file") and `file` when it cannot be written; returns the absolute path. */
export function checkOutputFile(file: string, flag: string): string {
  const target = path.resolve(file);
  const dir = path.dirname(target);
  const fail = (problem: string): never => {
    throw badInput(`${flag} ${file}: ${problem}`, [{ file: target, problem }], target);
  };
  const parent = kindOf(statOrNull(dir));
  if (parent === 'missing') fail(`its folder ${dir} does not exist`);
  if (parent !== 'directory') fail(`${dir} is not a folder`);
  const kind = kindOf(statOrNull(target));
  if (kind === 'directory') fail('it is a folder; give a file name');
  if (kind !== 'missing' && kind !== 'file') fail(`it ${kindProblem(kind)}`);
  try {
    accessSync(kind === 'file' ? target : dir, constants.W_OK);
  } catch {
    fail(kind === 'file' ? 'the file is read-only' : `its folder ${dir} is not writable`);
  }
  return target;
}
