/**
 * One client connection to the engine, whatever carries it (MessagePort, WebSocket,
 * in-process). It validates every incoming message and input against the contract,
 * keeps an AbortController per running request so `cancel` works, forwards progress,
 * and turns every failure into an error payload: nothing a client sends can throw here.
 */
import {
  clientMessageSchema,
  contract,
  isMethodName,
  PRIVILEGED_METHODS,
  type EngineMessage,
} from '../../shared/contract';
import { OdraError, toErrorPayload } from '../../shared/errors';
import type { Progress } from '../../shared/schemas';
import type { JobEvent } from '../../shared/audits';
import { CANCELLED_BY_CLIENT, CONNECTION_CLOSED, type Engine } from '../engine';

export interface SessionOptions {
  /** Trusted callers (Electron main, CLI) may call privileged methods. */
  privileged?: boolean;
}

export class RpcSession {
  private readonly running = new Map<string, AbortController>();
  private closed = false;

  constructor(
    private readonly engine: Engine,
    private readonly send: (message: EngineMessage) => void,
    private readonly options: SessionOptions = {},
  ) {}

  /** Handles one raw message (already JSON-decoded). */
  receive(raw: unknown): void {
    const parsed = clientMessageSchema.safeParse(raw);
    if (!parsed.success) {
      const id = typeof raw === 'object' && raw !== null && 'id' in raw && typeof raw.id === 'string' ? raw.id : '?';
      this.send({ type: 'response', id, ok: false, error: { code: 'BAD_INPUT', message: 'malformed message' } });
      return;
    }
    const message = parsed.data;
    if (message.type === 'cancel') {
      this.running.get(message.id)?.abort(CANCELLED_BY_CLIENT);
      return;
    }
    if (this.running.has(message.id)) {
      // A second request under a running id would take over its cancel handle.
      const error = { code: 'BAD_INPUT' as const, message: `request id "${message.id}" is already in use` };
      this.send({ type: 'response', id: message.id, ok: false, error });
      return;
    }
    void this.run(message.id, message.method, message.input);
  }

  /**
   * The client went away: every request's signal aborts with CONNECTION_CLOSED. Watches
   * and previews end; jobs, imports and evaluations go on (handlers tell the reasons apart).
   */
  close(): void {
    this.closed = true;
    for (const controller of this.running.values()) controller.abort(CONNECTION_CLOSED);
    this.running.clear();
  }

  private async run(id: string, method: string, input: unknown): Promise<void> {
    const controller = new AbortController();
    this.running.set(id, controller);
    try {
      if (!isMethodName(method)) throw new OdraError('BAD_INPUT', `unknown method "${method}"`);
      if (PRIVILEGED_METHODS.has(method) && !this.options.privileged) {
        throw new OdraError('BAD_INPUT', `method "${method}" is not available on this connection`);
      }
      const parsedInput = contract[method].input.safeParse(input ?? {});
      if (!parsedInput.success) {
        const problems = parsedInput.error.issues.map((i) => ({ problem: `${i.path.join('.') || 'input'}: ${i.message}` }));
        throw new OdraError('BAD_INPUT', `invalid input for ${method}: ${problems.map((p) => p.problem).join('; ')}`, {
          problems,
        });
      }
      const output = await this.engine.handle(method, parsedInput.data, {
        signal: controller.signal,
        progress: (progress: Progress) => {
          if (!this.closed) this.send({ type: 'progress', id, progress });
        },
        event: (event: JobEvent) => {
          if (!this.closed) this.send({ type: 'event', id, event });
        },
      });
      if (!this.closed) this.send({ type: 'response', id, ok: true, output });
    } catch (err) {
      // a job that says how far it got when cancelled (an evaluation) keeps its own words
      const ownCancel = err instanceof OdraError && err.code === 'CANCELLED';
      const payload = controller.signal.aborted && !ownCancel ? { code: 'CANCELLED' as const, message: `${method} was cancelled` } : toErrorPayload(err);
      if (!this.closed) this.send({ type: 'response', id, ok: false, error: payload });
    } finally {
      this.running.delete(id);
    }
  }
}
