import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ClientMessage } from '../../../src/shared/contract';
import { createBridge, type IpcLike, type PortLike } from '../../../src/preload/bridge';

type Listener = (event: { ports: readonly PortLike[] }, ...args: unknown[]) => void;

class FakeIpc implements IpcLike {
  listeners = new Map<string, Listener[]>();
  invoked: { channel: string; args: unknown[] }[] = [];
  answer: unknown = '/data/model.onnx';
  on(channel: string, listener: Listener): this {
    this.listeners.set(channel, [...(this.listeners.get(channel) ?? []), listener]);
    return this;
  }
  async invoke(channel: string, ...args: unknown[]): Promise<unknown> {
    this.invoked.push({ channel, args });
    return this.answer;
  }
  emit(channel: string, ports: PortLike[], ...args: unknown[]): void {
    for (const listener of this.listeners.get(channel) ?? []) listener({ ports }, ...args);
  }
}

const open: MessagePort[] = [];
/**
 * A real MessageChannel; the test plays the engine on port1. `closed` resolves when the
 * page end is closed: from then on nothing more can arrive at the engine end.
 */
function channel(): { engine: MessagePort; page: MessagePort; received: unknown[]; closed: Promise<void> } {
  const { port1, port2 } = new MessageChannel();
  open.push(port1, port2);
  const received: unknown[] = [];
  port1.on('message', (m) => received.push(m));
  const closed = new Promise<void>((resolve) => port1.once('close', () => resolve()));
  return { engine: port1, page: port2, received, closed };
}
const request = (id: string): ClientMessage => ({ type: 'request', id, method: 'datasets.list', input: {} });

afterEach(() => {
  for (const port of open.splice(0)) port.close();
});

describe('createBridge', () => {
  it('queues messages until the port arrives, then delivers them in order', async () => {
    const ipc = new FakeIpc();
    const bridge = createBridge(ipc);
    bridge.send(request('r1'));
    bridge.send(request('r2'));
    const { page, received } = channel();
    ipc.emit('odra:port', [page as unknown as PortLike]);
    bridge.send(request('r3'));
    await vi.waitFor(() => expect(received).toHaveLength(3));
    expect(received.map((m) => (m as ClientMessage).id)).toEqual(['r1', 'r2', 'r3']);
  });

  it('passes engine messages to the listener', async () => {
    const ipc = new FakeIpc();
    const bridge = createBridge(ipc);
    const got: unknown[] = [];
    bridge.onMessage((m) => got.push(m));
    const { engine, page } = channel();
    ipc.emit('odra:port', [page as unknown as PortLike]);
    engine.postMessage({ type: 'response', id: 'r1', ok: true, output: [1, 2] });
    await vi.waitFor(() => expect(got).toHaveLength(1));
    expect(got).toEqual([{ type: 'response', id: 'r1', ok: true, output: [1, 2] }]);
  });

  it('sends plain JSON: undefined fields dropped, dates as strings', async () => {
    const ipc = new FakeIpc();
    const bridge = createBridge(ipc);
    const { page, received } = channel();
    ipc.emit('odra:port', [page as unknown as PortLike]);
    const input = { dir: '/data/coco', name: undefined, at: new Date(Date.UTC(2024, 0, 2)) };
    bridge.send({ type: 'request', id: 'r1', method: 'datasets.import', input });
    await vi.waitFor(() => expect(received).toHaveLength(1));
    expect(received).toEqual([
      { type: 'request', id: 'r1', method: 'datasets.import', input: { dir: '/data/coco', at: '2024-01-02T00:00:00.000Z' } },
    ]);
    expect(Object.keys((received[0] as { input: object }).input)).not.toContain('name');
    expect(() => bridge.send(null as unknown as ClientMessage)).toThrow(TypeError);
  });

  it('on engine restart: notifies, drops the dead port, queues, then uses the fresh port', async () => {
    const ipc = new FakeIpc();
    const bridge = createBridge(ipc);
    const events: unknown[] = [];
    bridge.onEngineRestart((e) => events.push(e));
    const first = channel();
    ipc.emit('odra:port', [first.page as unknown as PortLike]);
    ipc.emit('odra:engine-restarted', [], { exitCode: 134, restarting: true });
    expect(events).toEqual([{ type: 'engine-restarted', exitCode: 134, restarting: true }]);
    bridge.send(request('r9'));
    await first.closed;
    expect(first.received).toEqual([]);
    const second = channel();
    ipc.emit('odra:port', [second.page as unknown as PortLike]);
    await vi.waitFor(() => expect(second.received).toHaveLength(1));
    expect(second.received.map((m) => (m as ClientMessage).id)).toEqual(['r9']);
  });

  it('forwards known menu actions only, and unsubscribes', () => {
    const ipc = new FakeIpc();
    const bridge = createBridge(ipc);
    const actions: string[] = [];
    const off = bridge.onMenu((a) => actions.push(a));
    ipc.emit('odra:menu', [], 'import-model');
    ipc.emit('odra:menu', [], 'format-disk');
    off();
    ipc.emit('odra:menu', [], 'import-dataset');
    expect(actions).toEqual(['import-model']);
  });

  it('pickPath goes through invoke and yields a path or null', async () => {
    const ipc = new FakeIpc();
    const bridge = createBridge(ipc);
    const options = { kind: 'file' as const, filters: [{ name: 'ONNX', extensions: ['onnx'] }] };
    await expect(bridge.pickPath(options)).resolves.toBe('/data/model.onnx');
    expect(ipc.invoked).toEqual([{ channel: 'odra:pick-path', args: [options] }]);
    ipc.answer = undefined;
    await expect(bridge.pickPath({ kind: 'directory' })).resolves.toBeNull();
  });

  it('builds image URLs from integer ids only', () => {
    const bridge = createBridge(new FakeIpc());
    expect(bridge.imageUrl(2, 17)).toBe('odra-file://dataset/2/image/17');
    expect(() => bridge.imageUrl(1.5, 1)).toThrow(TypeError);
    expect(() => bridge.imageUrl(-1, 1)).toThrow(TypeError);
    expect(() => bridge.imageUrl(1, Number.NaN)).toThrow(TypeError);
  });
});
