/**
 * How the engine prints a report's PDF when Electron runs it as a utilityProcess: the
 * engine has no windows, so it asks Electron main over its parentPort, and main prints
 * the HTML with webContents.printToPDF (src/main/printing.ts) and sends the PDF back.
 *
 *   engine -> main   {type:'print-request', requestId, html, options}
 *   main -> engine   {type:'print-done', requestId, pdf}        pdf: the printed bytes
 *                    {type:'print-failed', requestId, message}   why, in words
 *
 * The engine attaches the audit record and writes the file itself, as with every other
 * printer (engine/reports/write-report.ts). Types and guards only: main and the engine
 * host both import this file.
 */
import type { PdfPrintOptions } from './report';

export interface PrintRequestMessage {
  type: 'print-request';
  requestId: number;
  html: string;
  options: PdfPrintOptions;
}

export type PrintReplyMessage =
  | { type: 'print-done'; requestId: number; pdf: Uint8Array }
  | { type: 'print-failed'; requestId: number; message: string };

function record(value: unknown): Record<string, unknown> | null {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : null;
}

export function isPrintRequest(value: unknown): value is PrintRequestMessage {
  const m = record(value);
  return m !== null && m.type === 'print-request' && Number.isInteger(m.requestId) && typeof m.html === 'string' && record(m.options) !== null;
}

export function isPrintReply(value: unknown): value is PrintReplyMessage {
  const m = record(value);
  if (m === null || !Number.isInteger(m.requestId)) return false;
  if (m.type === 'print-done') return m.pdf instanceof Uint8Array;
  return m.type === 'print-failed' && typeof m.message === 'string';
}
