/**
 * `odra report verify FILE.pdf|FILE.html`: is this report's audit record the one its
 * cover names, and are the cover's figures those of the record?
 *
 * Reads, from a PDF: the attached `odra-audit-<id>.json` (pdf.js getAttachments) and the
 * text of the cover: page 1 and, where the figures of record run on (many models), the
 * pages they continue on (pdf.js getTextContent, lines joined at end-of-line marks);
 * from an HTML report: the record link's data: URI (id "odra-audit-json") and the text of
 * the figures block (id "odra-figures"). Checks, each reported:
 *   1. the record is there and is JSON with the core fields (auditRecordCoreSchema);
 *   2. its SHA-256 equals the one printed on the cover ("record sha256 <hex>");
 *   3. the cover's audit id equals the record's;
 *   4. every model of the record has a cover line `<sha256> P x mPC y rPC z` with the
 *      record's numbers to 4 decimals (render-html.ts figureLine), and the cover lists
 *      no model the record lacks.
 * A copy whose record or cover was changed fails (exit 3 in the CLI); a file that is no
 * report at all is bad input (exit 2).
 *
 * What this proves: the figures and the record agree and the record is the one the
 * cover names. It is not a signature: someone who rewrites the record, the cover's hash
 * and the cover's figures together is not detected; re-running the audit from its
 * provenance is the check against that.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { badInput } from '../../shared/errors';
import { auditRecordCoreSchema, reportVerificationSchema, type ReportVerification } from '../../shared/report';
import { figureLine } from './render-html';

interface Extracted {
  kind: 'pdf' | 'html';
  record: Uint8Array | null;
  recordName: string | null;
  coverText: string;
}

async function fromPdf(bytes: Uint8Array, file: string): Promise<Extracted> {
  const { getDocument } = await import('pdfjs-dist/legacy/build/pdf.mjs');
  let doc;
  try {
    doc = await getDocument({ data: bytes, isEvalSupported: false, disableFontFace: true, useSystemFonts: false, verbosity: 0 }).promise;
  } catch (err) {
    throw badInput(`${file} is not a readable PDF: ${(err as Error).message}`, [{ file, problem: 'not a readable PDF' }], file);
  }
  try {
    const attachments = ((await doc.getAttachments()) ?? {}) as Record<string, { filename: string; content: Uint8Array }>;
    const record = Object.values(attachments).find((a) => /^odra-audit-\d+\.json$/.test(a.filename)) ?? null;
    // The cover's figures of record start on page 1 and, with many models, run on: read
    // pages until one after the figures began holds none of them.
    let text = '';
    let seen = false;
    for (let n = 1; n <= doc.numPages; n++) {
      const page = await doc.getPage(n);
      const content = await page.getTextContent();
      let pageText = '';
      for (const item of content.items) {
        if (!('str' in item)) continue;
        pageText += item.str;
        if (item.hasEOL) pageText += '\n';
      }
      const figures = /^\s*[0-9a-f]{64} P /m.test(pageText);
      if (seen && !figures) break;
      text += `${pageText}\n`;
      seen ||= figures;
    }
    return { kind: 'pdf', record: record ? record.content : null, recordName: record?.filename ?? null, coverText: text };
  } finally {
    await doc.destroy();
  }
}

function unescapeHtml(s: string): string {
  return s.replace(/&(lt|gt|quot|amp|#39);/g, (_, e: string) => ({ lt: '<', gt: '>', quot: '"', amp: '&', '#39': "'" })[e] ?? '');
}

function fromHtml(text: string): Extracted {
  const link = /<a\b[^>]*\bid="odra-audit-json"[^>]*>/.exec(text)?.[0] ?? '';
  const href = /\bhref="data:application\/json;base64,([A-Za-z0-9+/=]*)"/.exec(link)?.[1] ?? null;
  const name = /\bdownload="([^"]*)"/.exec(link)?.[1] ?? null;
  const pre = /<pre\b[^>]*\bid="odra-figures"[^>]*>([\s\S]*?)<\/pre>/.exec(text)?.[1] ?? '';
  return { kind: 'html', record: href === null ? null : new Uint8Array(Buffer.from(href, 'base64')), recordName: name ? unescapeHtml(name) : null, coverText: unescapeHtml(pre) };
}

export async function verifyReport(file: string): Promise<ReportVerification> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message;
    throw badInput(`cannot read ${file}: ${reason}`, [{ file, problem: reason }], file);
  }
  const head = bytes.subarray(0, 1024).toString('latin1');
  let x: Extracted;
  if (head.startsWith('%PDF-')) x = await fromPdf(new Uint8Array(bytes), file);
  else if (/<!doctype html|<html/i.test(head)) x = fromHtml(bytes.toString('utf8'));
  else throw badInput(`${file} is neither a PDF nor an HTML report`, [{ file, problem: 'not a PDF or HTML file' }], file);

  const lines = x.coverText.split('\n').map((l) => l.trim()).filter(Boolean);
  const checks: ReportVerification['checks'] = [];
  const coverHash = lines.map((l) => /^record sha256 ([0-9a-f]{64})$/.exec(l)?.[1]).find(Boolean) ?? null;
  const coverAudit = lines.map((l) => /^audit (\d+) record /.exec(l)?.[1]).find(Boolean);
  const coverFigures = lines.filter((l) => /^[0-9a-f]{64} P /.test(l));
  if (coverHash === null && coverFigures.length === 0) {
    throw badInput(`${file} has no Odra figures of record on its cover: is it an Odra report?`, [{ file, problem: 'no figures of record' }], file);
  }

  const recordHash = x.record ? createHash('sha256').update(x.record).digest('hex') : null;
  checks.push({ check: 'record attached', ok: x.record !== null, detail: x.record ? `${x.recordName ?? 'record'} (${x.record.length} bytes)` : 'no odra-audit-<id>.json in the file' });
  checks.push({
    check: 'record SHA-256 equals the cover',
    ok: recordHash !== null && recordHash === coverHash,
    detail: `record ${recordHash ?? 'n/a'}, cover ${coverHash ?? 'not found'}`,
  });
  let auditId: number | null = null;
  if (x.record) {
    let json: unknown = null;
    let parseError = '';
    try {
      json = JSON.parse(Buffer.from(x.record).toString('utf8'));
    } catch (err) {
      parseError = (err as Error).message;
    }
    const core = auditRecordCoreSchema.safeParse(json);
    checks.push({ check: 'record is an audit record', ok: core.success, detail: core.success ? 'audit id and model figures present' : parseError || (core.error.issues[0]?.message ?? 'invalid') });
    if (core.success) {
      auditId = core.data.audit.id;
      checks.push({ check: 'audit id equals the cover', ok: String(auditId) === coverAudit, detail: `record ${auditId}, cover ${coverAudit ?? 'not found'}` });
      const expected = core.data.models.map((m) => figureLine({ name: m.name, sha256: m.sha256, P: m.P, mPC: m.mPC, rPC: m.rPC }));
      for (const [i, line] of expected.entries()) {
        const m = core.data.models[i];
        const onCover = coverFigures.find((l) => l.startsWith(m.sha256));
        checks.push({
          check: `figures of ${m.name}`,
          ok: onCover === line,
          detail: onCover === line ? line : `record: ${line}; cover: ${onCover ?? 'no line for this model'}`,
        });
      }
      const extra = coverFigures.filter((l) => !expected.includes(l) && !core.data.models.some((m) => l.startsWith(m.sha256)));
      checks.push({ check: 'cover lists only the record\'s models', ok: extra.length === 0, detail: extra.length ? `not in the record: ${extra.join('; ')}` : `${coverFigures.length} model line(s)` });
    }
  }
  return reportVerificationSchema.parse({
    file,
    kind: x.kind,
    ok: checks.every((c) => c.ok),
    audit_id: auditId,
    cover_sha256: coverHash,
    record_sha256: recordHash,
    checks,
  });
}
