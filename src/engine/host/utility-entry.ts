/**
 * Entry of the engine when Electron runs it as a utilityProcess. Electron main sends
 * `{type:'connect', role?:'main'}` with a MessagePort for each client (a window, or
 * main's own file-protocol client); each port gets its own RpcSession. Only main's
 * connection is privileged. One SQLite writer per process; inference runs in audit
 * runner processes that Electron main starts on request (electron-runner-launcher.ts),
 * and report PDFs are printed by main on request (electron-printer.ts).
 */
import type { EngineMessage } from '../../shared/contract';
import { Engine } from '../engine';
import { RpcSession } from '../rpc/session';
import { ElectronRunnerLauncher, type ParentPortLike as LauncherParentPort } from './electron-runner-launcher';
import { mainProcessPrinter } from './electron-printer';

interface PortLike {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (e: { data: unknown }) => void): void;
  on(event: 'close', listener: () => void): void;
  start(): void;
  close(): void;
}
interface ParentPortLike extends LauncherParentPort {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (e: { data: unknown; ports: PortLike[] }) => void): void;
}

const parentPort = (process as unknown as { parentPort?: ParentPortLike }).parentPort;
if (!parentPort) {
  throw new Error('engine-host must be started by Electron as a utilityProcess');
}
const dbPath = process.env.ODRA_DB;
if (!dbPath) throw new Error('ODRA_DB is not set');
// audit runners are started by Electron main (this process cannot fork Node), and
// report PDFs are printed there (this process has no windows)
const printer = mainProcessPrinter(parentPort, `Electron ${process.versions.electron ?? 'unknown'} printToPDF`);
const engine = new Engine({
  dbPath,
  sqliteBinding: process.env.ODRA_SQLITE_BINDING || undefined,
  runnerLauncher: new ElectronRunnerLauncher(parentPort),
  printer: () => printer,
});

parentPort.on('message', (e) => {
  const data = e.data as { type?: string; role?: string } | null;
  const port = e.ports[0];
  if (data?.type !== 'connect' || !port) return;
  const session = new RpcSession(engine, (m: EngineMessage) => port.postMessage(m), { privileged: data.role === 'main' });
  port.on('message', (msg) => session.receive(msg.data));
  port.on('close', () => session.close());
  port.start();
});
