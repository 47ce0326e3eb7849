import { spawn } from 'node:child_process';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureCliBuilt, ODRA_BIN } from '../../helpers/odra-cli';

describe('odra with its stdout closed early', () => {
  beforeAll(async () => {
    await ensureCliBuilt();
  });

  it('prints one line and exits 2 instead of a stack trace (EPIPE)', async () => {
    const child = spawn(process.execPath, [ODRA_BIN, 'corrupt', '--list', '--json'], { cwd: path.resolve('.'), stdio: ['ignore', 'pipe', 'pipe'] });
    // the reader goes away before odra writes anything
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    expect(stderr).toBe('odra: the output was closed before everything was written (EPIPE)\n');
    expect(code).toBe(2);
  });
});
