/**
 * Pipeline efficiency of one run, as bench:infer and bench:audit report it.
 *
 *   capacity   = cores x wall            CPU seconds the machine could give the run
 *   isolated   = sum over stages s of isolatedCpu[s]
 *                                        CPU seconds of each stage measured alone, one at a
 *                                        time, on the same inputs (the work that must be done)
 *   efficiency = isolated / capacity     1: the stages overlap perfectly on every core and
 *                                        nothing is repeated or waited for
 *   share[s]   = isolatedCpu[s] / capacity   (the shares sum to efficiency)
 *
 * When the CPU seconds the real run's processes consumed (`runCpu`, all threads) are
 * known, the rest of the capacity splits into:
 *   overhead   = (runCpu - isolated) / capacity  work done only because the stages run
 *                                        together (copies, messages, scheduling, contention);
 *                                        negative when the isolated figures overestimate
 *   idle       = (capacity - runCpu) / capacity  cores the run left unused (waiting, or
 *                                        taken by other processes on a shared machine)
 * so efficiency + overhead + idle = 1. Pure arithmetic; inputs are validated so a broken
 * measurement (NaN, a zero wall) is an error naming the field, not a plausible number.
 */

export interface EfficiencyInput {
  /** CPU seconds of each stage measured alone on the same images */
  isolatedCpuSeconds: Record<string, number>;
  cores: number;
  /** wall seconds of the real run */
  wallSeconds: number;
  /** CPU seconds the real run's processes consumed, all threads; omitted when not measured */
  runCpuSeconds?: number;
}

export interface EfficiencyReport {
  efficiency: number;
  isolatedCpuSeconds: number;
  capacityCpuSeconds: number;
  /** each stage's isolated CPU seconds over the capacity */
  stageShares: Record<string, number>;
  overheadShare: number | null;
  idleShare: number | null;
}

function checkSeconds(field: string, v: number): void {
  if (!(Number.isFinite(v) && v >= 0)) throw new Error(`${field} must be a finite number of seconds >= 0 (got ${v}); the measurement is broken`);
}

export function pipelineEfficiency(input: EfficiencyInput): EfficiencyReport {
  const { cores, wallSeconds, runCpuSeconds } = input;
  if (!(Number.isInteger(cores) && cores >= 1)) throw new Error(`cores must be a positive integer (got ${cores})`);
  if (!(Number.isFinite(wallSeconds) && wallSeconds > 0)) throw new Error(`wallSeconds must be a positive number (got ${wallSeconds})`);
  let isolated = 0;
  for (const [stage, s] of Object.entries(input.isolatedCpuSeconds)) {
    checkSeconds(`isolatedCpuSeconds.${stage}`, s);
    isolated += s;
  }
  if (runCpuSeconds !== undefined) checkSeconds('runCpuSeconds', runCpuSeconds);
  const capacity = cores * wallSeconds;
  const stageShares = Object.fromEntries(Object.entries(input.isolatedCpuSeconds).map(([stage, s]) => [stage, s / capacity]));
  return {
    efficiency: isolated / capacity,
    isolatedCpuSeconds: isolated,
    capacityCpuSeconds: capacity,
    stageShares,
    overheadShare: runCpuSeconds === undefined ? null : (runCpuSeconds - isolated) / capacity,
    idleShare: runCpuSeconds === undefined ? null : (capacity - runCpuSeconds) / capacity,
  };
}
