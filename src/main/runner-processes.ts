/**
 * Audit runner processes for the engine when it runs as a utilityProcess (it cannot
 * fork Node: RunAsNode is off). On the engine's `runner-start` this starts
 * out/node/runner.js as another utilityProcess, connects the two with a
 * MessageChannelMain (the runner's end in `{type:'connect'}`, the engine's end in
 * `runner-port`) and tells the engine when the runner exits. The runners of an engine
 * are killed when that engine exits, so a crashed engine never leaves one behind.
 * Protocol: src/shared/runner-launch.ts.
 */
import { MessageChannelMain, utilityProcess, type UtilityProcess } from 'electron';
import { isEngineToMainMessage, type MainToEngineMessage } from '../shared/runner-launch';

/** The engine child as main sees it (UtilityProcess, or a stand-in in tests). */
export interface EngineChild {
  postMessage(message: MainToEngineMessage, transfer?: Electron.MessagePortMain[]): void;
  on(event: 'message', listener: (message: unknown) => void): unknown;
}

export interface RunnerProcessesOptions {
  /** Absolute path of the built runner (out/node/runner.js). */
  entry: string;
  env: Record<string, string>;
  log?: (message: string) => void;
}

export class RunnerProcesses {
  private readonly runners = new Map<EngineChild, Map<number, UtilityProcess>>();
  private readonly log: (message: string) => void;

  constructor(private readonly options: RunnerProcessesOptions) {
    this.log = options.log ?? ((message) => console.error(`[odra] ${message}`));
  }

  /** Serves one engine child's runner requests. */
  attach(engine: EngineChild): void {
    const mine = new Map<number, UtilityProcess>();
    this.runners.set(engine, mine);
    engine.on('message', (message) => {
      if (!isEngineToMainMessage(message)) return;
      if (message.type === 'runner-kill') {
        mine.get(message.requestId)?.kill();
        return;
      }
      this.start(engine, mine, message.requestId);
    });
  }

  /** Kills the runners of an engine (it exited) or of every engine (app quit). */
  killAll(engine?: EngineChild): void {
    for (const [e, mine] of this.runners) {
      if (engine && e !== engine) continue;
      for (const child of mine.values()) child.kill();
      mine.clear();
      if (engine) this.runners.delete(e);
    }
  }

  /** Runners alive now, over all engines. */
  get count(): number {
    let n = 0;
    for (const mine of this.runners.values()) n += mine.size;
    return n;
  }

  private start(engine: EngineChild, mine: Map<number, UtilityProcess>, requestId: number): void {
    let child: UtilityProcess;
    try {
      child = utilityProcess.fork(this.options.entry, [], { serviceName: 'odra-runner', env: this.options.env, stdio: 'inherit' });
    } catch (err) {
      engine.postMessage({ type: 'runner-failed', requestId, message: `cannot start the audit runner: ${err instanceof Error ? err.message : String(err)}` });
      return;
    }
    mine.set(requestId, child);
    child.once('spawn', () => {
      const { port1, port2 } = new MessageChannelMain();
      child.postMessage({ type: 'connect' }, [port1]);
      engine.postMessage({ type: 'runner-port', requestId, pid: child.pid ?? null }, [port2]);
    });
    child.once('exit', (code) => {
      mine.delete(requestId);
      if (code !== 0) this.log(`audit runner ${requestId} exited with code ${code}`);
      engine.postMessage({ type: 'runner-exit', requestId, code });
    });
  }
}
