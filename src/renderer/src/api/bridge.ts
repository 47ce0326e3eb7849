/**
 * `window.odra`, as the Electron preload exposes it (src/preload/api.ts is the source
 * of truth; this mirrors it because the renderer's type project does not include the
 * preload). In browser mode (`odra serve`) the object is absent.
 */
import type { ClientMessage, EngineMessage } from '../../../shared/contract';

export interface PickPathOptions {
  kind: 'file' | 'directory';
  title?: string;
  filters?: { name: string; extensions: string[] }[];
}

export interface EngineRestartEvent {
  type: 'engine-restarted';
  exitCode: number;
  restarting: boolean;
}

export type MenuAction = 'import-dataset' | 'import-model';

export interface OdraBridge {
  send(message: ClientMessage): void;
  onMessage(listener: (message: EngineMessage) => void): void;
  imageUrl(datasetId: number, imageId: number): string;
  /** Optional so an older preload without thumbnails still works (the grid then loads full images). */
  thumbnailUrl?(datasetId: number, imageId: number): string;
  pickPath(options: PickPathOptions): Promise<string | null>;
  /** Optional so an older preload without restart events still works. */
  onEngineRestart?(listener: (event: EngineRestartEvent) => void): () => void;
  onMenu?(listener: (action: MenuAction) => void): () => void;
}

declare global {
  interface Window {
    odra?: OdraBridge;
  }
}

/** The preload's object, or null in a plain browser. */
export function electronBridge(): OdraBridge | null {
  const candidate = window.odra;
  return candidate && typeof candidate.send === 'function' && typeof candidate.onMessage === 'function' ? candidate : null;
}
