/**
 * Runner processes for an engine that Electron runs as a utilityProcess: the engine
 * asks Electron main over its parentPort (src/shared/runner-launch.ts) and talks to
 * the runner over the MessagePort main hands back. The Node engine forks instead
 * (runner/fork-launcher.ts); both give the executor the same RunnerConnection.
 */
import { isMainToEngineMessage } from '../../shared/runner-launch';
import type { EngineToMainMessage } from '../../shared/runner-launch';
import type { FromRunner, RunnerConnection, RunnerLauncher, ToRunner } from '../audits/runner-protocol';

export interface PortLike {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (e: { data: unknown }) => void): void;
  start(): void;
  close(): void;
}

export interface ParentPortLike {
  postMessage(message: EngineToMainMessage): void;
  on(event: 'message', listener: (e: { data: unknown; ports: PortLike[] }) => void): void;
}

interface Pending {
  resolve: (c: RunnerConnection) => void;
  reject: (e: Error) => void;
  timer: ReturnType<typeof setTimeout>;
}

export class ElectronRunnerLauncher implements RunnerLauncher {
  private next = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly exits = new Map<number, (code: number | null) => void>();

  constructor(
    private readonly parent: ParentPortLike,
    private readonly startTimeoutMs = 30_000,
  ) {
    parent.on('message', (e) => {
      const m = e.data;
      if (!isMainToEngineMessage(m)) return;
      if (m.type === 'runner-exit') {
        this.exits.get(m.requestId)?.(m.code);
        this.exits.delete(m.requestId);
        return;
      }
      const p = this.pending.get(m.requestId);
      if (!p) return;
      this.pending.delete(m.requestId);
      clearTimeout(p.timer);
      const port = e.ports[0];
      if (m.type === 'runner-failed' || !port) {
        p.reject(new Error(m.type === 'runner-failed' ? m.message : 'Electron main sent no port to the audit runner'));
        return;
      }
      p.resolve(this.connection(m.requestId, m.pid, port));
    });
  }

  launch(): Promise<RunnerConnection> {
    const requestId = this.next++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(requestId);
        reject(new Error(`Electron main did not start the audit runner within ${this.startTimeoutMs / 1000} s`));
      }, this.startTimeoutMs);
      this.pending.set(requestId, { resolve, reject, timer });
      this.parent.postMessage({ type: 'runner-start', requestId });
    });
  }

  private connection(requestId: number, pid: number | null, port: PortLike): RunnerConnection {
    const exitListeners: ((e: { code: number | null; signal: string | null }) => void)[] = [];
    let exited: { code: number | null; signal: string | null } | null = null;
    this.exits.set(requestId, (code) => {
      exited = { code, signal: null };
      port.close();
      for (const l of exitListeners) l(exited);
    });
    port.start();
    return {
      pid,
      send: (message: ToRunner) => {
        if (!exited) port.postMessage(message);
      },
      onMessage: (listener: (m: FromRunner) => void) => port.on('message', (e) => listener(e.data as FromRunner)),
      onExit: (listener) => {
        if (exited) queueMicrotask(() => listener(exited!));
        else exitListeners.push(listener);
      },
      kill: () => this.parent.postMessage({ type: 'runner-kill', requestId }),
    };
  }
}
