/**
 * The logic behind `window.odra`, written against two small interfaces instead of
 * Electron's so it runs (and is tested) under plain Node with real MessagePorts.
 *
 * The engine port arrives asynchronously after each page load and again after an
 * engine restart; sends made before that are queued. Messages go out as plain JSON
 * (a JSON round trip drops `undefined` and turns dates and class instances into plain
 * data), so what the engine receives is what a WebSocket client would send. Note that
 * contextBridge itself refuses Proxies (Vue reactive state) before the preload sees
 * them: the renderer must pass plain objects (toRaw or a copy).
 */
import type { ClientMessage, EngineMessage } from '../shared/contract';
import {
  imageUrl,
  thumbnailUrl,
  IPC,
  isMenuAction,
  type EngineRestartEvent,
  type MenuAction,
  type OdraBridge,
  type PickPathOptions,
} from '../shared/desktop-bridge';

/** The subset of a DOM MessagePort the bridge uses. */
export interface PortLike {
  postMessage(message: unknown): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
  start(): void;
  close(): void;
}

/** The subset of Electron's ipcRenderer the bridge uses. */
export interface IpcLike {
  on(channel: string, listener: (event: { ports: readonly PortLike[] }, ...args: unknown[]) => void): unknown;
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
}

function toPlainJson<T>(value: T, what: string): T {
  const text = JSON.stringify(value);
  if (text === undefined) throw new TypeError(`${what} is not JSON-serializable`);
  return JSON.parse(text) as T;
}

function toRestartEvent(raw: unknown): EngineRestartEvent {
  const info = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  return {
    type: 'engine-restarted',
    exitCode: typeof info.exitCode === 'number' ? info.exitCode : -1,
    restarting: info.restarting === true,
  };
}

function subscribe<T>(set: Set<(value: T) => void>, listener: (value: T) => void): () => void {
  if (typeof listener !== 'function') throw new TypeError('listener must be a function');
  set.add(listener);
  return () => {
    set.delete(listener);
  };
}

export function createBridge(ipc: IpcLike): OdraBridge {
  let port: PortLike | null = null;
  const queue: ClientMessage[] = [];
  let messageListener: ((message: EngineMessage) => void) | null = null;
  const restartListeners = new Set<(event: EngineRestartEvent) => void>();
  const menuListeners = new Set<(action: MenuAction) => void>();

  ipc.on(IPC.port, (event) => {
    const next = event.ports[0];
    if (!next) return;
    port?.close();
    port = next;
    next.addEventListener('message', (e) => {
      // A replaced port may still deliver a late message; its calls were already failed.
      if (port === next) messageListener?.(e.data as EngineMessage);
    });
    next.start();
    for (const message of queue.splice(0)) next.postMessage(message);
  });

  ipc.on(IPC.engineRestarted, (_event, info) => {
    port?.close();
    port = null;
    const restart = toRestartEvent(info);
    for (const listener of restartListeners) listener(restart);
  });

  ipc.on(IPC.menu, (_event, action) => {
    if (!isMenuAction(action)) return;
    for (const listener of menuListeners) listener(action);
  });

  return {
    send(message) {
      if (typeof message !== 'object' || message === null) throw new TypeError('message must be an object');
      const plain = toPlainJson(message, 'message');
      if (port) port.postMessage(plain);
      else queue.push(plain);
    },
    onMessage(listener) {
      if (typeof listener !== 'function') throw new TypeError('listener must be a function');
      messageListener = listener;
    },
    imageUrl: (datasetId: number, imageId: number) => imageUrl(datasetId, imageId),
    thumbnailUrl,
    async pickPath(options: PickPathOptions) {
      const result = await ipc.invoke(IPC.pickPath, toPlainJson(options, 'options'));
      return typeof result === 'string' ? result : null;
    },
    onEngineRestart: (listener) => subscribe(restartListeners, listener),
    onMenu: (listener) => subscribe(menuListeners, listener),
  };
}
