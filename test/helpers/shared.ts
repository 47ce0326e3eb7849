/**
 * The real models, datasets and reference fixtures live beside the repository in
 * ../shared and are never copied into it. A test that needs them must fail loudly when
 * they are absent: a silently skipped check would let a wrong number through.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';

/** Root of the shared data, resolved from the repository root (the test's cwd). */
export function sharedRoot(): string {
  return path.resolve(process.cwd(), '../shared');
}

/** Absolute path of `../shared/<parts>`; throws when it does not exist. */
export function sharedPath(...parts: string[]): string {
  const target = path.resolve(sharedRoot(), ...parts);
  if (!existsSync(target)) {
    throw new Error(
      `shared test data missing: ${target} does not exist. ` +
        `These tests need the shared data folder next to the repository (${sharedRoot()}); ` +
        'run them from the repository root with ../shared in place.',
    );
  }
  return target;
}
