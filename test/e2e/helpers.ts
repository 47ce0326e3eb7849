/**
 * What every end-to-end test needs: the built app, `odra serve` on a fresh store,
 * Debian's Chromium with console errors and CSP refusals collected, screenshots under
 * test-results/e2e/.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

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
