/**
 * The engine as an Electron utilityProcess: one ORT, one SQLite writer, and a native
 * crash there never takes a window down. Each client (a window load, main's own file
 * protocol client) gets its own MessageChannel; the engine side of it travels to the
 * child with `{type:'connect'}`. When the child dies unexpectedly it is restarted
 * under the RestartPolicy and listeners are told, so windows can be handed fresh ports.
 * The engine's audit runners (RunnerProcesses) are started on its request and killed
 * when it exits.
 */
import { MessageChannelMain, utilityProcess, type MessagePortMain, type UtilityProcess } from 'electron';
import { DEFAULT_RESTART_POLICY, nextRestartDelay, recentRestarts, type RestartPolicy } from './restart-policy';
import type { RunnerProcesses } from './runner-processes';

export type EngineRole = 'renderer' | 'main';

export interface EngineExit {
  exitCode: number;
  /** false when the restart budget is spent: the engine stays down. */
  restarting: boolean;
}

export interface EngineProcessOptions {
  /** Absolute path of the built engine host (out/node/engine-host.js). */
  entry: string;
  env: Record<string, string>;
  policy?: RestartPolicy;
  now?: () => number;
  log?: (message: string) => void;
  /** starts audit runners for the engine on its request; they die with it */
  runners?: RunnerProcesses;
  /** serves the engine's requests to main (report printing) on each new child */
  onChild?: (child: UtilityProcess) => void;
}

export class EngineProcess {
  private child: UtilityProcess | null = null;
  private spawned = false;
  /** Engine-side ports waiting for the child to finish spawning. */
  private waiting: { port: MessagePortMain; role: EngineRole }[] = [];
  private stopped = false;
  private restarts: number[] = [];
  private restartTimer: ReturnType<typeof setTimeout> | null = null;
  private starts = 0;
  private readonly startListeners = new Set<(restart: boolean) => void>();
  private readonly exitListeners = new Set<(exit: EngineExit) => void>();
  private readonly policy: RestartPolicy;
  private readonly now: () => number;
  private readonly log: (message: string) => void;

  constructor(private readonly options: EngineProcessOptions) {
    this.policy = options.policy ?? DEFAULT_RESTART_POLICY;
    this.now = options.now ?? Date.now;
    this.log = options.log ?? ((message) => console.error(`[odra] ${message}`));
  }

  get running(): boolean {
    return this.child !== null;
  }

  start(): void {
    if (this.child || this.stopped) return;
    const child = utilityProcess.fork(this.options.entry, [], {
      serviceName: 'odra-engine',
      env: this.options.env,
      stdio: 'inherit',
    });
    this.child = child;
    this.spawned = false;
    child.once('spawn', () => {
      if (this.child !== child) return;
      this.spawned = true;
      for (const { port, role } of this.waiting.splice(0)) this.hand(child, port, role);
    });
    child.on('error', (type, location) => this.log(`engine ${type} at ${location}`));
    this.options.runners?.attach(child);
    this.options.onChild?.(child);
    child.once('exit', (code) => this.exited(child, code));
    const restart = this.starts++ > 0;
    for (const listener of this.startListeners) listener(restart);
  }

  /**
   * A new connection to the engine; returns the client's end, or null while the
   * engine is down. Messages posted before the child has spawned are kept by the port.
   */
  connect(role: EngineRole): MessagePortMain | null {
    const child = this.child;
    if (!child) return null;
    const { port1, port2 } = new MessageChannelMain();
    if (this.spawned) this.hand(child, port1, role);
    else this.waiting.push({ port: port1, role });
    return port2;
  }

  /** Called after every start; `restart` is false for the first one. Returns an unsubscribe function. */
  onStart(listener: (restart: boolean) => void): () => void {
    this.startListeners.add(listener);
    return () => this.startListeners.delete(listener);
  }

  /** Called when the engine died without being asked to. Returns an unsubscribe function. */
  onExit(listener: (exit: EngineExit) => void): () => void {
    this.exitListeners.add(listener);
    return () => this.exitListeners.delete(listener);
  }

  /** Stops the engine for good (app quit): no restart, no exit notification. */
  stop(): void {
    this.stopped = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = null;
    const child = this.child;
    this.child = null;
    this.closeWaiting();
    if (child) this.options.runners?.killAll(child);
    child?.kill();
  }

  private hand(child: UtilityProcess, port: MessagePortMain, role: EngineRole): void {
    child.postMessage(role === 'main' ? { type: 'connect', role: 'main' } : { type: 'connect' }, [port]);
  }

  private closeWaiting(): void {
    for (const { port } of this.waiting.splice(0)) port.close();
  }

  private exited(child: UtilityProcess, code: number): void {
    if (this.child !== child) return; // stopped, or an old child
    this.options.runners?.killAll(child);
    this.child = null;
    this.spawned = false;
    this.closeWaiting();
    const now = this.now();
    this.restarts = recentRestarts(this.restarts, now, this.policy);
    const delay = nextRestartDelay(this.restarts, now, this.policy);
    this.log(
      delay === null
        ? `engine exited with code ${code}; ${this.restarts.length} restarts in the last ${this.policy.windowMs / 1000} s, giving up`
        : `engine exited with code ${code}; restarting in ${delay} ms`,
    );
    for (const listener of this.exitListeners) listener({ exitCode: code, restarting: delay !== null });
    if (delay === null) return;
    this.restarts.push(now);
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      this.start();
    }, delay);
  }
}
