/**
 * A small audit with numbers checkable by hand, for the policy tests: 12 images; car on
 * all, pedestrian on 1-4 (4 GT boxes), cyclist on 1-8. Class AP = level / 10 on every
 * image (tiny-audit.ts), so every bootstrap resample gives the same AP: intervals are
 * points, and any non-zero Δ is significant. Overall AP = mean of the class APs.
 */
import { analyseAudit } from '../../../src/engine/analytics/analyse-audit';
import type { AuditAnalysis, ConditionRef } from '../../../src/shared/audit-results';
import { tinyCell, type TinyClass } from '../analytics/tiny-audit';

const images = Array.from({ length: 12 }, (_, i) => i + 1);
const classes: TinyClass[] = [
  { id: 1, name: 'car', images },
  { id: 2, name: 'pedestrian', images: images.slice(0, 4) },
  { id: 3, name: 'cyclist', images: images.slice(0, 8) },
];
export const POLICY_CONDITIONS: ConditionRef[] = [
  { corruption: 'clean', severity: 0 },
  { corruption: 'gaussian_noise', severity: 1 },
  { corruption: 'gaussian_noise', severity: 3 },
  { corruption: 'defocus_blur', severity: 2 },
];

export type Levels = Record<string, [number, number, number]>;

/** base: P 0.7, gaussian_noise mean 0.2667 (drop_rel 0.619), defocus 0.6, mPC 0.3778 */
export const BASE: Levels = {
  'clean/0': [8, 6, 7],
  'gaussian_noise/1': [4, 2, 6],
  'gaussian_noise/3': [2, 0, 2],
  'defocus_blur/2': [6, 6, 6],
};
/** pruned: P 0.6667 (Δ -0.0333), noise much worse, pedestrian clean AP 0.4 */
export const PRUNED: Levels = {
  'clean/0': [8, 4, 8],
  'gaussian_noise/1': [2, 0, 3],
  'gaussian_noise/3': [1, 0, 0],
  'defocus_blur/2': [6, 5, 6],
};

export function policyAudit(levels: Levels[], resamples = 20): AuditAnalysis {
  const names = ['base', 'pruned', 'third'];
  return analyseAudit({
    models: levels.map((_, i) => ({ id: i + 1, name: names[i], sha256: `${String(i + 1).repeat(8)}${'0'.repeat(56)}` })),
    conditions: POLICY_CONDITIONS,
    categories: classes.map(({ id, name }) => ({ id, name })),
    cell: (m, c) => {
      const cond = POLICY_CONDITIONS[c];
      return tinyCell(images, classes, levels[m][`${cond.corruption}/${cond.severity}`]);
    },
    options: { resamples, seed: 7, minGtForWorst: 4 },
  });
}
