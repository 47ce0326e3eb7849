import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { backpressureFlags, listenProblem, parsePort, parseSize } from '../../../../src/cli/commands/serve';
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

describe('odra serve backpressure flags', () => {
  it('reads sizes as bytes or with binary K, M, G units', () => {
    expect(parseSize('4096', '--low-water')).toBe(4096);
    expect(parseSize('512K', '--low-water')).toBe(512 * 1024);
    expect(parseSize('16M', '--high-water')).toBe(16 * 2 ** 20);
    expect(parseSize('16MiB', '--high-water')).toBe(16 * 2 ** 20);
    expect(parseSize('1.5g', '--hard-limit')).toBe(1.5 * 2 ** 30);
    for (const bad of ['', '0', '-1M', '16X', 'lots']) {
      expect(() => parseSize(bad, '--hard-limit'), bad).toThrow(`--hard-limit takes a size above 0 such as 16M, 512K or 1G (binary units); got "${bad}"`);
    }
  });

  it('puts the flags given over the defaults and refuses an order that cannot work, naming the flags', () => {
    expect(backpressureFlags({})).toEqual({ highWater: 16 * 2 ** 20, lowWater: 4 * 2 ** 20, hardLimit: 256 * 2 ** 20 });
    expect(backpressureFlags({ 'high-water': '1M', 'low-water': '256K', 'hard-limit': '8M' })).toEqual({ highWater: 2 ** 20, lowWater: 2 ** 18, hardLimit: 8 * 2 ** 20 });
    expect(() => backpressureFlags({ 'low-water': '32M' })).toThrow(/^backpressure limits must satisfy --low-water < --high-water < --hard-limit \(got 33554432 < 16777216 < 268435456;/);
  });
});
