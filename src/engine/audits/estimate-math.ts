/**
 * Extrapolating a calibration run (calibration.ts) to the wall time of a whole audit: a
 * pure function of the measured samples and the plan's shape.
 *
 * Costs per stage (seconds; `mean` is the sample mean of what the calibration measured):
 *   inference  = images x conditions x sum over models of mean(unit ms of that model)
 *                the runner's one inference thread runs these one after another;
 *   corruption = images x sum over non-clean conditions of mean(kernel ms of its corruption)
 *                spread over `poolWorkers` pool threads;
 *   decode     = images x blocks x mean(decode ms)   (a block per corruption, plan.ts);
 *   scoring    = units x mean(scorer ms per unit)    (one scorer worker).
 * The run is pipelined (executor.ts, runner.ts): corruption, decode and scoring of later
 * work overlap inference, so the pace is set by the slowest of
 *   inference, corruption / poolWorkers, scoring, (all four summed) / cores,
 * plus the fixed start-up (runner start and model loading, measured) and the scoring of
 * the last block, which nothing overlaps.
 *
 * Range: each mean is replaced by mean -/+ 2 standard errors (a sample of one counts its
 * mean as the error), giving `low` with perfect overlap and `high` with the second
 * slowest stage only half hidden behind the slowest; the range is at least
 * seconds / 1.25 .. seconds x 1.25 (timing noise of a few samples on a shared machine).
 */
import type { Condition } from '../../shared/audits';

export interface CalibrationSamples {
  /** per model (plan position): ms per unit on the inference thread */
  unitMs: readonly (readonly number[])[];
  /** per corruption name: kernel ms per (image, condition) */
  corruptMs: Readonly<Record<string, readonly number[]>>;
  /** ms to decode one image */
  decodeMs: readonly number[];
  /** scorer ms per unit */
  scoreMs: readonly number[];
  /** runner start and model loading, seconds */
  startupSeconds: number;
}

export interface PlanShape {
  images: number;
  models: number;
  conditions: readonly Condition[];
  poolWorkers: number;
  cores: number;
}

export type Bottleneck = 'inference' | 'corruption' | 'scoring' | 'cpu';

export interface Extrapolation {
  seconds: number;
  low: number;
  high: number;
  units: number;
  /** per model: mean seconds per unit and its inference seconds over the plan */
  perModel: { secondsPerUnit: number; seconds: number }[];
  perCorruption: { corruption: Condition['corruption']; secondsPerImage: number }[];
  bottleneck: Bottleneck;
}

/** Least relative spread of the range either side of the estimate. */
export const MIN_SPREAD = 1.25;

interface Stat {
  mean: number;
  se: number;
}

export function meanAndError(xs: readonly number[]): Stat {
  if (!xs.length) return { mean: 0, se: 0 };
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  if (xs.length === 1) return { mean, se: mean };
  const variance = xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (xs.length - 1);
  return { mean, se: Math.sqrt(variance / xs.length) };
}

/** Blocks of the plan: clean and each corruption (plan.ts planBlocks), in order. */
function corruptionsOf(conditions: readonly Condition[]): Condition['corruption'][] {
  return [...new Set(conditions.map((c) => c.corruption))];
}

interface Stages {
  inference: number;
  corruption: number;
  scoring: number;
  cpu: number;
  tail: number;
}

function stages(samples: CalibrationSamples, plan: PlanShape, k: number): { stages: Stages; perModel: number[]; perCorruption: Map<string, number> } {
  const at = (xs: readonly number[]): number => {
    const s = meanAndError(xs);
    return Math.max(0, s.mean + k * s.se) / 1000;
  };
  const perModel = samples.unitMs.map(at);
  const perCorruption = new Map<string, number>();
  for (const name of corruptionsOf(plan.conditions)) {
    if (name === 'clean') {
      perCorruption.set(name, 0);
      continue;
    }
    const xs = samples.corruptMs[name];
    if (!xs?.length) throw new Error(`the calibration has no sample of corruption ${name}`);
    perCorruption.set(name, at(xs));
  }
  const { images, conditions } = plan;
  const inference = images * conditions.length * perModel.reduce((a, b) => a + b, 0);
  const corruptionWork = images * conditions.reduce((a, c) => a + (perCorruption.get(c.corruption) ?? 0), 0);
  const decode = images * perCorruption.size * at(samples.decodeMs);
  const units = images * conditions.length * plan.models;
  const scoring = units * at(samples.scoreMs);
  const lastBlock = corruptionsOf(conditions).at(-1);
  const lastShare = conditions.length ? conditions.filter((c) => c.corruption === lastBlock).length / conditions.length : 0;
  return {
    stages: {
      inference,
      corruption: corruptionWork / Math.max(1, plan.poolWorkers),
      scoring,
      cpu: (inference + corruptionWork + decode + scoring) / Math.max(1, plan.cores),
      tail: scoring * lastShare,
    },
    perModel,
    perCorruption,
  };
}

function paced(s: Stages): { bottleneck: Bottleneck; pace: number; second: number } {
  const ranked = (['inference', 'corruption', 'scoring', 'cpu'] as const).map((b) => ({ b, v: s[b] })).sort((x, y) => y.v - x.v);
  return { bottleneck: ranked[0].b, pace: ranked[0].v, second: ranked[1].v };
}

/** The audit's expected wall time from the calibration's samples (see the header). */
export function extrapolate(samples: CalibrationSamples, plan: PlanShape): Extrapolation {
  if (samples.unitMs.length !== plan.models) throw new Error(`the calibration measured ${samples.unitMs.length} models, the plan has ${plan.models}`);
  const mid = stages(samples, plan, 0);
  const lo = stages(samples, plan, -2);
  const hi = stages(samples, plan, 2);
  const m = paced(mid.stages);
  const seconds = samples.startupSeconds + m.pace + mid.stages.tail;
  const l = paced(lo.stages);
  const h = paced(hi.stages);
  const low = Math.min(samples.startupSeconds + l.pace + lo.stages.tail, seconds / MIN_SPREAD);
  const high = Math.max(samples.startupSeconds + h.pace + h.second / 2 + hi.stages.tail, seconds * MIN_SPREAD);
  const perUnit = plan.images * plan.conditions.length;
  return {
    seconds,
    low,
    high,
    units: perUnit * plan.models,
    perModel: mid.perModel.map((s) => ({ secondsPerUnit: s, seconds: s * perUnit })),
    perCorruption: [...mid.perCorruption].map(([corruption, secondsPerImage]) => ({ corruption: corruption as Condition['corruption'], secondsPerImage })),
    bottleneck: m.bottleneck,
  };
}
