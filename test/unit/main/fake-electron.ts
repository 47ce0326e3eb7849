/**
 * Stand-ins for the few Electron main-process objects the engine link uses:
 * MessageChannelMain (two linked ports that deliver structured clones
 * asynchronously, like the real ones) and a utilityProcess child.
 */
import { EventEmitter } from 'node:events';

export class FakePort extends EventEmitter {
  other: FakePort | null = null;
  closed = false;
  started = false;
  postMessage(data: unknown): void {
    if (this.closed) return;
    const target = this.other;
    const copy = structuredClone(data);
    setImmediate(() => {
      if (target && !target.closed) target.emit('message', { data: copy, ports: [] });
    });
  }
  start(): void {
    this.started = true;
  }
  close(): void {
    this.closed = true;
  }
}

export class FakeChannel {
  port1 = new FakePort();
  port2 = new FakePort();
  constructor() {
    this.port1.other = this.port2;
    this.port2.other = this.port1;
  }
}

export class FakeChild extends EventEmitter {
  posted: { message: unknown; ports: FakePort[] }[] = [];
  killed = false;
  constructor(
    readonly modulePath: string,
    readonly args: string[],
    readonly options: Record<string, unknown>,
  ) {
    super();
  }
  postMessage(message: unknown, ports: FakePort[] = []): void {
    this.posted.push({ message, ports });
  }
  kill(): boolean {
    this.killed = true;
    this.emit('exit', 0);
    return true;
  }
  /** Makes this child answer every request on every connected port like a tiny engine. */
  serve(handle: (method: string, input: unknown) => unknown): void {
    const attach = (port: FakePort): void => {
      port.on('message', (e: { data: { type: string; id: string; method: string; input: unknown } }) => {
        if (e.data.type !== 'request') return;
        port.postMessage({ type: 'response', id: e.data.id, ok: true, output: handle(e.data.method, e.data.input) });
      });
    };
    for (const { ports } of this.posted) ports.forEach(attach);
    const post = this.postMessage.bind(this);
    this.postMessage = (message, ports = []) => {
      post(message, ports);
      ports.forEach(attach);
    };
  }
}
