/**
 * What the Corruptions view asks the engine for and how it lays the answer out, as
 * pure functions over the shared catalogue (so the order and grouping are the same
 * ones the CLI and reports use, and the tests need no DOM).
 */
import type { MethodOutput } from '../../../shared/contract';
import {
  CORRUPTIONS,
  CORRUPTION_NAMES,
  SEVERITIES,
  type CorruptionFamily,
  type CorruptionInfo,
  type CorruptionName,
  type Severity,
} from '../../../shared/corruptions';

/** strip: one corruption at every severity; grid: every corruption at one severity. */
export type PreviewMode = 'strip' | 'grid';

export interface PreviewSelection {
  datasetId: number | null;
  imageId: number | null;
  mode: PreviewMode;
  corruption: CorruptionName;
  severity: Severity;
  /** null while the seed field holds something that is not a valid seed */
  seed: number | null;
}

export interface PreviewInput {
  datasetId: number;
  imageId: number;
  corruptions: CorruptionName[];
  severities: Severity[];
  seed: number;
}

export type PreviewOutput = MethodOutput<'corruptions.preview'>;
export type PreviewCell = PreviewOutput['cells'][number];

/**
 * The single request for what is selected, or null while something is missing. A
 * strip is one request of 5 cells and a grid one request of all 19, so the pool
 * schedules them together and one answer replaces the whole picture.
 */
export function previewInput(selection: PreviewSelection): PreviewInput | null {
  const { datasetId, imageId, seed } = selection;
  if (datasetId === null || imageId === null || seed === null) return null;
  return selection.mode === 'strip'
    ? { datasetId, imageId, corruptions: [selection.corruption], severities: [...SEVERITIES], seed }
    : { datasetId, imageId, corruptions: [...CORRUPTION_NAMES], severities: [selection.severity], seed };
}

/** Identifies a request, so an answer can be matched to what is on screen. */
export function previewKey(input: PreviewInput): string {
  return JSON.stringify([input.datasetId, input.imageId, input.corruptions, input.severities, input.seed]);
}

/** The contract's seed range (the engine mixes it into a 32-bit hash). */
export const MAX_SEED = 0xffffffff;

/** A seed as typed: decimal digits only, within 0..2^32-1; anything else is null. */
export function parseSeed(text: string): number | null {
  const t = text.trim();
  if (!/^\d{1,10}$/.test(t)) return null;
  const seed = Number(t);
  return seed <= MAX_SEED ? seed : null;
}

export const FAMILY_LABELS: Readonly<Record<CorruptionFamily, string>> = {
  noise: 'Noise',
  blur: 'Blur',
  weather: 'Weather',
  digital: 'Digital',
};

const FAMILY_ORDER: readonly CorruptionFamily[] = ['noise', 'blur', 'weather', 'digital'];

export interface FamilyGroup {
  family: CorruptionFamily;
  label: string;
  corruptions: CorruptionInfo[];
}

/** The corruption picker's groups: families in the paper's order, benchmark ones before held-out. */
export function groupByFamily(catalogue: readonly CorruptionInfo[] = CORRUPTIONS): FamilyGroup[] {
  return FAMILY_ORDER.map((family) => {
    const members = catalogue.filter((c) => c.family === family);
    return {
      family,
      label: FAMILY_LABELS[family],
      corruptions: [...members.filter((c) => c.role === 'benchmark'), ...members.filter((c) => c.role === 'held-out')],
    };
  }).filter((group) => group.corruptions.length > 0);
}

export interface ArrangedCell {
  info: CorruptionInfo;
  severity: number;
  /** null while pending or when the answer lacks this cell */
  cell: PreviewCell | null;
}

export interface CellSection {
  role: CorruptionInfo['role'];
  title: string;
  cells: ArrangedCell[];
}

function catalogueInfo(name: CorruptionName, catalogue: readonly CorruptionInfo[]): CorruptionInfo {
  const found = catalogue.find((c) => c.name === name);
  if (!found) throw new Error(`corruption ${name} is not in the catalogue`);
  return found;
}

/**
 * The cells of a request in display order (catalogue order, then severity), each with
 * its answer when there is one. Laid out from the request rather than the answer, so
 * placeholders and results sit in the same places and a missing cell shows as missing.
 */
export function arrangeCells(
  input: Pick<PreviewInput, 'corruptions' | 'severities'>,
  cells: readonly PreviewCell[] | null,
  catalogue: readonly CorruptionInfo[] = CORRUPTIONS,
): ArrangedCell[] {
  const order = (name: CorruptionName): number => catalogue.findIndex((c) => c.name === name);
  const names = [...new Set(input.corruptions)].sort((a, b) => order(a) - order(b));
  const severities = [...new Set(input.severities)].sort((a, b) => a - b);
  return names.flatMap((name) =>
    severities.map((severity) => ({
      info: catalogueInfo(name, catalogue),
      severity,
      cell: cells?.find((c) => c.corruption === name && c.severity === severity) ?? null,
    })),
  );
}

/** The grid's two blocks: the 15 benchmark corruptions, then the held-out ones. */
export function sectionsByRole(cells: readonly ArrangedCell[]): CellSection[] {
  const sections: CellSection[] = [];
  for (const role of ['benchmark', 'held-out'] as const) {
    const members = cells.filter((c) => c.info.role === role);
    if (members.length === 0) continue;
    const title = role === 'benchmark' ? 'Benchmark' : 'Held-out';
    sections.push({ role, title: `${title} (${members.length})`, cells: members });
  }
  return sections;
}

/** A kernel's time as the cell label shows it: "0.8 ms", "41 ms", "1.24 s". */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '—';
  if (ms < 10) return `${ms.toFixed(1)} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(2)} s`;
}
