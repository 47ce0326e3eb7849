/**
 * Synthetic audit-shaped data for the speed checks of the audit views (#/bench): an
 * audit of `classes` classes x the 19 corruptions at severities 1..5 (plus clean) for two
 * models, and `images` drill-down rows. Deterministic (xoshiro128** from shared/prng,
 * seed 1) so every run measures the same work. Only ever shown on the bench page.
 */
import type { AuditMetricRow, CellImageRow, Condition } from '../../../shared/audits';
import { resolveConditions } from '../../../shared/audits';
import { Rng } from '../../../shared/prng';

export function benchAudit(classes: number): { conditions: Condition[]; rows: AuditMetricRow[]; models: [number, number] } {
  const rng = new Rng(1);
  const conditions = resolveConditions({ preset: 'all' });
  const rows: AuditMetricRow[] = [];
  const clean = Array.from({ length: classes }, () => 0.2 + 0.6 * rng.uniform());
  for (const modelId of [1, 2]) {
    conditions.forEach((c, conditionIndex) => {
      for (let k = 0; k < classes; k++) {
        const ap = Math.max(0, clean[k] * (1 - 0.15 * c.severity * rng.uniform()) - (modelId === 2 ? 0.05 * rng.uniform() : 0));
        rows.push({
          id: k + 1,
          name: `class ${String(k + 1).padStart(2, '0')}`,
          AP: ap,
          AP50: Math.min(1, ap * 1.4),
          num_gt: 10 + k,
          num_dets: 50 + k,
          modelId,
          modelPosition: modelId - 1,
          conditionIndex,
          corruption: c.corruption,
          severity: c.severity,
        });
      }
    });
  }
  return { conditions, rows, models: [1, 2] };
}

export function benchDrillRows(images: number): CellImageRow[] {
  const rng = new Rng(1);
  return Array.from({ length: images }, (_, i) => {
    const a = { tp: rng.int(0, 4), fp: rng.int(0, 3), fn: rng.int(0, 3) };
    const b = { tp: rng.int(0, 4), fp: rng.int(0, 3), fn: rng.int(0, 3) };
    return { imageId: i + 1, fileName: `frame_${String(i + 1).padStart(5, '0')}.png`, a, b, missedOnlyByB: b.fn > a.fn, foundOnlyByB: b.tp > a.tp };
  });
}
