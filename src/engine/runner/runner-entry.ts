/**
 * Entry of an audit runner process (out/node/runner.js). Started either by
 * child_process.fork from a Node engine (CLI, `odra serve`; messages over the IPC
 * channel with `serialization: 'advanced'`) or by Electron main as a utilityProcess
 * (messages over a MessagePort that main hands over in `{type:'connect'}`; the engine
 * holds the other end). The runner exits when told to (`shutdown`) and when its engine
 * goes away (the IPC channel disconnects or the port closes), so a killed engine never
 * leaves a runner behind.
 */
import type { FromRunner, ToRunner } from '../audits/runner-protocol';
import { Runner } from './runner';

interface PortLike {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (e: { data: unknown }) => void): void;
  on(event: 'close', listener: () => void): void;
  start(): void;
}
interface ParentPortLike {
  on(event: 'message', listener: (e: { data: unknown; ports: PortLike[] }) => void): void;
}

function attach(send: (message: FromRunner) => void): (message: ToRunner) => void {
  const runner = new Runner({ send });
  return (message) => {
    if (message.type === 'shutdown') {
      void runner.shutdown().finally(() => process.exit(0));
      return;
    }
    runner.handle(message);
  };
}

const parentPort = (process as unknown as { parentPort?: ParentPortLike }).parentPort;
if (parentPort) {
  let connected = false;
  parentPort.on('message', (e) => {
    const data = e.data as { type?: string } | null;
    const port = e.ports[0];
    if (data?.type !== 'connect' || !port || connected) return;
    connected = true;
    const receive = attach((m) => port.postMessage(m));
    port.on('message', (msg) => receive(msg.data as ToRunner));
    port.on('close', () => process.exit(0));
    port.start();
  });
} else if (process.send) {
  const send = process.send.bind(process);
  const receive = attach((m) => {
    send(m);
  });
  process.on('message', (m) => receive(m as ToRunner));
  process.on('disconnect', () => process.exit(0));
} else {
  throw new Error('the audit runner must be started by the Odra engine (child_process.fork or an Electron utilityProcess)');
}
