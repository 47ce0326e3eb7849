/**
 * `window.odra`, as the Electron preload exposes it. Its type is the one definition in
 * src/shared/desktop-bridge.ts (shared by main, the preload and this renderer). In
 * browser mode (`odra serve`) the object is absent.
 */
import type { OdraBridge } from '../../../shared/desktop-bridge';

export type { EngineRestartEvent, MenuAction, OdraBridge, PickPathOptions } from '../../../shared/desktop-bridge';

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
