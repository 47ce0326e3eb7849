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
