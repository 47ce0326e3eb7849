/**
 * How the engine, when Electron runs it as a utilityProcess, gets audit runner
 * processes: it cannot fork Node itself (Electron's RunAsNode fuse is off), so it asks
 * Electron main over its parentPort, and main starts the runner as another
 * utilityProcess and hands the engine a MessagePort to it.
 *
 *   engine -> main   {type:'runner-start', requestId}
 *                    {type:'runner-kill', requestId}            ends that runner now
 *   main -> engine   {type:'runner-port', requestId, pid} + [port]   the runner's end is connected
 *                    {type:'runner-failed', requestId, message}       it could not be started
 *                    {type:'runner-exit', requestId, code}            it ended (asked to or not)
 *
 * Types only: main and the engine host both import this file.
 */
export type EngineToMainMessage = { type: 'runner-start'; requestId: number } | { type: 'runner-kill'; requestId: number };

export type MainToEngineMessage =
  | { type: 'runner-port'; requestId: number; pid: number | null }
  | { type: 'runner-failed'; requestId: number; message: string }
  | { type: 'runner-exit'; requestId: number; code: number | null };

export function isEngineToMainMessage(value: unknown): value is EngineToMainMessage {
  if (typeof value !== 'object' || value === null) return false;
  const m = value as { type?: unknown; requestId?: unknown };
  return (m.type === 'runner-start' || m.type === 'runner-kill') && Number.isInteger(m.requestId);
}

export function isMainToEngineMessage(value: unknown): value is MainToEngineMessage {
  if (typeof value !== 'object' || value === null) return false;
  const m = value as { type?: unknown; requestId?: unknown };
  return (m.type === 'runner-port' || m.type === 'runner-failed' || m.type === 'runner-exit') && Number.isInteger(m.requestId);
}
