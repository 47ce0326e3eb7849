import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { FakeChild } from './fake-electron';

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

const { EngineProcess } = await import('../../../src/main/engine-process');
const { MainEngineClient } = await import('../../../src/main/main-client');
const { linkToEngine } = await import('../../../src/main/window');

const policy = { maxRestarts: 2, windowMs: 60_000, baseDelayMs: 100, maxDelayMs: 1_000 };

function engine(now = () => Date.now()): InstanceType<typeof EngineProcess> {
  return new EngineProcess({ entry: '/app/out/node/engine-host.js', env: { ODRA_DB: '/u/odra.db' }, policy, now, log: () => {} });
}

function lastChild(): FakeChild {
  const child = electron.forks.at(-1);
  if (!child) throw new Error('no child forked');
  return child;
}

beforeEach(() => {
  electron.forks.length = 0;
});
afterEach(() => {
  vi.useRealTimers();
});

describe('EngineProcess', () => {
  it('forks the engine host as a named utility process with the env', () => {
    const e = engine();
    e.start();
    expect(electron.forks).toHaveLength(1);
    expect(lastChild().modulePath).toBe('/app/out/node/engine-host.js');
    expect(lastChild().options).toMatchObject({ serviceName: 'odra-engine', env: { ODRA_DB: '/u/odra.db' } });
  });

  it('hands the engine its end of each channel once spawned, marking main as privileged', () => {
    const e = engine();
    e.start();
    const early = e.connect('renderer');
    expect(early).not.toBeNull();
    expect(lastChild().posted).toHaveLength(0);
    lastChild().emit('spawn');
    e.connect('main');
    expect(lastChild().posted.map((p) => p.message)).toEqual([{ type: 'connect' }, { type: 'connect', role: 'main' }]);
    expect(lastChild().posted.every((p) => p.ports.length === 1)).toBe(true);
  });

  it('lets main serve every engine child it starts, the restarted one too (report printing)', async () => {
    vi.useFakeTimers();
    const { servePrintRequests } = await import('../../../src/main/print-service');
    const printed: string[] = [];
    const e = new EngineProcess({
      entry: '/app/out/node/engine-host.js',
      env: {},
      policy,
      log: () => {},
      onChild: (child) => servePrintRequests(child as never, async (html) => (printed.push(html), new Uint8Array([37, 80, 68, 70]))),
    });
    e.start();
    const first = lastChild();
    first.emit('message', { type: 'print-request', requestId: 1, html: '<p>one</p>', options: {} });
    await vi.waitFor(() => expect(first.posted.map((p) => p.message)).toEqual([{ type: 'print-done', requestId: 1, pdf: new Uint8Array([37, 80, 68, 70]) }]));
    first.emit('exit', 1);
    vi.advanceTimersByTime(1_000);
    const second = lastChild();
    expect(second).not.toBe(first);
    second.emit('message', { type: 'print-request', requestId: 1, html: '<p>two</p>', options: {} });
    await vi.waitFor(() => expect(second.posted).toHaveLength(1));
    expect(printed).toEqual(['<p>one</p>', '<p>two</p>']);
    e.stop();
  });

  it('restarts after an unexpected exit with backoff and tells listeners', () => {
    vi.useFakeTimers();
    const e = engine();
    const exits: unknown[] = [];
    const starts: boolean[] = [];
    e.onExit((x) => exits.push(x));
    e.onStart((restart) => starts.push(restart));
    e.start();
    lastChild().emit('exit', 134);
    expect(exits).toEqual([{ exitCode: 134, restarting: true }]);
    expect(e.connect('renderer')).toBeNull();
    vi.advanceTimersByTime(99);
    expect(electron.forks).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(electron.forks).toHaveLength(2);
    expect(starts).toEqual([false, true]);
    lastChild().emit('exit', 1);
    vi.advanceTimersByTime(199);
    expect(electron.forks).toHaveLength(2);
    vi.advanceTimersByTime(1);
    expect(electron.forks).toHaveLength(3);
  });

  it('gives up after maxRestarts within the window', () => {
    vi.useFakeTimers();
    const e = engine();
    const exits: { restarting: boolean }[] = [];
    e.onExit((x) => exits.push(x));
    e.start();
    for (let i = 0; i < 3; i++) {
      lastChild().emit('exit', 1);
      vi.advanceTimersByTime(10_000);
    }
    expect(exits.map((x) => x.restarting)).toEqual([true, true, false]);
    expect(electron.forks).toHaveLength(3);
    vi.advanceTimersByTime(120_000);
    expect(electron.forks).toHaveLength(3);
    expect(e.running).toBe(false);
  });

  it('does not restart or notify after stop()', () => {
    vi.useFakeTimers();
    const e = engine();
    const exits: unknown[] = [];
    e.onExit((x) => exits.push(x));
    e.start();
    const child = lastChild();
    e.stop();
    expect(child.killed).toBe(true);
    vi.advanceTimersByTime(60_000);
    expect(exits).toEqual([]);
    expect(electron.forks).toHaveLength(1);
  });
});

