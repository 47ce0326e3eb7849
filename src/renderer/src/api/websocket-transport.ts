/**
 * Browser mode: the contract over a WebSocket to `odra serve`. Sends made while the
 * socket is (re)connecting are queued. When the connection drops, every call in
 * flight is lost on the server side (the session aborts them), so the caller is told
 * to fail them, and the transport reconnects with a growing delay.
 */
import type { ClientMessage, EngineMessage } from '../../../shared/contract';
import type { Transport } from '../../../shared/client';

export type ConnectionState = 'connecting' | 'open' | 'closed';

export interface WebSocketTransportOptions {
  url: string;
  onState(state: ConnectionState): void;
  /** the socket closed: pending calls will never be answered */
  onLost(): void;
  /**
   * Asked when a connection closes before it ever opened: false means the server refuses
   * this page (a wrong token), so reconnecting is pointless; onDenied is called instead.
   */
  stillAllowed?: () => Promise<boolean>;
  onDenied?: () => void;
}

const MAX_DELAY_MS = 10_000;

export class WebSocketTransport implements Transport {
  private socket: WebSocket | null = null;
  private readonly queue: string[] = [];
  private listener: ((message: EngineMessage) => void) | null = null;
  private delay = 500;

  constructor(private readonly options: WebSocketTransportOptions) {
    this.connect();
  }

  send(message: ClientMessage): void {
    const text = JSON.stringify(message);
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(text);
    else this.queue.push(text);
  }

  onMessage(listener: (message: EngineMessage) => void): void {
    this.listener = listener;
  }

  private connect(): void {
    this.options.onState('connecting');
    const socket = new WebSocket(this.options.url);
    this.socket = socket;
    let opened = false;
    socket.addEventListener('open', () => {
      opened = true;
      this.delay = 500;
      this.options.onState('open');
      for (const text of this.queue.splice(0)) socket.send(text);
    });
    socket.addEventListener('message', (event: MessageEvent<unknown>) => {
      if (typeof event.data !== 'string') return;
      let parsed: unknown;
      try {
        parsed = JSON.parse(event.data);
      } catch {
        return;
      }
      if (isEngineMessage(parsed)) this.listener?.(parsed);
    });
    socket.addEventListener('close', () => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.options.onState('closed');
      this.options.onLost();
      const retry = (): void => {
        setTimeout(() => this.connect(), this.delay);
        this.delay = Math.min(this.delay * 2, MAX_DELAY_MS);
      };
      const { stillAllowed, onDenied } = this.options;
      if (opened || !stillAllowed || !onDenied) {
        retry();
        return;
      }
      void stillAllowed().then(
        (allowed) => (allowed ? retry() : onDenied()),
        () => retry(),
      );
    });
  }
}

/** Shape check only: the engine is trusted, but a stray frame must not reach the client. */
function isEngineMessage(value: unknown): value is EngineMessage {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  return (record.type === 'response' || record.type === 'progress') && typeof record.id === 'string';
}
