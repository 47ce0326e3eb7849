/**
 * The app's PDF printer: the Electron adapter of the PdfPrinter port
 * (src/shared/report.ts; the CLI's adapter drives Chromium through playwright-core).
 * A self-contained HTML document (reports render their charts to SVG and inline their
 * images) printed by Electron's Chromium. The page is loaded in a hidden, sandboxed
 * window with JavaScript off, in its own in-memory session that refuses every request
 * except the document itself and inline data, so a report can neither run code nor
 * reach the network. Header and footer templates (audit id, page N of M), margins,
 * tagged PDF and the document outline are passed to webContents.printToPDF.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { BrowserWindow, session, type Session } from 'electron';
import type { PdfPrinter, PdfPrintOptions } from '../shared/report';
import { secureWebPreferences } from './security';

export interface PrintOptions {
  pageSize?: 'A4' | 'A3' | 'Letter' | 'Legal';
  landscape?: boolean;
  /** Chromium header / footer templates: shown with margins that hold them */
  headerTemplate?: string;
  footerTemplate?: string;
  marginsMm?: PdfPrintOptions['marginsMm'];
}

const MM_PER_INCH = 25.4;

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
  return printHtml(html, options).then((pdf) => writeFile(outPath, pdf));
}

/** Prints the document and returns the PDF's bytes (prints are serialised). */
export function printHtml(html: string, options: PrintOptions = {}): Promise<Uint8Array> {
  const run = queue.then(() => printNow(html, options));
  queue = run.catch(() => undefined);
  return run;
}

/** The PdfPrinter port over Electron's printToPDF. */
export function electronPrinter(version = process.versions.electron ?? 'unknown'): PdfPrinter {
  return {
    name: `Electron ${version} printToPDF`,
    print: (html: string, options: PdfPrintOptions) => printHtml(html, options),
  };
}

async function printNow(html: string, options: PrintOptions): Promise<Uint8Array> {
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
    const templates = options.headerTemplate !== undefined || options.footerTemplate !== undefined;
    const m = options.marginsMm;
    const pdf = await window.webContents.printToPDF({
      printBackground: true,
      pageSize: options.pageSize ?? 'A4',
      landscape: options.landscape ?? false,
      ...(templates
        ? { displayHeaderFooter: true, headerTemplate: options.headerTemplate ?? '<span></span>', footerTemplate: options.footerTemplate ?? '<span></span>' }
        : {}),
      ...(m ? { margins: { top: m.top / MM_PER_INCH, bottom: m.bottom / MM_PER_INCH, left: m.left / MM_PER_INCH, right: m.right / MM_PER_INCH } } : {}),
      generateTaggedPDF: true,
      generateDocumentOutline: true,
    });
    return new Uint8Array(pdf.buffer, pdf.byteOffset, pdf.length);
  } finally {
    if (window && !window.isDestroyed()) window.destroy();
    await rm(dir, { recursive: true, force: true });
  }
}
