/**
 * What every end-to-end test needs: the built app, `odra serve` on a fresh store in a
 * temporary folder, Debian's Chromium with console errors and CSP refusals collected
 * (startSession / endSession), the app opened with the server's token (openApp), the
 * shared data imported through the UI (importDataset / importModel; inside a test only,
 * as they wait with expect.poll), screenshots under test-results/e2e/.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { makeTempDir, removeDir } from '../helpers/broken-datasets';

export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];
export const repoRoot = process.cwd();
/** The odra entry to start; ODRA_E2E_CLI points at another build's cli.js (its renderer in ../renderer). */
export const odraEntry = process.env.ODRA_E2E_CLI ? path.resolve(process.env.ODRA_E2E_CLI) : path.join(repoRoot, 'bin', 'odra.mjs');
export const shotsDir = path.join(repoRoot, 'test-results', 'e2e');

/** Throws, naming what to do, when Chromium or the built app is missing; makes the screenshot folder. */
export async function checkPrerequisites(): Promise<void> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium)`);
  const buildDir = process.env.ODRA_E2E_CLI ? path.dirname(path.dirname(odraEntry)) : path.join(repoRoot, 'out');
  for (const built of ['node/cli.js', 'renderer/index.html']) {
    const file = path.join(buildDir, built);
    if (!existsSync(file)) throw new Error(`${file} is missing: run "npm run build" first`);
  }
  await mkdir(shotsDir, { recursive: true });
}

export interface Server {
  process: ChildProcess;
  url: string;
  output: () => string;
}

/** Starts `odra serve` and resolves with the first http URL it prints. */
export function startServer(dbPath: string): Promise<Server> {
  const child = spawn(process.execPath, [odraEntry, 'serve', '--port', '0', '--db', dbPath], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const output = (): string => `stdout:\n${stdout}\nstderr:\n${stderr}`;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`odra serve printed no URL within 60 s\n${output()}`));
    }, 60_000);
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /http:\/\/127\.0\.0\.1:\d+\/\S*/.exec(stdout);
      if (match) {
        clearTimeout(timer);
        resolve({ process: child, url: match[0], output });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`odra serve exited with code ${code} before printing its URL\n${output()}`));
    });
  });
}

export async function stopServer(server: Server | undefined): Promise<void> {
  const child = server?.process;
  if (!child || child.exitCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

export interface BrowserSession {
  browser: Browser;
  page: Page;
  /** console errors and uncaught page errors, in order */
  consoleErrors: string[];
}

/** Chromium with one page that records console errors and every CSP refusal (read with cspViolations). */
export async function openBrowser(viewport = { width: 1360, height: 900 }): Promise<BrowserSession> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  page.setDefaultTimeout(30_000);
  const consoleErrors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(`console: ${message.text()} (${message.location().url})`);
  });
  page.on('pageerror', (error) => consoleErrors.push(`page error: ${error.message}`));
  // CSP refusals are not always printed to the console; collect them from the page itself.
  await page.addInitScript({
    content:
      "window.__odraCsp = []; document.addEventListener('securitypolicyviolation', (e) => window.__odraCsp.push(e.violatedDirective + ' ' + e.blockedURI));",
  });
  return { browser, page, consoleErrors };
}

/** One test file's world: a temporary folder, `odra serve` on tmp/odra.db, Chromium with one page. */
export interface E2eSession extends BrowserSession {
  /** removed with everything in it by endSession */
  tmp: string;
  server: Server;
}

export interface SessionOptions {
  viewport?: { width: number; height: number };
  /** runs before the server starts, e.g. to write a dataset into tmp or fill the store at dbPath with the CLI */
  prepare?: (tmp: string, dbPath: string) => Promise<void>;
}

/**
 * Checks the prerequisites, makes a temporary folder named after `name`, starts
 * `odra serve` on a fresh store in it and opens Chromium. What it made is removed again
 * when a step fails, so a failed start leaves no server or folder behind.
 */
export async function startSession(name: string, options: SessionOptions = {}): Promise<E2eSession> {
  await checkPrerequisites();
  const tmp = await makeTempDir(name);
  let server: Server | undefined;
  try {
    const dbPath = path.join(tmp, 'odra.db');
    await options.prepare?.(tmp, dbPath);
    server = await startServer(dbPath);
    return { tmp, server, ...(await openBrowser(options.viewport)) };
  } catch (err) {
    await stopServer(server);
    await removeDir(tmp);
    throw err;
  }
}

/** Closes the browser, stops the server and removes the folder; nothing to do when the session never started. */
export async function endSession(session: E2eSession | undefined): Promise<void> {
  if (!session) return;
  await session.browser.close();
  await stopServer(session.server);
  await removeDir(session.tmp);
}

/**
 * Opens the app with the server's token (at `hash`, e.g. '#/?preset=smoke') and waits until
 * it is connected to the engine. A Playwright wait, not expect.poll, so beforeAll can use it.
 */
export async function openApp(page: Page, server: Server, hash = ''): Promise<void> {
  await page.goto(`${server.url}${hash}`);
  await page.getByTestId('connection').filter({ hasText: /\bconnected\b/ }).waitFor();
}

/** Opens the app on an empty store, which opens on the welcome screen, and waits for that screen. */
export async function openEmptyApp(page: Page, server: Server): Promise<void> {
  await openApp(page, server);
  await page.getByTestId('welcome-demo').waitFor();
}

export interface DatasetImport {
  /** the format select's value; detected from the folder when absent */
  format?: string;
  split?: string;
  /** how long the import may take (default 120 s) */
  timeoutMs?: number;
}

/** Imports a dataset folder on the Datasets view; resolves once its row is listed and the form is free again. */
export async function importDataset(page: Page, dir: string, options: DatasetImport = {}): Promise<void> {
  await page.getByTestId('nav-datasets').click();
  await page.getByTestId('dataset-path').fill(dir);
  if (options.format) await page.getByTestId('dataset-format').selectOption(options.format);
  if (options.split) await page.getByTestId('dataset-split').fill(options.split);
  const before = await page.getByTestId('dataset-row').count();
  await page.getByTestId('dataset-import').click();
  await expect.poll(() => page.getByTestId('dataset-row').count(), { timeout: options.timeoutMs ?? 120_000 }).toBe(before + 1);
  await expect.poll(() => page.getByTestId('dataset-import').textContent()).toContain('Import dataset');
}

/** Imports a model file on the Models view; resolves once its row is listed. */
export async function importModel(page: Page, file: string, timeoutMs = 120_000): Promise<void> {
  await page.getByTestId('nav-models').click();
  const before = await page.getByTestId('model-row').count();
  await page.getByTestId('model-path').fill(file);
  await page.getByTestId('model-import').click();
  await expect.poll(() => page.getByTestId('model-row').count(), { timeout: timeoutMs }).toBe(before + 1);
}

export function cspViolations(page: Page): Promise<unknown> {
  return page.evaluate('window.__odraCsp');
}

export async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(shotsDir, `${name}.png`), fullPage: true });
}

/** The bits of an HTMLImageElement the checks read (this project's Node config has no DOM types). */
export interface ImageLike {
  complete: boolean;
  naturalWidth: number;
  naturalHeight: number;
  addEventListener(type: 'load', listener: (value: unknown) => void, options: { once: boolean }): void;
}

/** One contract message as JSON text on the RPC WebSocket (enough of it for the checks). */
export interface RpcFrame {
  type?: string;
  id?: string;
  method?: string;
  input?: Record<string, unknown>;
}

function parseFrame(payload: string | Buffer): RpcFrame {
  try {
    const value: unknown = JSON.parse(typeof payload === 'string' ? payload : payload.toString('utf8'));
    return typeof value === 'object' && value !== null ? (value as RpcFrame) : {};
  } catch {
    return {};
  }
}

/** Resolves when `check` holds, re-checked on every `changed()` call. */
function condition(): { changed: () => void; until: (check: () => boolean, what: string, timeoutMs?: number) => Promise<void> } {
  const waiters = new Set<() => void>();
  return {
    changed: () => {
      for (const w of [...waiters]) w();
    },
    until: (check, what, timeoutMs = 120_000) =>
      new Promise((resolve, reject) => {
        const attempt = (): void => {
          if (!check()) return;
          waiters.delete(attempt);
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(() => {
          waiters.delete(attempt);
          reject(new Error(`no ${what} within ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.add(attempt);
        attempt();
      }),
  };
}

