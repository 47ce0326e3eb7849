/**
 * An audit time estimate in words, the same in the setup view and the CLI:
 * "≈ 12 min (9–16 min) for 7,600 units". The unit follows the estimate (seconds under
 * 90 s, minutes under 90 min, else hours to a tenth) and the range is written in it.
 */
import type { AuditEstimate } from './audits';

type Unit = { name: string; seconds: number; digits: number };

function unitFor(seconds: number): Unit {
  if (seconds < 90) return { name: 's', seconds: 1, digits: 0 };
  if (seconds < 90 * 60) return { name: 'min', seconds: 60, digits: 0 };
  return { name: 'h', seconds: 3600, digits: 1 };
}

function inUnit(seconds: number, unit: Unit): string {
  const v = seconds / unit.seconds;
  // a range never reads "0 min": the smallest figure shown is one step of the unit
  const step = 10 ** -unit.digits;
  return Math.max(step, v).toFixed(unit.digits);
}

export function estimateText(e: Pick<AuditEstimate, 'seconds' | 'low' | 'high' | 'units'>): string {
  const unit = unitFor(e.seconds);
  return `≈ ${inUnit(e.seconds, unit)} ${unit.name} (${inUnit(e.low, unit)}–${inUnit(e.high, unit)} ${unit.name}) for ${e.units.toLocaleString('en-US')} unit${e.units === 1 ? '' : 's'}`;
}
