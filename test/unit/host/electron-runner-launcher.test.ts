import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { ElectronRunnerLauncher, type ParentPortLike, type PortLike } from '../../../src/engine/host/electron-runner-launcher';
import type { EngineToMainMessage } from '../../../src/shared/runner-launch';
import type { FromRunner } from '../../../src/engine/audits/runner-protocol';

/** The utilityProcess parentPort: what the engine posts to main, and main's replies. */
class FakeParent extends EventEmitter implements ParentPortLike {
  posted: EngineToMainMessage[] = [];
  postMessage(message: EngineToMainMessage): void {
    this.posted.push(message);
  }
  reply(data: unknown, ports: PortLike[] = []): void {
    this.emit('message', { data, ports });
  }
}

class FakePort extends EventEmitter implements PortLike {
  sent: unknown[] = [];
  started = false;
  closed = false;
  postMessage(message: unknown): void {
    this.sent.push(message);
  }
  start(): void {
    this.started = true;
  }
  close(): void {
    this.closed = true;
  }
}

describe('runners through Electron main (engine side)', () => {
  it('asks main for a runner and talks to it over the port main hands back', async () => {
    const parent = new FakeParent();
    const launcher = new ElectronRunnerLauncher(parent);
    const launching = launcher.launch();
    expect(parent.posted).toEqual([{ type: 'runner-start', requestId: 1 }]);
    const port = new FakePort();
    parent.reply({ type: 'runner-port', requestId: 1, pid: 1234 }, [port]);
    const runner = await launching;
    expect(runner.pid).toBe(1234);
    expect(port.started).toBe(true);
    runner.send({ type: 'shutdown' });
    expect(port.sent).toEqual([{ type: 'shutdown' }]);
    const got: FromRunner[] = [];
    runner.onMessage((m) => got.push(m));
    port.emit('message', { data: { type: 'ready', pid: 1234, models: [] } });
    expect(got).toEqual([{ type: 'ready', pid: 1234, models: [] }]);
    const exits: unknown[] = [];
    runner.onExit((e) => exits.push(e));
    runner.kill();
    expect(parent.posted.at(-1)).toEqual({ type: 'runner-kill', requestId: 1 });
    parent.reply({ type: 'runner-exit', requestId: 1, code: null });
    expect(exits).toEqual([{ code: null, signal: null }]);
    expect(port.closed).toBe(true);
    // nothing is sent to a runner that is gone
    runner.send({ type: 'shutdown' });
    expect(port.sent).toHaveLength(1);
  });

  it('fails the launch with main\'s reason, or when main does not answer in time', async () => {
    const parent = new FakeParent();
    const launcher = new ElectronRunnerLauncher(parent, 50);
    const first = launcher.launch();
    parent.reply({ type: 'runner-failed', requestId: 1, message: 'cannot start the audit runner: no such file' });
    await expect(first).rejects.toThrow('cannot start the audit runner: no such file');
    await expect(launcher.launch()).rejects.toThrow(/did not start the audit runner within 0.05 s/);
  });
});
