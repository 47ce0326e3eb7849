/**
 * The compact match record of a scored cell: what the paired bootstrap re-accumulates
 * with resample weights, built once per cell from its per-image evaluations and stored
 * as one blob (audit_cells.record). The analytics module defines the format; until it
 * is wired in, no record is made (the column stays NULL and intervals are null).
 */
import type { EvalSetup, ImageEval } from '../cocoeval/cocoeval';

export function buildCellRecord(_evals: readonly ImageEval[], _setup: EvalSetup): Uint8Array | null {
  return null;
}
