import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';

interface Recorded {
  options: { show?: boolean; webPreferences?: Record<string, unknown> };
  loaded: string | null;
  html: string | null;
  destroyed: boolean;
}

const state = vi.hoisted(() => ({
  windows: [] as Recorded[],
  filter: null as null | ((details: { url: string }, cb: (r: { cancel: boolean }) => void) => void),
  failPrint: false,
  active: 0,
  maxActive: 0,
}));

vi.mock('electron', async () => {
  const fs = await import('node:fs/promises');
  const { fileURLToPath: toPath } = await import('node:url');
  class BrowserWindow {
    private readonly rec: Recorded;
    webContents: { printToPDF: (o: unknown) => Promise<Buffer> };
    constructor(options: Recorded['options']) {
      this.rec = { options, loaded: null, html: null, destroyed: false };
      state.windows.push(this.rec);
      state.active++;
      state.maxActive = Math.max(state.maxActive, state.active);
      this.webContents = {
        printToPDF: async (o: unknown) => {
          // a macrotask turn, so a second print would overlap this one if they were not serialised
          await new Promise((r) => setImmediate(r));
          if (state.failPrint) throw new Error('printing failed');
          return Buffer.from(`%PDF-1.7 ${JSON.stringify(o)} ${this.rec.html?.length ?? 0}`);
        },
      };
    }
    async loadURL(url: string): Promise<void> {
      this.rec.loaded = url;
      this.rec.html = await fs.readFile(toPath(url), 'utf8');
    }
    isDestroyed(): boolean {
      return this.rec.destroyed;
    }
    destroy(): void {
      this.rec.destroyed = true;
      state.active--;
    }
  }
  const printSession = {
    setPermissionRequestHandler: () => {},
    setPermissionCheckHandler: () => {},
    webRequest: { onBeforeRequest: (f: typeof state.filter) => (state.filter = f) },
  };
  return { BrowserWindow, session: { fromPartition: () => printSession } };
});

const { electronPrinter, isPrintRequestAllowed, printHtml, printToPdf } = await import('../../../src/main/printing');

let out: string;
beforeAll(async () => {
  out = await mkdtemp(path.join(os.tmpdir(), 'odra-print-test-'));
});
afterAll(async () => {
  await rm(out, { recursive: true, force: true });
});
beforeEach(() => {
  state.windows.length = 0;
  state.failPrint = false;
  state.maxActive = 0;
});

describe('printToPdf', () => {
  it('prints the HTML in a hidden sandboxed window without JavaScript and writes the PDF', async () => {
    const html = '<!doctype html><h1>Safety report</h1>';
    const target = path.join(out, 'report.pdf');
    await printToPdf(html, target, { landscape: true });
    const pdf = await readFile(target, 'utf8');
    expect(pdf.startsWith('%PDF')).toBe(true);
    expect(pdf).toContain('"landscape":true');
    expect(pdf).toContain('"pageSize":"A4"');
    expect(pdf).toContain('"printBackground":true');
    const [win] = state.windows;
    expect(win?.options.show).toBe(false);
    expect(win?.options.webPreferences).toMatchObject({ sandbox: true, contextIsolation: true, javascript: false });
    expect(win?.html).toBe(html);
    expect(win?.destroyed).toBe(true);
    expect(existsSync(fileURLToPath(win?.loaded ?? ''))).toBe(false); // temp document removed
  });

  it('lets the print page load only its own document and inline data', async () => {
    await printToPdf('<p>x</p>', path.join(out, 'x.pdf'));
    const doc = state.windows[0]?.loaded ?? '';
    const decide = (url: string): boolean => {
      let cancel = true;
      state.filter?.({ url }, (r) => (cancel = r.cancel));
      return cancel;
    };
    expect(decide(doc)).toBe(false);
    expect(decide('data:image/png;base64,AAAA')).toBe(false);
    expect(decide('https://example.com/track.gif')).toBe(true);
    expect(decide('file:///etc/passwd')).toBe(true);
    expect(isPrintRequestAllowed('file:///tmp/other.html', 'file:///tmp/report.html')).toBe(false);
  });

  it('cleans up when printing fails', async () => {
    state.failPrint = true;
    const target = path.join(out, 'failed.pdf');
    await expect(printToPdf('<p>x</p>', target)).rejects.toThrow('printing failed');
    expect(state.windows[0]?.destroyed).toBe(true);
    expect(existsSync(target)).toBe(false);
    expect(existsSync(fileURLToPath(state.windows[0]?.loaded ?? ''))).toBe(false);
  });

  it('runs concurrent prints one after another', async () => {
    await Promise.all([1, 2, 3].map((i) => printToPdf(`<p>${i}</p>`, path.join(out, `${i}.pdf`))));
    expect(state.windows).toHaveLength(3);
    expect(state.maxActive).toBe(1);
    for (const i of [1, 2, 3]) expect(existsSync(path.join(out, `${i}.pdf`))).toBe(true);
  });
});

describe('electronPrinter (the PdfPrinter port over printToPDF)', () => {
  it('passes header and footer templates, margins in inches, tagging and the outline, and returns the bytes', async () => {
    const printer = electronPrinter('99.0.0');
    expect(printer.name).toBe('Electron 99.0.0 printToPDF');
    const bytes = await printer.print('<p>report</p>', {
      pageSize: 'A4',
      landscape: false,
      marginsMm: { top: 25.4, bottom: 12.7, left: 50.8, right: 0 },
      headerTemplate: '<div>audit 7</div>',
      footerTemplate: '<div>page <span class="pageNumber"></span></div>',
    });
    const text = Buffer.from(bytes).toString('utf8');
    expect(text.startsWith('%PDF')).toBe(true);
    const options = JSON.parse(text.slice(text.indexOf('{'), text.lastIndexOf('}') + 1)) as Record<string, unknown>;
    expect(options).toMatchObject({
      displayHeaderFooter: true,
      headerTemplate: '<div>audit 7</div>',
      footerTemplate: '<div>page <span class="pageNumber"></span></div>',
      margins: { top: 1, bottom: 0.5, left: 2, right: 0 },
      generateTaggedPDF: true,
      generateDocumentOutline: true,
      landscape: false,
    });
    expect(state.windows[0]?.destroyed).toBe(true);
  });

  it('prints without header and footer when no template is given', async () => {
    const bytes = await printHtml('<p>x</p>', { landscape: true });
    const text = Buffer.from(bytes).toString('utf8');
    expect(text).not.toContain('displayHeaderFooter');
    expect(text).toContain('"landscape":true');
  });
});
