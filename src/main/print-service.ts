/**
 * Electron main's side of the engine's PDF printing (src/shared/print-protocol.ts): the
 * engine, a utilityProcess without windows, sends a report's HTML; main prints it with
 * printing.ts (hidden sandboxed window, JavaScript off, no network) and answers with
 * the PDF's bytes or the reason it failed. Prints are serialised by printing.ts.
 */
import { isPrintRequest, type PrintReplyMessage } from '../shared/print-protocol';
import type { PdfPrintOptions } from '../shared/report';

/** The engine child as main sees it (UtilityProcess, or a stand-in in tests). */
export interface PrintingEngineChild {
  postMessage(message: PrintReplyMessage): void;
  on(event: 'message', listener: (message: unknown) => void): unknown;
}

export type PrintHtml = (html: string, options: PdfPrintOptions) => Promise<Uint8Array>;

/** Answers one engine child's print requests with `print`. */
export function servePrintRequests(engine: PrintingEngineChild, print: PrintHtml): void {
  engine.on('message', (message) => {
    if (!isPrintRequest(message)) return;
    const { requestId } = message;
    print(message.html, message.options).then(
      (pdf) => engine.postMessage({ type: 'print-done', requestId, pdf }),
      (err: unknown) => engine.postMessage({ type: 'print-failed', requestId, message: err instanceof Error ? err.message : String(err) }),
    );
  });
}
