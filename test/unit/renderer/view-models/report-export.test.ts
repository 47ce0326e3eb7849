import { describe, expect, it } from 'vitest';
import { formatOfPath, policyOf, stageText, suggestedReportPath, withReportExtension } from '../../../../src/renderer/src/view-models/report-export';

describe('the suggested report path', () => {
  it('sits beside the store, with the store machine\'s separator', () => {
    expect(suggestedReportPath('/home/a/.config/Odra/odra.db', 3, 'pdf')).toBe('/home/a/.config/Odra/odra-audit-3-report.pdf');
    expect(suggestedReportPath('C:\\Users\\a\\Odra\\odra.db', 12, 'html')).toBe('C:\\Users\\a\\Odra\\odra-audit-12-report.html');
  });

  it('is the bare file name for a store in memory, unknown or without a folder', () => {
    expect(suggestedReportPath(':memory:', 1, 'pdf')).toBe('odra-audit-1-report.pdf');
    expect(suggestedReportPath(null, 1, 'pdf')).toBe('odra-audit-1-report.pdf');
    expect(suggestedReportPath('odra.db', 1, 'html')).toBe('odra-audit-1-report.html');
  });
});

describe('format and extension', () => {
  it('replace a report extension, whatever its case, and add one to anything else', () => {
    expect(withReportExtension('/r/a.pdf', 'html')).toBe('/r/a.html');
    expect(withReportExtension('/r/a.HTM', 'pdf')).toBe('/r/a.pdf');
    expect(withReportExtension('/r/a.v2', 'pdf')).toBe('/r/a.v2.pdf');
    expect(withReportExtension('  ', 'pdf')).toBe('');
  });

  it('read the format a path names, or null for one the engine would refuse', () => {
    expect(formatOfPath('/r/a.PDF')).toBe('pdf');
    expect(formatOfPath('/r/a.htm')).toBe('html');
    expect(formatOfPath('/r/a.docx')).toBeNull();
    expect(formatOfPath('/r/pdf')).toBeNull();
  });
});

describe('what the calls are given', () => {
  it('sends a policy file only when the field holds one', () => {
    expect(policyOf('  ')).toBeUndefined();
    expect(policyOf(' /p/gate.yaml ')).toEqual({ file: '/p/gate.yaml' });
  });

  it('says each stage in words with its step', () => {
    expect(stageText(null)).toBe('Starting…');
    expect(stageText({ stage: 'printing', done: 2, total: 4, etaSeconds: null })).toBe('Printing the PDF (step 3 of 4)…');
    expect(stageText({ stage: 'something new', done: 0, total: 0, etaSeconds: null })).toBe('something new…');
  });
});