export interface RpcRecorder {
  sent: RpcFrame[];
  received: RpcFrame[];
  /** Resolves when the engine's response to request `id` has reached the page. */
  response(id: string): Promise<void>;
}

/**
 * Records the contract messages on the page's RPC WebSocket (both directions), so a
 * test can wait for the event it means ("the answer to that request has arrived")
 * instead of sleeping. Install before the page opens the socket.
 */
export function recordRpc(page: Page): RpcRecorder {
  const sent: RpcFrame[] = [];
  const received: RpcFrame[] = [];
  const cond = condition();
  page.on('websocket', (ws) => {
    if (!new URL(ws.url()).pathname.endsWith('/rpc')) return;
    ws.on('framesent', ({ payload }) => {
      sent.push(parseFrame(payload));
      cond.changed();
    });
    ws.on('framereceived', ({ payload }) => {
      received.push(parseFrame(payload));
      cond.changed();
    });
  });
  return {
    sent,
    received,
    response: (id) => cond.until(() => received.some((m) => m.type === 'response' && m.id === id), `response to ${id}`),
  };
}

export interface HeldRequest {
  /** Resolves when the page has sent the request (the engine has not seen it). */
  sent: Promise<RpcFrame>;
  /** Resolves when a later page message matching `match` is queued behind the request. */
  followedBy(match: (frame: RpcFrame) => boolean, what: string): Promise<void>;
  /** Forwards the request, then everything queued behind it, in order. */
  release(): void;
}

