/**
 * Electron main: bootstrap only. It wires the modules together (security policy,
 * protocols, engine process, window, menu, dialogs) and owns the app's lifecycle.
 * Heavy work never runs here; the engine is a utilityProcess (./engine-process).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { app, BrowserWindow, dialog, Menu, protocol, session, shell } from 'electron';
import { IMAGE_SCHEME, IPC } from '../shared/desktop-bridge';
import { createAppHandler } from './app-protocol';
import { registerDialogHandlers } from './dialogs';
import { EngineProcess } from './engine-process';
import { RunnerProcesses } from './runner-processes';
import { createImageHandler } from './file-protocol';
import { MainEngineClient } from './main-client';
import { buildMenuTemplate } from './menu';
import { servePrintRequests } from './print-service';
import { printHtml } from './printing';
import { chooseSqliteBinding } from './native';
import { registerPrivilegedSchemes } from './schemes';
import { askBeforeOpening, hardenWebContents, installSessionPolicy } from './security';
import { APP_SCHEME, rendererUrl } from './urls';
import { createMainWindow, linkToEngine } from './window';

const APP_NAME = 'Odra';
const isDev = !app.isPackaged;
const appPath = app.getAppPath();
const appUrl = rendererUrl({ isPackaged: app.isPackaged, devServerUrl: process.env.ELECTRON_RENDERER_URL });

// Before `ready`: schemes, sandbox for every renderer, one userData for dev and packaged builds.
registerPrivilegedSchemes();
app.enableSandbox();
app.setName(APP_NAME);
app.setPath('userData', path.join(app.getPath('appData'), APP_NAME));

/** Asks, showing the whole URL, before a link leaves the app for the system browser. */
async function confirmOpenExternal(url: string): Promise<boolean> {
  const parent = BrowserWindow.getFocusedWindow();
  const options = {
    type: 'question' as const,
    buttons: ['Open in browser', 'Cancel'],
    defaultId: 1,
    cancelId: 1,
    message: 'Open this link in your web browser?',
    detail: url,
  };
  const { response } = parent ? await dialog.showMessageBox(parent, options) : await dialog.showMessageBox(options);
  return response === 0;
}

app.on('web-contents-created', (_event, contents) => {
  hardenWebContents(contents, { appUrl, openExternal: askBeforeOpening(confirmOpenExternal, (url) => void shell.openExternal(url)) });
});

function readText(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

function packageVersion(name: string): string | null {
  const text = readText(path.join(appPath, 'node_modules', name, 'package.json'));
  if (text === null) return null;
  try {
    const version: unknown = (JSON.parse(text) as { version?: unknown }).version;
    return typeof version === 'string' ? version : null;
  } catch {
    return null;
  }
}

function engineEnv(): { env: Record<string, string>; problem: string | null } {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) if (value !== undefined) env[key] = value;
  env.ODRA_DB = path.join(app.getPath('userData'), 'odra.db');
  if (env.ODRA_SQLITE_BINDING) return { env, problem: null };
  const choice = chooseSqliteBinding({
    isPackaged: app.isPackaged,
    appPath,
    resourcesPath: process.resourcesPath,
    electronVersion: process.versions.electron,
    platform: process.platform,
    arch: process.arch,
    sqliteVersion: app.isPackaged ? null : packageVersion('better-sqlite3'),
    readText,
    exists: existsSync,
  });
  if (choice.binding === null) return { env, problem: choice.problem };
  env.ODRA_SQLITE_BINDING = choice.binding;
  return { env, problem: null };
}

let mainWindow: BrowserWindow | null = null;

function openMainWindow(engine: EngineProcess): void {
  const window = createMainWindow({
    url: appUrl,
    preload: path.join(appPath, 'out/preload/index.cjs'),
    devTools: isDev,
    icon: path.join(appPath, 'resources/icon.png'),
  });
  linkToEngine(window.webContents, engine, appUrl);
  window.webContents.on('render-process-gone', (_event, details) => {
    console.error(`[odra] renderer gone: ${details.reason} (exit code ${details.exitCode})`);
  });
  window.on('closed', () => {
    if (mainWindow === window) mainWindow = null;
  });
  mainWindow = window;
}

async function boot(): Promise<void> {
  await app.whenReady();
  installSessionPolicy(session.defaultSession, appUrl);
  protocol.handle(APP_SCHEME, createAppHandler(path.join(appPath, 'out/renderer')));

  const { env, problem } = engineEnv();
  if (problem) console.warn(`[odra] ${problem}`);
  const runners = new RunnerProcesses({ entry: path.join(appPath, 'out/node/runner.js'), env });
  const engine = new EngineProcess({
    entry: path.join(appPath, 'out/node/engine-host.js'),
    env,
    runners,
    onChild: (child) => servePrintRequests(child, printHtml),
  });
  const mainClient = new MainEngineClient(engine);
  engine.onExit(({ exitCode, restarting }) => {
    if (restarting) return;
    dialog.showErrorBox(
      'Odra engine stopped',
      `The engine process keeps exiting (last exit code ${exitCode}) and was not restarted again.` +
        (problem ? `\n\n${problem}` : '') +
        '\n\nRestart Odra; if this persists, run it from a terminal to see the engine log.',
    );
  });
  protocol.handle(
    IMAGE_SCHEME,
    createImageHandler(
      ({ kind, datasetId, imageId }, signal) =>
        mainClient.call(kind === 'thumbnail' ? 'datasets.thumbnailPath' : 'datasets.imagePath', { datasetId, imageId }, 15_000, signal),
      appUrl,
    ),
  );
  registerDialogHandlers(appUrl);

  app.setAboutPanelOptions({
    applicationName: APP_NAME,
    applicationVersion: app.getVersion(),
    version: `Electron ${process.versions.electron}`,
    copyright: 'Apache-2.0',
  });
  Menu.setApplicationMenu(
    Menu.buildFromTemplate(
      buildMenuTemplate({
        appName: APP_NAME,
        isMac: process.platform === 'darwin',
        isDev,
        sendAction: (action) => {
          const target = BrowserWindow.getFocusedWindow() ?? mainWindow;
          target?.webContents.send(IPC.menu, action);
        },
        showAbout: () => app.showAboutPanel(),
      }),
    ),
  );

  engine.start();
  openMainWindow(engine);

  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) openMainWindow(engine);
  });
  app.on('will-quit', () => engine.stop());
}

// One instance per user: the engine is the store's only writer.
if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => {
    if (!mainWindow) return;
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.focus();
  });
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  boot().catch((err: unknown) => {
    dialog.showErrorBox('Odra failed to start', err instanceof Error ? (err.stack ?? err.message) : String(err));
    app.exit(1);
  });
}
