/**
 * The desktop bridge's one definition: what the preload exposes as `window.odra`
 * (OdraBridge), the IPC channel names main and the preload agree on, the menu actions,
 * and the `odra-file:` image URL scheme. Types and pure constants only (no Electron, no
 * Node, no DOM), so main, the preload and the renderer all import this module and
 * none of them imports another process's folder.
 */
import type { ClientMessage, EngineMessage } from './contract';

export const IPC = {
  /** main -> renderer: a MessagePort to the engine in `event.ports[0]` (after every load and after a restart) */
  port: 'odra:port',
  /** main -> renderer: the engine process died; the current port is dead */
  engineRestarted: 'odra:engine-restarted',
  /** main -> renderer: an application-menu action */
  menu: 'odra:menu',
  /** renderer -> main (invoke): a native open or save dialog */
  pickPath: 'odra:pick-path',
} as const;

export const MENU_ACTIONS = ['import-dataset', 'import-model'] as const;
export type MenuAction = (typeof MENU_ACTIONS)[number];

export function isMenuAction(value: unknown): value is MenuAction {
  return typeof value === 'string' && (MENU_ACTIONS as readonly string[]).includes(value);
}

export interface PickPathFilter {
  name: string;
  extensions: string[];
}

export interface PickPathOptions {
  /** file / directory: an open dialog; save: a save dialog (the file may not exist yet) */
  kind: 'file' | 'directory' | 'save';
  title?: string;
  filters?: PickPathFilter[];
  /** where a save dialog starts (folder and file name) */
  defaultPath?: string;
}

/**
 * Sent when the engine process exited unexpectedly. Every call in flight on the old
 * port is lost: the renderer fails them (OdraClient.failAll). When `restarting` is
 * true a fresh port follows and calls made from now on are queued for it; when false
 * main gave up (too many crashes in a short time) and the app must be restarted.
 */
export interface EngineRestartEvent {
  type: 'engine-restarted';
  exitCode: number;
  restarting: boolean;
}

export interface OdraBridge {
  /** Posts one contract message to the engine; queued until a port is there. Must be plain JSON. */
  send(message: ClientMessage): void;
  /** Sets the single listener for engine messages (a later call replaces it). */
  onMessage(listener: (message: EngineMessage) => void): void;
  /** URL of a dataset image, served by main's `odra-file:` protocol. */
  imageUrl(datasetId: number, imageId: number): string;
  /** URL of the grid thumbnail of a dataset image (same protocol). */
  thumbnailUrl(datasetId: number, imageId: number): string;
  /** A native open or save dialog; resolves to the chosen path, or null when cancelled. */
  pickPath(options: PickPathOptions): Promise<string | null>;
  /** See EngineRestartEvent. Returns a function that removes the listener. */
  onEngineRestart(listener: (event: EngineRestartEvent) => void): () => void;
  /** Application-menu actions (File > Import dataset..., ...). Returns a function that removes the listener. */
  onMenu(listener: (action: MenuAction) => void): () => void;
}

export const IMAGE_SCHEME = 'odra-file';

export function imageUrl(datasetId: number, imageId: number, kind: 'image' | 'thumbnail' = 'image'): string {
  if (!Number.isSafeInteger(datasetId) || datasetId < 0) throw new TypeError(`invalid dataset id ${String(datasetId)}`);
  if (!Number.isSafeInteger(imageId)) throw new TypeError(`invalid image id ${String(imageId)}`);
  return `${IMAGE_SCHEME}://dataset/${datasetId}/${kind}/${imageId}`;
}

export function thumbnailUrl(datasetId: number, imageId: number): string {
  return imageUrl(datasetId, imageId, 'thumbnail');
}
