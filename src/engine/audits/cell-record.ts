/**
 * The compact match record of a scored cell (analytics/cell-matches.ts, 16 bytes per
 * kept detection): what the paired bootstrap re-accumulates with resample weights, built
 * once per cell from its per-image evaluations and stored as one blob
 * (audit_cells.record). The cell's setup lists every image of the audit, as the
 * bootstrap's population requires.
 */
import type { EvalSetup, ImageEval } from '../cocoeval/cocoeval';
import { buildCellMatches, serializeCellMatches } from '../analytics/cell-matches';

export function buildCellRecord(evals: readonly ImageEval[], setup: EvalSetup): Uint8Array {
  return serializeCellMatches(buildCellMatches(setup, evals));
}
