/**
 * The PdfPrinter of an engine that Electron runs as a utilityProcess: each print is a
 * request to Electron main over the parentPort (src/shared/print-protocol.ts), which
 * prints with webContents.printToPDF in a hidden sandboxed window and answers with the
 * bytes. A print main does not answer within `timeoutMs` fails in words, so a stuck
 * print never hangs a reports.write.
 */
import { isPrintReply, type PrintRequestMessage } from '../../shared/print-protocol';
import type { PdfPrinter, PdfPrintOptions } from '../../shared/report';

export interface PrintParentPort {
  postMessage(message: PrintRequestMessage): void;
  on(event: 'message', listener: (e: { data: unknown }) => void): void;
}

interface Pending {
  resolve: (pdf: Uint8Array) => void;
  reject: (err: Error) => void;
  timer: ReturnType<typeof setTimeout>;
}

export function mainProcessPrinter(parent: PrintParentPort, name = 'Electron printToPDF', timeoutMs = 120_000): PdfPrinter {
  let next = 1;
  const pending = new Map<number, Pending>();
  parent.on('message', (e) => {
    const m = e.data;
    if (!isPrintReply(m)) return;
    const p = pending.get(m.requestId);
    if (!p) return;
    pending.delete(m.requestId);
    clearTimeout(p.timer);
    if (m.type === 'print-done') p.resolve(m.pdf);
    else p.reject(new Error(`Electron could not print the report: ${m.message}`));
  });
  return {
    name,
    print(html: string, options: PdfPrintOptions): Promise<Uint8Array> {
      const requestId = next++;
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          pending.delete(requestId);
          reject(new Error(`Electron main did not print the report within ${timeoutMs / 1000} s; try again, or save it as HTML`));
        }, timeoutMs);
        pending.set(requestId, { resolve, reject, timer });
        parent.postMessage({ type: 'print-request', requestId, html, options });
      });
    },
  };
}
