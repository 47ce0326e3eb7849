import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { mainProcessPrinter, type PrintParentPort } from '../../../src/engine/host/electron-printer';
import { servePrintRequests, type PrintHtml, type PrintingEngineChild } from '../../../src/main/print-service';
import type { PdfPrintOptions } from '../../../src/shared/report';

const OPTIONS: PdfPrintOptions = {
  headerTemplate: '<span>h</span>',
  footerTemplate: '<span class="pageNumber"></span>',
  pageSize: 'A4',
  landscape: false,
  marginsMm: { top: 17, bottom: 16, left: 14, right: 14 },
};

let open: MessagePort[] = [];
afterEach(() => {
  for (const p of open) p.close();
  open = [];
});

/** The engine's parentPort and main's view of the engine child, joined by a real channel (structured clone, as Electron's). */
function link(): { parent: PrintParentPort; child: PrintingEngineChild; raw: MessagePort } {
  const { port1, port2 } = new MessageChannel();
  open.push(port1, port2);
  return {
    parent: { postMessage: (m) => port1.postMessage(m), on: (_event, listener) => port1.on('message', (data: unknown) => listener({ data })) },
    child: { postMessage: (m) => port2.postMessage(m), on: (_event, listener) => port2.on('message', listener) },
    raw: port2,
  };
}

describe('the engine prints through Electron main', () => {
  it('gets back the bytes main printed for its HTML and options', async () => {
    const { parent, child } = link();
    const seen: { html: string; options: PdfPrintOptions }[] = [];
    const print: PrintHtml = async (html, options) => {
      seen.push({ html, options });
      return new TextEncoder().encode(`%PDF-1.7 ${html.length}`);
    };
    servePrintRequests(child, print);
    const printer = mainProcessPrinter(parent, 'Electron 41 printToPDF');
    const pdf = await printer.print('<html>report</html>', OPTIONS);
    expect(new TextDecoder().decode(pdf)).toBe('%PDF-1.7 19');
    expect(seen).toEqual([{ html: '<html>report</html>', options: OPTIONS }]);
    expect(printer.name).toBe('Electron 41 printToPDF');
  });

  it('keeps concurrent prints apart by request id', async () => {
    const { parent, child } = link();
    servePrintRequests(child, async (html) => {
      // the first request finishes last
      await new Promise((resolve) => setTimeout(resolve, html === 'a' ? 20 : 0));
      return new TextEncoder().encode(html);
    });
    const printer = mainProcessPrinter(parent);
    const [a, b] = await Promise.all([printer.print('a', OPTIONS), printer.print('b', OPTIONS)]);
    expect(new TextDecoder().decode(a)).toBe('a');
    expect(new TextDecoder().decode(b)).toBe('b');
  });

  it('fails in words with the reason main gave', async () => {
    const { parent, child } = link();
    servePrintRequests(child, () => Promise.reject(new Error('the print window crashed')));
    await expect(mainProcessPrinter(parent).print('x', OPTIONS)).rejects.toThrow('Electron could not print the report: the print window crashed');
  });

  it('fails when main does not answer in time, naming what to do', async () => {
    const { parent } = link();
    await expect(mainProcessPrinter(parent, 'p', 30).print('x', OPTIONS)).rejects.toThrow(/did not print the report within 0\.03 s; try again, or save it as HTML/);
  });

  it('ignores the runner messages that share the port, and main ignores what is not a print request', async () => {
    const { parent, child, raw } = link();
    let prints = 0;
    servePrintRequests(child, async () => {
      prints++;
      return new Uint8Array([1]);
    });
    const printer = mainProcessPrinter(parent);
    const done = printer.print('x', OPTIONS);
    // a runner reply with the same request number must not settle the print
    raw.postMessage({ type: 'runner-exit', requestId: 1, code: 0 });
    parent.postMessage({ type: 'runner-start', requestId: 1 } as never);
    expect(Array.from(await done)).toEqual([1]);
    expect(prints).toBe(1);
  });
});