describe('MainEngineClient', () => {
  it('calls the engine over a privileged connection', async () => {
    const e = engine();
    const client = new MainEngineClient(e);
    e.start();
    lastChild().emit('spawn');
    lastChild().serve((method, input) => ({ method, input }));
    const out = await client.call('datasets.imagePath', { datasetId: 1, imageId: 2 });
    expect(out).toEqual({ method: 'datasets.imagePath', input: { datasetId: 1, imageId: 2 } });
    expect(lastChild().posted[0]?.message).toEqual({ type: 'connect', role: 'main' });
  });

  it('fails calls in flight when the engine dies, and reconnects after the restart', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const e = engine();
    const client = new MainEngineClient(e);
    e.start();
    lastChild().emit('spawn');
    const pending = client.call('datasets.imagePath', { datasetId: 1, imageId: 2 });
    lastChild().emit('exit', 139);
    await expect(pending).rejects.toThrow(/engine process exited/);
    await expect(client.call('datasets.list', {})).rejects.toThrow(/not running/);
    vi.advanceTimersByTime(100);
    lastChild().emit('spawn');
    lastChild().serve(() => []);
    await expect(client.call('datasets.list', {})).resolves.toEqual([]);
  });

  it('times out when the engine does not answer', async () => {
    const e = engine();
    const client = new MainEngineClient(e);
    e.start();
    lastChild().emit('spawn');
    await expect(client.call('datasets.list', {}, 20)).rejects.toThrow(/timed out/);
  });
});

describe('linkToEngine', () => {
  it('gives the page a port after each load and after a restart, and reports the crash first', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { EventEmitter } = await import('node:events');
    const sent: { channel: string; args: unknown[] }[] = [];
    const contents = Object.assign(new EventEmitter(), {
      isDestroyed: () => false,
      getURL: () => 'odra-app://app/index.html#/datasets',
      postMessage: (channel: string, message: unknown, transfer: unknown[] = []) =>
        sent.push({ channel, args: [message, transfer.length] }),
      send: (channel: string, ...args: unknown[]) => sent.push({ channel, args }),
    });
    const e = engine();
    e.start();
    linkToEngine(contents, e, 'odra-app://app/index.html');
    contents.emit('did-finish-load');
    contents.emit('did-finish-load'); // a reload
    lastChild().emit('exit', 5);
    vi.advanceTimersByTime(100);
    expect(sent).toEqual([
      { channel: 'odra:port', args: [null, 1] },
      { channel: 'odra:port', args: [null, 1] },
      { channel: 'odra:engine-restarted', args: [{ type: 'engine-restarted', exitCode: 5, restarting: true }] },
      { channel: 'odra:port', args: [null, 1] },
    ]);
    contents.emit('destroyed');
    lastChild().emit('exit', 5);
    expect(sent).toHaveLength(4);
  });
});

describe('linkToEngine on a page that is not the app', () => {
  it('hands the engine port only to a page on the app origin', async () => {
    const { EventEmitter } = await import('node:events');
    let url = 'https://example.com/phish.html';
    const ports: string[] = [];
    const contents = Object.assign(new EventEmitter(), {
      isDestroyed: () => false,
      getURL: () => url,
      postMessage: (channel: string) => ports.push(`${channel} to ${url}`),
      send: () => undefined,
    });
    const e = engine();
    e.start();
    linkToEngine(contents, e, 'odra-app://app/index.html');
    contents.emit('did-finish-load');
    url = 'file:///tmp/odra-app/index.html';
    contents.emit('did-finish-load');
    expect(ports).toEqual([]);
    url = 'odra-app://app/index.html';
    contents.emit('did-finish-load');
    expect(ports).toEqual(['odra:port to odra-app://app/index.html']);
  });
});
