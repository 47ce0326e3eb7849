import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { listenProblem, parsePort } from '../../../../src/cli/commands/serve';
import { OdraError } from '../../../../src/shared/errors';

/** The error listen() gives on a port that another socket holds. */
async function addressInUseError(): Promise<{ err: unknown; port: number }> {
  const holder = net.createServer();
  await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
  const port = (holder.address() as net.AddressInfo).port;
  const second = net.createServer();
  const err = await new Promise<unknown>((resolve) => {
    second.once('error', resolve);
    second.listen(port, '127.0.0.1', () => resolve(null));
  });
  second.close();
  holder.close();
  return { err, port };
}

describe('odra serve --port', () => {
  it('takes 0..65535 and refuses anything else, the empty string included', () => {
    expect(parsePort(undefined)).toBe(0);
    expect(parsePort('8080')).toBe(8080);
    expect(parsePort(' 0 ')).toBe(0);
    for (const bad of ['', ' ', '65536', '-1', '80.5', '8o80', '0x50']) {
      expect(() => parsePort(bad), bad).toThrow(/--port must be a number from 0 to 65535/);
    }
  });

  it('says in one line that a port is in use or needs privileges', async () => {
    const { err, port } = await addressInUseError();
    const inUse = listenProblem(err, port);
    expect(inUse).toBeInstanceOf(OdraError);
    expect(inUse?.code).toBe('BAD_INPUT');
    expect(inUse?.message).toBe(`port ${port} on 127.0.0.1 is already in use: choose another --port, or 0 for any free port`);
    const denied = Object.assign(new Error('listen EACCES: permission denied 127.0.0.1:80'), { code: 'EACCES' });
    expect(listenProblem(denied, 80)?.message).toBe('port 80 needs privileges this user does not have (ports below 1024): choose a --port from 1024 to 65535, or 0');
    expect(listenProblem(new Error('other'), 1)).toBeNull();
  });
});
