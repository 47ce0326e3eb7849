/**
 * The CLI's and the tests' PDF printer (the PdfPrinter port of src/shared/report.ts):
 * a Chromium, Chrome or Edge found on this machine, driven by playwright-core.
 *
 * Finding the browser, first hit wins:
 *   1. an explicit path (`--chromium PATH`);
 *   2. the environment variable ODRA_CHROMIUM;
 *   3. the usual install paths: Linux /usr/bin/chromium, chromium-browser,
 *      google-chrome(-stable), microsoft-edge(-stable), /snap/bin/chromium,
 *      /opt/google/chrome/chrome; macOS /Applications/{Google Chrome, Chromium,
 *      Microsoft Edge}.app (and the same under ~/Applications); Windows
 *      %ProgramFiles%, %ProgramFiles(x86)% and %LocalAppData% \Google\Chrome,
 *      \Chromium, \Microsoft\Edge \Application\{chrome,msedge}.exe.
 * None found: a bad-input error that lists every path tried and how to name one.
 *
 * Printing: a fresh headless browser per print, a context with JavaScript off and every
 * network request refused (the report is self-contained: data: URIs only), the document
 * set as the page's content, then Chromium's own print to PDF (A4, backgrounds,
 * header and footer templates, tagged PDF with an outline). The browser is closed in
 * every case.
 */
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { badInput } from '../../shared/errors';
import type { PdfPrinter, PdfPrintOptions } from '../../shared/report';

export const CHROMIUM_ENV = 'ODRA_CHROMIUM';

/** The candidate executables for a platform, in the order they are tried. */
export function chromiumCandidates(platform: NodeJS.Platform = process.platform, env: NodeJS.ProcessEnv = process.env, home = os.homedir()): string[] {
  if (platform === 'darwin') {
    const apps = ['Google Chrome.app/Contents/MacOS/Google Chrome', 'Chromium.app/Contents/MacOS/Chromium', 'Microsoft Edge.app/Contents/MacOS/Microsoft Edge'];
    return [...apps.map((a) => `/Applications/${a}`), ...apps.map((a) => path.posix.join(home, 'Applications', a))];
  }
  if (platform === 'win32') {
    const roots = [env.ProgramFiles, env['ProgramFiles(x86)'], env.LOCALAPPDATA].filter((r): r is string => Boolean(r));
    const rel = ['Google\\Chrome\\Application\\chrome.exe', 'Chromium\\Application\\chrome.exe', 'Microsoft\\Edge\\Application\\msedge.exe'];
    return roots.flatMap((r) => rel.map((x) => path.win32.join(r, x)));
  }
  return [
    '/usr/bin/chromium',
    '/usr/bin/chromium-browser',
    '/usr/bin/google-chrome',
    '/usr/bin/google-chrome-stable',
    '/usr/bin/microsoft-edge',
    '/usr/bin/microsoft-edge-stable',
    '/snap/bin/chromium',
    '/opt/google/chrome/chrome',
  ];
}

export interface FindChromiumOptions {
  explicit?: string;
  env?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
  exists?: (p: string) => boolean;
}

/** The browser to print with, or a bad-input error naming every path tried. */
export function findChromium(o: FindChromiumOptions = {}): string {
  const env = o.env ?? process.env;
  const exists = o.exists ?? existsSync;
  const tried: string[] = [];
  if (o.explicit) {
    if (exists(o.explicit)) return o.explicit;
    throw badInput(`--chromium ${o.explicit}: no such file`, [{ file: o.explicit, problem: 'no such file' }], o.explicit);
  }
  const fromEnv = env[CHROMIUM_ENV];
  if (fromEnv) {
    if (exists(fromEnv)) return fromEnv;
    tried.push(`${fromEnv} (from ${CHROMIUM_ENV})`);
  }
  for (const p of chromiumCandidates(o.platform, env)) {
    if (exists(p)) return p;
    tried.push(p);
  }
  throw badInput(
    `no Chromium, Chrome or Edge found to print the PDF; give one with --chromium PATH or the ${CHROMIUM_ENV} environment variable ` +
      `(or write the report as .html). Tried:\n  ${tried.join('\n  ')}`,
  );
}

export function chromiumPrinter(executablePath: string): PdfPrinter {
  return {
    name: `Chromium (${executablePath}, playwright-core)`,
    async print(html: string, options: PdfPrintOptions): Promise<Uint8Array> {
      const args = ['--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];
      // Chromium refuses to start as root with its sandbox on (CI containers run as root)
      if (process.getuid?.() === 0) args.push('--no-sandbox');
      // loaded on first print: playwright-core costs every CLI start most of a second otherwise
      const { chromium } = await import('playwright-core');
      const browser = await chromium.launch({ executablePath, args, headless: true });
      try {
        const context = await browser.newContext({ javaScriptEnabled: false, offline: true });
        await context.route('**/*', (route) => route.abort('blockedbyclient'));
        const page = await context.newPage();
        await page.setContent(html, { waitUntil: 'load' });
        const mm = (v: number): string => `${v}mm`;
        const pdf = await page.pdf({
          format: options.pageSize,
          landscape: options.landscape,
          printBackground: true,
          displayHeaderFooter: true,
          headerTemplate: options.headerTemplate,
          footerTemplate: options.footerTemplate,
          margin: { top: mm(options.marginsMm.top), bottom: mm(options.marginsMm.bottom), left: mm(options.marginsMm.left), right: mm(options.marginsMm.right) },
          tagged: true,
          outline: true,
        });
        return new Uint8Array(pdf.buffer, pdf.byteOffset, pdf.length);
      } finally {
        await browser.close();
      }
    },
  };
}