export interface RpcRelay {
  /** Holds back the next request for `method` (and every page message after it) until released. */
  hold(method: string): HeldRequest;
}

/**
 * Routes the page's RPC WebSocket through the test (Playwright's routeWebSocket) and
 * forwards every message unchanged, except while a request is held: then it and all
 * page messages after it wait, in order, until release(). This turns "cancel while it
 * runs" into an exact sequence: the engine receives the cancel right behind the request.
 * Install before the page opens the socket.
 */
export async function relayRpc(page: Page): Promise<RpcRelay> {
  let held: { method: string; frame: RpcFrame | null; queue: (string | Buffer)[]; caught: (f: RpcFrame) => void } | null = null;
  let forward: ((message: string | Buffer) => void) | null = null;
  const cond = condition();
  await page.routeWebSocket(
    (url) => url.pathname.endsWith('/rpc'),
    (ws) => {
      const server = ws.connectToServer();
      forward = (message) => server.send(message);
      ws.onMessage((message) => {
        const frame = parseFrame(message);
        if (held && (held.frame || (frame.type === 'request' && frame.method === held.method))) {
          held.queue.push(message);
          if (!held.frame) {
            held.frame = frame;
            held.caught(frame);
          }
          cond.changed();
          return;
        }
        server.send(message);
      });
    },
  );
  return {
    hold(method) {
      let caught!: (f: RpcFrame) => void;
      const sent = new Promise<RpcFrame>((resolve) => {
        caught = resolve;
      });
      const mine = { method, frame: null as RpcFrame | null, queue: [] as (string | Buffer)[], caught };
      held = mine;
      return {
        sent,
        followedBy: (match, what) => cond.until(() => mine.queue.slice(1).some((m) => match(parseFrame(m))), what),
        release() {
          if (held === mine) held = null;
          if (!forward) throw new Error('the page has not opened its RPC socket');
          for (const message of mine.queue) forward(message);
        },
      };
    },
  };
}
