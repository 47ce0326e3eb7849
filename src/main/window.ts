/**
 * The main window, and its link to the engine: after every page load (first load,
 * reload) and after every engine restart the page gets a fresh MessagePort; when the
 * engine dies it is told first, so it can fail the calls that were in flight.
 */
import { BrowserWindow, type MessagePortMain } from 'electron';
import { IPC, type EngineRestartEvent } from '../shared/desktop-bridge';
import type { EngineProcess } from './engine-process';
import { secureWebPreferences } from './security';

export interface WindowOptions {
  url: string;
  preload: string;
  devTools: boolean;
  icon?: string;
}

export function createMainWindow(options: WindowOptions): BrowserWindow {
  const window = new BrowserWindow({
    width: 1440,
    height: 900,
    minWidth: 960,
    minHeight: 600,
    show: false,
    title: 'Odra',
    icon: options.icon,
    backgroundColor: '#14171c',
    webPreferences: secureWebPreferences({ preload: options.preload, devTools: options.devTools }),
  });
  window.once('ready-to-show', () => window.show());
  void window.loadURL(options.url);
  return window;
}

/** The part of a WebContents the engine link uses. */
export interface LinkedContents {
  on(event: 'did-finish-load', listener: () => void): unknown;
  once(event: 'destroyed', listener: () => void): unknown;
  isDestroyed(): boolean;
  postMessage(channel: string, message: unknown, transfer?: MessagePortMain[]): void;
  send(channel: string, ...args: unknown[]): void;
}

export function linkToEngine(contents: LinkedContents, engine: EngineProcess): void {
  const handPort = (): void => {
    if (contents.isDestroyed()) return;
    const port = engine.connect('renderer');
    if (port) contents.postMessage(IPC.port, null, [port]);
  };
  contents.on('did-finish-load', handPort);
  const offStart = engine.onStart((restart) => {
    if (restart) handPort();
  });
  const offExit = engine.onExit(({ exitCode, restarting }) => {
    if (contents.isDestroyed()) return;
    const event: EngineRestartEvent = { type: 'engine-restarted', exitCode, restarting };
    contents.send(IPC.engineRestarted, event);
  });
  contents.once('destroyed', () => {
    offStart();
    offExit();
  });
}
