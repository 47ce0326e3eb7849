/**
 * The report of a stored audit in one call: a reader of the audit store, the audit id
 * and options in, files out.
 *
 *   writeAuditReport(reader, auditId, { out: ['r.pdf', 'r.html'], policy, printer, request })
 *
 * reads the audit (audit-report-source.ts: only a finished audit with provenance; its
 * canonical JSON and analysis for the same request) and writes the report
 * (write-report.ts). The engine's reader is engineAuditReader (engine-audit-reader.ts);
 * `odra report --db --audit`, `odra audit --report` and `npm run demo` call this.
 *
 * readModelTags gives a reader the models' tags from their ONNX metadata (the odra.* keys
 * of src/shared/report.ts), read from the model file only when its SHA-256 is still the
 * audited one: a file changed since the audit says nothing about the audited model.
 */
import { modelTagsFromMetadata, type ModelTags } from '../../shared/report';
import { inspectModelIO } from '../models/inspect-io';
import { auditReportSource, type AuditReportReader, type AuditReportRequest } from './audit-report-source';
import { writeReport, type WriteReportOptions, type WrittenReport } from './write-report';

export interface AuditReportOptions extends WriteReportOptions {
  /** the analysis the report shows (default: the audit service's default, 1000 bootstrap resamples) */
  request?: AuditReportRequest;
}

export async function writeAuditReport(reader: AuditReportReader, auditId: number, options: AuditReportOptions): Promise<WrittenReport> {
  const source = await auditReportSource(reader, auditId, options.request ?? {});
  return writeReport(source, options);
}

export async function readModelTags(path: string, sha256: string): Promise<ModelTags | null> {
  try {
    const io = await inspectModelIO(path);
    if (io.sha256 !== sha256) return null;
    return modelTagsFromMetadata(io.metadata).tags;
  } catch {
    // the model file is gone or unreadable: the audit's record still stands, without tags
    return null;
  }
}
