/**
 * Runner processes in Node (CLI, `odra serve`, tests): child_process.fork of the built
 * runner bundle, messages as structured clones over the IPC channel
 * (`serialization: 'advanced'`, so packed detections travel as bytes). The child gets
 * no execArgv of ours (no test loaders), inherits stderr so a native crash message is
 * seen, and exits when this process goes away (runner-entry.ts).
 */
import { fork, type ChildProcess } from 'node:child_process';
import type { FromRunner, RunnerConnection, RunnerLauncher, ToRunner } from './runner-protocol';
import { findBundle } from '../util/bundle-path';

export class ForkRunnerLauncher implements RunnerLauncher {
  constructor(private readonly script: string = findBundle('runner.js')) {}

  launch(): Promise<RunnerConnection> {
    const child = fork(this.script, [], { serialization: 'advanced', stdio: ['ignore', 'ignore', 'inherit', 'ipc'], execArgv: [] });
    return new Promise((resolve, reject) => {
      child.once('spawn', () => resolve(connection(child)));
      child.once('error', (err) => reject(new Error(`cannot start the audit runner (${this.script}): ${err.message}`)));
    });
  }
}

function connection(child: ChildProcess): RunnerConnection {
  return {
    pid: child.pid ?? null,
    send(message: ToRunner) {
      if (child.connected) child.send(message);
    },
    onMessage(listener: (message: FromRunner) => void) {
      child.on('message', (m) => listener(m as FromRunner));
    },
    onExit(listener) {
      if (child.exitCode !== null || child.signalCode !== null) {
        queueMicrotask(() => listener({ code: child.exitCode, signal: child.signalCode }));
        return;
      }
      child.once('exit', (code, signal) => listener({ code, signal }));
    },
    kill() {
      child.kill('SIGKILL');
    },
  };
}
