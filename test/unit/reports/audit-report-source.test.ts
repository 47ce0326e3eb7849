import { describe, expect, it } from 'vitest';
import { OdraError } from '../../../src/shared/errors';
import { reportProvenanceSchema } from '../../../src/shared/report';
import { auditReportSource, toReportProvenance, type AuditReportReader, type StoredAudit, type StoredProvenance } from '../../../src/engine/reports/audit-report-source';

const machine = { cpuModel: 'Test CPU', cores: 2, ramBytes: 8e9, os: 'Linux 6', gpu: null };
const provenance: StoredProvenance = {
  odraVersion: '0.1.0',
  corruptionCatalogueVersion: 'catalogue 1',
  onnxruntime: '1.20.0',
  seed: 3,
  dataset: { name: 'kitti', format: 'kitti', contentHash: 'ab'.repeat(32), imageCount: 50, auditedImages: 8 },
  models: [
    { name: 'base', path: '/m/base.onnx', sha256: '1'.repeat(64), fileSize: 10, baseline: true, adapter: { family: 'nanodet' }, fingerprint: null },
    { name: 'pruned', path: '/m/pruned.onnx', sha256: '2'.repeat(64), fileSize: 8, baseline: false, adapter: { family: 'nanodet' }, fingerprint: null },
  ],
  requestedProvider: 'cpu',
  machine,
  runs: [{ executionProviders: ['cpu'] }, { executionProviders: ['cuda', 'cpu'] }],
};

function reader(audit: Partial<StoredAudit>): AuditReportReader {
  const never = (): never => {
    throw new Error('not read for an audit that cannot be reported');
  };
  return {
    audit: (id) => ({ id, name: 'a', status: 'done', createdAt: null, seed: 3, datasetHash: 'ab'.repeat(32), conditions: [], provenance, ...audit }),
    executionProviders: never,
    result: never,
    analysis: never,
    imageIds: never,
    imagePath: never,
    groundTruth: never,
    detections: never,
  };
}

describe('toReportProvenance', () => {
  it('keeps what the report prints, with the providers of every run and each model its provider and tags', () => {
    const tags = { method: 'structured pruning', rate: 50, rate_unit: '% channels kept', training: 'baseline', note: null };
    const p = reportProvenanceSchema.parse(toReportProvenance(provenance, ['cpu', 'cuda'], [null, tags]));
    expect(p.executionProviders).toEqual(['cpu', 'cuda']);
    expect(p.models.map((m) => [m.name, m.executionProvider, m.tags])).toEqual([
      ['base', 'cpu', null],
      ['pruned', 'cuda', tags],
    ]);
    expect(p.dataset).toMatchObject({ contentHash: 'ab'.repeat(32), auditedImages: 8 });
    expect(p.machine).toMatchObject({ cpuModel: 'Test CPU', cores: 2 });
  });
});

describe('auditReportSource', () => {
  it('refuses an audit that is not finished, naming it and its state', async () => {
    const err = await auditReportSource(reader({ status: 'paused' }), 12).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OdraError);
    expect((err as OdraError).code).toBe('BAD_INPUT');
    expect((err as OdraError).message).toMatch(/audit 12 is paused/);
  });

  it('refuses an audit without provenance', async () => {
    await expect(auditReportSource(reader({ provenance: null }), 4)).rejects.toThrow(/audit 4 has no provenance/);
  });
});
