/**
 * The audit record inside a printed PDF: Chromium's PDF is loaded with pdf-lib and saved
 * again with the canonical JSON attached as an embedded file (a PDF file attachment in
 * the document's EmbeddedFiles name tree, /AFRelationship /Data), named
 * `odra-audit-<id>.json`, with the document's title, subject, keywords and producer
 * set. Viewers list it under "attachments"; `odra report verify` and any PDF tool
 * (pdfdetach -saveall, for one) can extract it.
 *
 * Reading it back uses pdf.js (pdfjs-dist's getAttachments) and its text (getTextContent)
 * for the cover: see verify.ts.
 */
import { AFRelationship, PDFDocument } from 'pdf-lib';

export interface RecordAttachment {
  fileName: string;
  bytes: Uint8Array;
  auditId: number;
  title: string;
  sha256: string;
}

export async function attachRecord(pdf: Uint8Array, a: RecordAttachment, producer: string, date: Date): Promise<Uint8Array> {
  const doc = await PDFDocument.load(pdf, { updateMetadata: false });
  await doc.attach(a.bytes, a.fileName, {
    mimeType: 'application/json',
    description: `Odra audit ${a.auditId}: the canonical audit JSON (odra audit --json), SHA-256 ${a.sha256}`,
    creationDate: date,
    modificationDate: date,
    afRelationship: AFRelationship.Data,
  });
  doc.setTitle(a.title);
  doc.setSubject(`Odra robustness audit ${a.auditId}; audit record SHA-256 ${a.sha256}`);
  doc.setKeywords(['odra', `audit-${a.auditId}`, `record-sha256-${a.sha256}`]);
  doc.setProducer(producer);
  doc.setCreator('Odra');
  doc.setCreationDate(date);
  doc.setModificationDate(date);
  return doc.save({ useObjectStreams: false });
}
