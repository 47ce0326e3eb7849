/**
 * The client side of the contract, independent of the transport: it numbers requests,
 * routes responses and progress events back to their callers, and turns error payloads
 * into OdraError. A transport only has to move EngineMessage/ClientMessage objects.
 */
import type { ClientMessage, EngineMessage, MethodInput, MethodName, MethodOutput } from './contract';
import type { Progress } from './schemas';
import type { JobEvent } from './audits';
import { OdraError } from './errors';

export interface Transport {
  send(message: ClientMessage): void;
  /** Registers the single listener for engine messages. */
  onMessage(listener: (message: EngineMessage) => void): void;
}

export interface CallOptions {
  onProgress?: (progress: Progress) => void;
  /** a job's events (jobs.watch) */
  onEvent?: (event: JobEvent) => void;
  signal?: AbortSignal;
}

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
  onProgress?: (progress: Progress) => void;
  onEvent?: (event: JobEvent) => void;
}

export class OdraClient {
  private next = 1;
  private readonly pending = new Map<string, Pending>();

  constructor(private readonly transport: Transport) {
    transport.onMessage((message) => this.receive(message));
  }

  call<M extends MethodName>(method: M, input: MethodInput<M>, options: CallOptions = {}): Promise<MethodOutput<M>> {
    const id = `r${this.next++}`;
    return new Promise<MethodOutput<M>>((resolve, reject) => {
      if (options.signal?.aborted) {
        reject(new OdraError('CANCELLED', 'cancelled before it started'));
        return;
      }
      this.pending.set(id, {
        resolve: (value) => resolve(value as MethodOutput<M>),
        reject,
        onProgress: options.onProgress,
        onEvent: options.onEvent,
      });
      options.signal?.addEventListener('abort', () => this.transport.send({ type: 'cancel', id }), { once: true });
      this.transport.send({ type: 'request', id, method, input });
    });
  }

  /** Fails every pending call, e.g. when the engine process died. */
  failAll(message: string): void {
    for (const [id, pending] of this.pending) {
      pending.reject(new OdraError('INTERNAL', message));
      this.pending.delete(id);
    }
  }

  private receive(message: EngineMessage): void {
    const pending = this.pending.get(message.id);
    if (!pending) return;
    if (message.type === 'progress') {
      pending.onProgress?.(message.progress);
      return;
    }
    if (message.type === 'event') {
      pending.onEvent?.(message.event);
      return;
    }
    this.pending.delete(message.id);
    if (message.ok) pending.resolve(message.output);
    else pending.reject(new OdraError(message.error.code, message.error.message, message.error.details));
  }
}
