import { describe, expect, it } from 'vitest';
import {
  arrangeCells,
  formatMs,
  groupByFamily,
  parseSeed,
  previewInput,
  previewKey,
  sectionsByRole,
  type PreviewCell,
  type PreviewSelection,
} from '../../../../src/renderer/src/view-models/corruption-preview';
import { BENCHMARK_CORRUPTIONS, CORRUPTIONS, CORRUPTION_NAMES, HELD_OUT_CORRUPTIONS } from '../../../../src/shared/corruptions';

const selection: PreviewSelection = { datasetId: 3, imageId: 17, mode: 'strip', corruption: 'fog', severity: 2, seed: 42 };

const cell = (corruption: PreviewCell['corruption'], severity: number): PreviewCell => ({
  corruption,
  severity,
  seed: severity * 1000,
  image: `data:image/png;base64,${corruption}${severity}`,
  ms: 12,
});

describe('previewInput', () => {
  it('asks for one corruption at all five severities in a strip', () => {
    expect(previewInput(selection)).toEqual({ datasetId: 3, imageId: 17, corruptions: ['fog'], severities: [1, 2, 3, 4, 5], seed: 42 });
  });

  it('asks for all 19 corruptions at one severity in a grid, in one request', () => {
    const input = previewInput({ ...selection, mode: 'grid' });
    expect(input?.corruptions).toEqual([...CORRUPTION_NAMES]);
    expect(input?.corruptions).toHaveLength(19);
    expect(input?.severities).toEqual([2]);
  });

  it('asks nothing while the dataset, the image or a valid seed is missing', () => {
    expect(previewInput({ ...selection, datasetId: null })).toBeNull();
    expect(previewInput({ ...selection, imageId: null })).toBeNull();
    expect(previewInput({ ...selection, seed: null })).toBeNull();
    // seed 0 is a seed, not a missing one
    expect(previewInput({ ...selection, seed: 0 })?.seed).toBe(0);
  });

  it('keys differ for every change that changes the pixels', () => {
    const key = previewKey(previewInput(selection)!);
    const variants: PreviewSelection[] = [
      { ...selection, datasetId: 4 },
      { ...selection, imageId: 18 },
      { ...selection, corruption: 'frost' },
      { ...selection, seed: 43 },
      { ...selection, mode: 'grid' },
    ];
    const keys = variants.map((v) => previewKey(previewInput(v)!));
    expect(new Set([key, ...keys]).size).toBe(6);
    // the severity does not matter to a strip, which shows them all
    expect(previewKey(previewInput({ ...selection, severity: 5 })!)).toBe(key);
    expect(previewKey(previewInput({ ...selection })!)).toBe(key);
  });
});

describe('parseSeed', () => {
  it('accepts whole numbers in the contract range', () => {
    expect(parseSeed('0')).toBe(0);
    expect(parseSeed(' 7 ')).toBe(7);
    expect(parseSeed('4294967295')).toBe(4294967295);
  });

  it('refuses anything else', () => {
    for (const text of ['', ' ', '-1', '1.5', '1e3', '0x10', 'seven', '4294967296', '99999999999']) {
      expect(parseSeed(text), text).toBeNull();
    }
  });
});

describe('groupByFamily', () => {
  it('covers every corruption once, families in order, benchmark before held-out', () => {
    const groups = groupByFamily();
    expect(groups.map((g) => g.family)).toEqual(['noise', 'blur', 'weather', 'digital']);
    const names = groups.flatMap((g) => g.corruptions.map((c) => c.name));
    expect([...names].sort()).toEqual([...CORRUPTION_NAMES].sort());
    expect(groups[0].corruptions.map((c) => c.name)).toEqual(['gaussian_noise', 'shot_noise', 'impulse_noise', 'speckle_noise']);
    for (const g of groups) {
      const roles = g.corruptions.map((c) => c.role);
      expect(roles.indexOf('held-out') === -1 || roles.lastIndexOf('benchmark') < roles.indexOf('held-out')).toBe(true);
    }
  });

  it('leaves out a family with no member', () => {
    const onlyBlur = CORRUPTIONS.filter((c) => c.family === 'blur');
    expect(groupByFamily(onlyBlur).map((g) => g.family)).toEqual(['blur']);
  });
});

describe('arrangeCells and sectionsByRole', () => {
  it('orders a strip by severity whatever order the answer came in', () => {
    const input = { corruptions: ['fog' as const], severities: [5, 1, 3, 2, 4] as (1 | 2 | 3 | 4 | 5)[] };
    const cells = [cell('fog', 4), cell('fog', 1), cell('fog', 5), cell('fog', 3), cell('fog', 2)];
    const arranged = arrangeCells(input, cells);
    expect(arranged.map((a) => a.severity)).toEqual([1, 2, 3, 4, 5]);
    expect(arranged.map((a) => a.cell?.image)).toEqual([1, 2, 3, 4, 5].map((s) => `data:image/png;base64,fog${s}`));
  });

  it('lays out placeholders before the answer and marks a missing cell', () => {
    const input = { corruptions: ['snow' as const], severities: [1, 2] as (1 | 2)[] };
    expect(arrangeCells(input, null).map((a) => [a.info.name, a.severity, a.cell])).toEqual([
      ['snow', 1, null],
      ['snow', 2, null],
    ]);
    expect(arrangeCells(input, [cell('snow', 2)]).map((a) => a.cell?.severity ?? null)).toEqual([null, 2]);
  });

  it('puts the grid in catalogue order: 15 benchmark, then 4 held-out', () => {
    const reversed = [...CORRUPTION_NAMES].reverse();
    const arranged = arrangeCells({ corruptions: reversed, severities: [3] }, reversed.map((n) => cell(n, 3)));
    expect(arranged.map((a) => a.info.name)).toEqual([...CORRUPTION_NAMES]);
    const sections = sectionsByRole(arranged);
    expect(sections.map((s) => s.title)).toEqual(['Benchmark (15)', 'Held-out (4)']);
    expect(sections[0].cells.map((c) => c.info.name)).toEqual([...BENCHMARK_CORRUPTIONS]);
    expect(sections[1].cells.map((c) => c.info.name)).toEqual([...HELD_OUT_CORRUPTIONS]);
  });

  it('has no held-out section for a benchmark-only strip', () => {
    const sections = sectionsByRole(arrangeCells({ corruptions: ['contrast'], severities: [1, 2] }, null));
    expect(sections.map((s) => s.role)).toEqual(['benchmark']);
  });
});

describe('formatMs', () => {
  it('uses a decimal below 10 ms, whole ms below a second, seconds above', () => {
    expect(formatMs(0.84)).toBe('0.8 ms');
    expect(formatMs(9.94)).toBe('9.9 ms');
    expect(formatMs(41.4)).toBe('41 ms');
    expect(formatMs(999.4)).toBe('999 ms');
    expect(formatMs(1240)).toBe('1.24 s');
    expect(formatMs(-1)).toBe('—');
    expect(formatMs(Number.NaN)).toBe('—');
  });
});
