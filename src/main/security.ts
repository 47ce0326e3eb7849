/**
 * Electron's security checklist, applied in one place: web preferences for every
 * window, navigation / new-window / webview locks for every webContents, permission
 * and CSP policy for the session, and the IPC sender check.
 * https://www.electronjs.org/docs/latest/tutorial/security
 */
import type { WebPreferences } from 'electron';
import { externalUrl, sameOrigin } from './urls';

/** Same policy as the renderer's meta tag; the header makes it hold even if the page loses the tag. */
export const CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob: odra-file:; " +
  "connect-src 'self' odra-file:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

export function secureWebPreferences(options: { preload?: string; devTools: boolean }): WebPreferences {
  return {
    preload: options.preload,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    webviewTag: false,
    navigateOnDragDrop: false,
    safeDialogs: true,
    // The spellchecker downloads dictionaries; Odra is an offline tool.
    spellcheck: false,
    devTools: options.devTools,
  };
}

interface PreventableEvent {
  preventDefault(): void;
}

/** The part of a WebContents that hardening touches. */
export interface HardenableContents {
  on(event: 'will-navigate' | 'will-redirect', listener: (event: PreventableEvent, url: string) => void): unknown;
  on(event: 'will-attach-webview', listener: (event: PreventableEvent) => void): unknown;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void;
}

export interface HardenOptions {
  /** The only origin pages may navigate within. */
  appUrl: string;
  /** Opens a vetted http(s) URL in the system browser (shell.openExternal). */
  openExternal: (url: string) => void;
}

export function hardenWebContents(contents: HardenableContents, options: HardenOptions): void {
  const keepInApp = (event: PreventableEvent, url: string): void => {
    if (!sameOrigin(url, options.appUrl)) event.preventDefault();
  };
  contents.on('will-navigate', keepInApp);
  contents.on('will-redirect', keepInApp);
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    const external = externalUrl(url);
    if (external) options.openExternal(external);
    return { action: 'deny' };
  });
}

/** Response headers with our CSP replacing whatever the server sent (header names are case-insensitive). */
export function withContentSecurityPolicy(
  headers: Record<string, string[]> | undefined,
): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (name.toLowerCase() !== 'content-security-policy') out[name] = value;
  }
  out['Content-Security-Policy'] = [CONTENT_SECURITY_POLICY];
  return out;
}

/** The part of a Session that the policy touches. */
export interface PolicySession {
  setPermissionRequestHandler(
    handler: (webContents: unknown, permission: string, callback: (granted: boolean) => void) => void,
  ): void;
  setPermissionCheckHandler(handler: () => boolean): void;
  setDevicePermissionHandler(handler: () => boolean): void;
  webRequest: {
    onHeadersReceived(
      listener: (
        details: { url: string; responseHeaders?: Record<string, string[]> },
        callback: (response: { responseHeaders?: Record<string, string[]> }) => void,
      ) => void,
    ): void;
  };
}

export function installSessionPolicy(session: PolicySession, appUrl: string): void {
  // Odra needs no camera, notifications, geolocation, HID...: deny every request and check.
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
  session.setDevicePermissionHandler(() => false);
  session.webRequest.onHeadersReceived((details, callback) => {
    if (!sameOrigin(details.url, appUrl)) {
      callback({});
      return;
    }
    callback({ responseHeaders: withContentSecurityPolicy(details.responseHeaders) });
  });
}

/**
 * IPC is answered only for the app's own top-level page: not for a frame that
 * navigated elsewhere, not for subframes, not after the frame is gone.
 */
export function isTrustedSender(frame: { url: string; parent: unknown } | null | undefined, appUrl: string): boolean {
  if (!frame || frame.parent !== null) return false;
  return sameOrigin(frame.url, appUrl);
}
