/**
 * Main's own connection to the engine, privileged (`role: 'main'`), for what only main
 * may ask, such as `datasets.imagePath` for the file protocol. Reconnected after every
 * engine start; calls in flight when the engine dies fail at once.
 */
import type { MessagePortMain } from 'electron';
import { OdraClient } from '../shared/client';
import type { EngineMessage, MethodInput, MethodName, MethodOutput } from '../shared/contract';
import { OdraError } from '../shared/errors';
import type { EngineProcess } from './engine-process';

export class MainEngineClient {
  private client: OdraClient | null = null;
  private port: MessagePortMain | null = null;

  constructor(engine: EngineProcess) {
    engine.onStart(() => this.attach(engine.connect('main')));
    engine.onExit(() => this.detach('the engine process exited'));
    if (engine.running) this.attach(engine.connect('main'));
  }

  /**
   * Calls the engine; rejects after `timeoutMs` so a stuck engine cannot hang a protocol
   * request. An abort of `signal` (the renderer dropped the request) cancels the call.
   */
  async call<M extends MethodName>(method: M, input: MethodInput<M>, timeoutMs = 15_000, signal?: AbortSignal): Promise<MethodOutput<M>> {
    const client = this.client;
    if (!client) throw new OdraError('INTERNAL', 'the engine is not running');
    const controller = new AbortController();
    signal?.addEventListener('abort', () => controller.abort(), { once: true });
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => {
        controller.abort();
        reject(new OdraError('INTERNAL', `${method} timed out after ${timeoutMs} ms`));
      }, timeoutMs);
    });
    try {
      return await Promise.race([client.call(method, input, { signal: controller.signal }), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  private attach(port: MessagePortMain | null): void {
    this.detach('reconnected');
    if (!port) return;
    const listeners: ((message: EngineMessage) => void)[] = [];
    port.on('message', (event) => {
      for (const listener of listeners) listener(event.data as EngineMessage);
    });
    port.start();
    this.port = port;
    this.client = new OdraClient({
      send: (message) => port.postMessage(message),
      onMessage: (listener) => {
        listeners.push(listener);
      },
    });
  }

  private detach(reason: string): void {
    this.client?.failAll(reason);
    this.client = null;
    this.port?.close();
    this.port = null;
  }
}
