/**
 * The worst class: among the classes with at least `minGt` scored GT boxes (GT that
 * count for AP: not crowd, not ignored, over the audit's images), the one with the
 * lowest value of a per-class statistic (clean AP, mPC or rPC). Classes below the
 * minimum are skipped (their AP rests on too few boxes to rank them) and counted, so a
 * report can say how many. Equal values: the class listed first (lowest category id).
 * Classes whose value is undefined (rPC with P = 0) take no part.
 *
 * In the bootstrap the minimum is taken again in every resample (the statistic is "the
 * lowest eligible class AP", whichever class that is); the class named is the one of
 * the audit's own images.
 */

export interface WorstEligibility {
  /** [K] 1 = takes part */
  eligible: Uint8Array;
  count: number;
  /** classes with scored GT but fewer than minGt */
  skipped: number;
  /** classes without scored GT */
  withoutGt: number;
}

export function worstEligibility(gtCounts: ArrayLike<number>, minGt: number): WorstEligibility {
  const eligible = new Uint8Array(gtCounts.length);
  let count = 0;
  let skipped = 0;
  let withoutGt = 0;
  for (let k = 0; k < gtCounts.length; k++) {
    const g = gtCounts[k];
    if (g === 0) withoutGt++;
    else if (g < minGt) skipped++;
    else {
      eligible[k] = 1;
      count++;
    }
  }
  return { eligible, count, skipped, withoutGt };
}

/** Index and value of the lowest defined values[offset + k * stride] over eligible k; {-1, NaN} if none. */
export function lowestClass(
  values: ArrayLike<number>, eligible: Uint8Array, offset = 0, stride = 1,
): { k: number; value: number } {
  let best = -1;
  let value = NaN;
  for (let k = 0; k < eligible.length; k++) {
    if (eligible[k] === 0) continue;
    const v = values[offset + k * stride];
    if (Number.isNaN(v)) continue;
    if (best < 0 || v < value) {
      best = k;
      value = v;
    }
  }
  return { k: best, value };
}
