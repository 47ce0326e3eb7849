/**
 * Runs src/main/index.ts against a fake Electron and checks the wiring that only
 * the bootstrap does: what happens before `ready`, which protocols and handlers are
 * installed, how the engine is started and how the window is made.
 */
import { EventEmitter } from 'node:events';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import type { FakeChild } from './fake-electron';

const log = vi.hoisted(() => ({
  calls: [] as string[],
  schemes: [] as { scheme: string; privileges: Record<string, boolean> }[],
  handled: new Map<string, unknown>(),
  ipc: new Map<string, unknown>(),
  forks: [] as FakeChild[],
  windows: [] as { options: { webPreferences?: Record<string, unknown> }; url: string | null; webContents: EventEmitter }[],
  appEvents: new Map<string, ((...args: unknown[]) => void)[]>(),
  menu: null as unknown,
  permission: null as null | ((wc: unknown, p: string, cb: (ok: boolean) => void) => void),
}));

vi.mock('electron', async () => {
  const fake = await import('./fake-electron');
  const { EventEmitter: Emitter } = await import('node:events');
  const paths: Record<string, string> = { appData: '/home/u/.config' };
  const app = {
    isPackaged: false,
    getAppPath: () => '/repo',
    getPath: (name: string) => paths[name] ?? `/tmp/${name}`,
    setPath: (name: string, value: string) => {
      log.calls.push(`setPath:${name}`);
      paths[name] = value;
    },
    setName: () => log.calls.push('setName'),
    enableSandbox: () => log.calls.push('enableSandbox'),
    requestSingleInstanceLock: () => true,
    whenReady: () => {
      log.calls.push('whenReady');
      return Promise.resolve();
    },
    on: (event: string, fn: (...args: unknown[]) => void) => log.appEvents.set(event, [...(log.appEvents.get(event) ?? []), fn]),
    quit: () => log.calls.push('quit'),
    exit: () => log.calls.push('exit'),
    getVersion: () => '0.1.0',
    setAboutPanelOptions: () => {},
    showAboutPanel: () => {},
  };
  class BrowserWindow extends Emitter {
    static all: BrowserWindow[] = [];
    static getAllWindows = () => BrowserWindow.all;
    static getFocusedWindow = () => null;
    static fromWebContents = () => null;
    webContents: EventEmitter;
    rec: (typeof log.windows)[number];
    constructor(options: (typeof log.windows)[number]['options']) {
      super();
      const wc = Object.assign(new Emitter(), {
        isDestroyed: () => false,
        postMessage: (channel: string) => log.calls.push(`post:${channel}`),
        send: (channel: string) => log.calls.push(`send:${channel}`),
      });
      this.webContents = wc;
      this.rec = { options, url: null, webContents: wc };
      log.windows.push(this.rec);
      BrowserWindow.all.push(this);
    }
    loadURL(url: string): Promise<void> {
      this.rec.url = url;
      return Promise.resolve();
    }
    show(): void {}
  }
  return {
    app,
    BrowserWindow,
    protocol: {
      registerSchemesAsPrivileged: (s: typeof log.schemes) => {
        log.calls.push('registerSchemes');
        log.schemes.push(...s);
      },
      handle: (scheme: string, fn: unknown) => log.handled.set(scheme, fn),
    },
    session: {
      defaultSession: {
        setPermissionRequestHandler: (h: typeof log.permission) => (log.permission = h),
        setPermissionCheckHandler: () => {},
        setDevicePermissionHandler: () => {},
        webRequest: { onHeadersReceived: () => {} },
      },
    },
    shell: { openExternal: vi.fn() },
    dialog: { showErrorBox: vi.fn(), showOpenDialog: vi.fn() },
    ipcMain: { handle: (channel: string, fn: unknown) => log.ipc.set(channel, fn) },
    Menu: {
      buildFromTemplate: (t: unknown) => t,
      setApplicationMenu: (m: unknown) => (log.menu = m),
    },
    utilityProcess: {
      fork: (modulePath: string, args: string[], options: Record<string, unknown>) => {
        const child = new fake.FakeChild(modulePath, args, options);
        log.forks.push(child);
        return child;
      },
    },
    MessageChannelMain: fake.FakeChannel,
  };
});

function emitApp(event: string, ...args: unknown[]): void {
  for (const fn of log.appEvents.get(event) ?? []) fn(...args);
}

describe('main bootstrap', () => {
  it('wires security, protocols, the engine and the window', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    await import('../../../src/main/index');
    // whenReady's work ends with the window
    await vi.waitFor(() => expect(log.windows).toHaveLength(1));

    // Before ready: privileged schemes, sandbox for all renderers, userData.
    const ready = log.calls.indexOf('whenReady');
    for (const early of ['registerSchemes', 'enableSandbox', 'setPath:userData']) {
      expect(log.calls.indexOf(early), early).toBeGreaterThanOrEqual(0);
      expect(log.calls.indexOf(early), early).toBeLessThan(ready);
    }
    expect(log.schemes.map((s) => s.scheme).sort()).toEqual(['odra-app', 'odra-file']);
    expect(log.schemes.every((s) => s.privileges.standard && s.privileges.secure)).toBe(true);

    expect([...log.handled.keys()].sort()).toEqual(['odra-app', 'odra-file']);
    expect([...log.ipc.keys()]).toEqual(['odra:pick-path']);
    expect(log.menu).toBeTruthy();
    const granted = vi.fn();
    log.permission?.({}, 'notifications', granted);
    expect(granted).toHaveBeenCalledWith(false);

    expect(log.forks).toHaveLength(1);
    const child = log.forks[0]!;
    expect(child.modulePath).toBe(path.join('/repo', 'out/node/engine-host.js'));
    expect((child.options.env as Record<string, string>).ODRA_DB).toBe(path.join('/home/u/.config', 'Odra', 'odra.db'));

    expect(log.windows).toHaveLength(1);
    const win = log.windows[0]!;
    expect(win.url).toBe('odra-app://app/index.html');
    expect(win.options.webPreferences).toMatchObject({
      preload: path.join('/repo', 'out/preload/index.cjs'),
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      devTools: true,
    });

    // Every webContents gets hardened.
    const contents = Object.assign(new EventEmitter(), { setWindowOpenHandler: vi.fn() });
    emitApp('web-contents-created', {}, contents);
    expect(contents.setWindowOpenHandler).toHaveBeenCalledOnce();
    expect(contents.listenerCount('will-navigate')).toBe(1);
    expect(contents.listenerCount('will-attach-webview')).toBe(1);

    // The page gets its port after loading, once the engine has spawned.
    child.emit('spawn');
    win.webContents.emit('did-finish-load');
    expect(log.calls).toContain('post:odra:port');
    expect(child.posted.map((p) => p.message)).toEqual([{ type: 'connect', role: 'main' }, { type: 'connect' }]);

    // Quitting stops the engine for good.
    emitApp('will-quit');
    expect(child.killed).toBe(true);
  });
});
