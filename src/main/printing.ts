/**
 * The app's PDF printer port: a self-contained HTML document (reports render their
 * charts to SVG and inline their images) printed by Chromium. The page is loaded in a
 * hidden, sandboxed window with JavaScript off, in its own in-memory session that
 * refuses every request except the document itself and inline data, so a report can
 * neither run code nor reach the network.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { BrowserWindow, session, type Session } from 'electron';
import { secureWebPreferences } from './security';

export interface PrintOptions {
  pageSize?: 'A4' | 'A3' | 'Letter' | 'Legal';
  landscape?: boolean;
}

const PRINT_PARTITION = 'odra-print';
let printSessionReady = false;

/** Requests the print window may make: its own document, and data:/blob: URLs. */
export function isPrintRequestAllowed(url: string, documentUrl: string): boolean {
  if (url === documentUrl) return true;
  return url.startsWith('data:') || url.startsWith('blob:');
}

function printSession(): Session {
  const ses = session.fromPartition(PRINT_PARTITION);
  if (!printSessionReady) {
    ses.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
    ses.setPermissionCheckHandler(() => false);
    printSessionReady = true;
  }
  return ses;
}

/** Prints run one after another: they share the print session and its request filter. */
let queue: Promise<unknown> = Promise.resolve();

export function printToPdf(html: string, outPath: string, options: PrintOptions = {}): Promise<void> {
  const run = queue.then(() => printNow(html, outPath, options));
  queue = run.catch(() => undefined);
  return run;
}

async function printNow(html: string, outPath: string, options: PrintOptions): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'odra-print-'));
  const file = path.join(dir, 'report.html');
  const documentUrl = pathToFileURL(file).href;
  let window: BrowserWindow | null = null;
  try {
    await writeFile(file, html, 'utf8');
    const ses = printSession();
    ses.webRequest.onBeforeRequest((details, callback) =>
      callback({ cancel: !isPrintRequestAllowed(details.url, documentUrl) }),
    );
    window = new BrowserWindow({
      show: false,
      webPreferences: { ...secureWebPreferences({ devTools: false }), session: ses, javascript: false },
    });
    await window.loadURL(documentUrl);
    const pdf = await window.webContents.printToPDF({
      printBackground: true,
      pageSize: options.pageSize ?? 'A4',
      landscape: options.landscape ?? false,
    });
    await writeFile(outPath, pdf);
  } finally {
    if (window && !window.isDestroyed()) window.destroy();
    await rm(dir, { recursive: true, force: true });
  }
}
