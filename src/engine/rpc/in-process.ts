/**
 * The in-process transport (CLI, tests): the same RpcSession as the other transports,
 * with messages passed as structured clones so nothing can depend on shared objects.
 */
import type { ClientMessage, EngineMessage } from '../../shared/contract';
import { OdraClient, type Transport } from '../../shared/client';
import type { Engine } from '../engine';
import { RpcSession } from './session';

export function inProcessClient(engine: Engine, options: { privileged?: boolean } = { privileged: true }): OdraClient {
  let listener: ((m: EngineMessage) => void) | null = null;
  const session = new RpcSession(engine, (m) => listener?.(structuredClone(m)), options);
  const transport: Transport = {
    send: (m: ClientMessage) => session.receive(structuredClone(m)),
    onMessage: (l) => {
      listener = l;
    },
  };
  return new OdraClient(transport);
}
