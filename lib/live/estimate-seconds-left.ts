export interface ProgressSample {
  /** ms, e.g. Date.now() */
  at: number;
  rated: number;
}

/** Only the last half minute counts, so a slow start or a retry does not skew the rate for long. */
export const RATE_WINDOW_MS = 30_000;

/**
 * Seconds until every line is rated, from the rate observed in the samples (oldest
 * first), or null while there is not enough to go on: fewer than two ratings seen
 * landing, or nothing left to rate.
 */
export function estimateSecondsLeft(samples: readonly ProgressSample[], total: number, now: number): number | null {
  const last = samples.at(-1);
  if (!last || last.rated >= total) return null;
  const windowStart = now - RATE_WINDOW_MS;
  const first = samples.find((sample) => sample.at >= windowStart) ?? last;
  const gained = last.rated - first.rated;
  // Measured to now, not to the last sample, so a stall makes the estimate grow instead of freeze.
  const elapsedMs = Math.max(now - first.at, 1);
  if (gained < 2) return null;
  const perSecond = gained / (elapsedMs / 1000);
  return Math.max(1, Math.round((total - last.rated) / perSecond));
}

/** "about 40 s left", "about 3 min left". */
export function formatSecondsLeft(seconds: number): string {
  if (seconds < 60) return `about ${seconds} s left`;
  return `about ${Math.round(seconds / 60)} min left`;
}
