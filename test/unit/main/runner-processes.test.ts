import { beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeChild } from './fake-electron';

const electron = vi.hoisted(() => ({ forks: [] as FakeChild[] }));

vi.mock('electron', async () => {
  const fake = await import('./fake-electron');
  return {
    utilityProcess: {
      fork: (modulePath: string, args: string[], options: Record<string, unknown>) => {
        const child = new fake.FakeChild(modulePath, args, options);
        electron.forks.push(child);
        return child;
      },
    },
    MessageChannelMain: fake.FakeChannel,
  };
});

const { RunnerProcesses } = await import('../../../src/main/runner-processes');
const { EngineProcess } = await import('../../../src/main/engine-process');

function runners() {
  return new RunnerProcesses({ entry: '/app/out/node/runner.js', env: { A: '1' }, log: () => {} });
}

beforeEach(() => {
  electron.forks.length = 0;
});

describe('audit runners for an engine in a utilityProcess', () => {
  it('starts a runner utilityProcess on the engine request and connects them with a channel', () => {
    const r = runners();
    const engine = new FakeChild('/app/out/node/engine-host.js', [], {});
    r.attach(engine);
    engine.emit('message', { type: 'runner-start', requestId: 4 });
    expect(electron.forks).toHaveLength(1);
    const runner = electron.forks[0];
    expect(runner.modulePath).toBe('/app/out/node/runner.js');
    expect(runner.options).toMatchObject({ serviceName: 'odra-runner', env: { A: '1' } });
    expect(runner.posted).toEqual([]);
    runner.emit('spawn');
    expect(runner.posted.map((p) => p.message)).toEqual([{ type: 'connect' }]);
    expect(engine.posted.map((p) => p.message)).toEqual([{ type: 'runner-port', requestId: 4, pid: null }]);
    // the two ends are one channel
    const runnerEnd = runner.posted[0].ports[0];
    const engineEnd = engine.posted[0].ports[0];
    expect(runnerEnd.other).toBe(engineEnd);
    expect(r.count).toBe(1);
  });

  it('tells the engine when its runner exits, and kills it when asked', () => {
    const r = runners();
    const engine = new FakeChild('/e.js', [], {});
    r.attach(engine);
    engine.emit('message', { type: 'runner-start', requestId: 1 });
    engine.emit('message', { type: 'runner-start', requestId: 2 });
    const [one, two] = electron.forks;
    one.emit('exit', 9);
    expect(engine.posted.map((p) => p.message)).toContainEqual({ type: 'runner-exit', requestId: 1, code: 9 });
    engine.emit('message', { type: 'runner-kill', requestId: 2 });
    expect(two.killed).toBe(true);
    expect(engine.posted.map((p) => p.message)).toContainEqual({ type: 'runner-exit', requestId: 2, code: 0 });
    expect(r.count).toBe(0);
    // other messages from the engine are not runner requests
    engine.emit('message', { type: 'something-else', requestId: 3 });
    engine.emit('message', null);
    expect(electron.forks).toHaveLength(2);
  });

  it('kills the runners of an engine that exits, so a crashed engine leaves none behind', () => {
    const r = runners();
    const e = new EngineProcess({ entry: '/app/out/node/engine-host.js', env: {}, policy: { maxRestarts: 0, windowMs: 1000, baseDelayMs: 10, maxDelayMs: 10 }, log: () => {}, runners: r });
    e.start();
    const engineChild = electron.forks[0];
    engineChild.emit('message', { type: 'runner-start', requestId: 1 });
    const runner = electron.forks[1];
    expect(runner.modulePath).toBe('/app/out/node/runner.js');
    engineChild.emit('exit', 139);
    expect(runner.killed).toBe(true);
    expect(r.count).toBe(0);
  });
});
