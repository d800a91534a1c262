/** Claim enough to cover this much work at the observed rate, so fast jobs never wait on a round-trip. */
export const PREFETCH_WINDOW_MS = 50;
export const MAX_CLAIM_BATCH = 500;

/** How many jobs a claim should ask for now: free handler slots plus a prefetch sized by throughput. */
export function planClaimSize(freeSlots: number, completionsPerSecond: number): number {
  const prefetch = Math.ceil(completionsPerSecond * (PREFETCH_WINDOW_MS / 1000));
  return Math.min(MAX_CLAIM_BATCH, Math.max(0, freeSlots + prefetch));
}

/**
 * Completions per second over the last second, or over the time since the first one
 * when that is shorter: dividing a fresh worker's first burst by a whole second
 * underestimated its rate tenfold and kept its claims small (bench: 13.5k → 24k jobs/s).
 */
export class CompletionRate {
  private times: number[] = [];
  private head = 0;

  record(now: number): void {
    this.times.push(now);
  }

  perSecond(now: number): number {
    while (this.head < this.times.length && now - this.times[this.head]! >= 1000) this.head++;
    if (this.head > 4096) {
      this.times = this.times.slice(this.head);
      this.head = 0;
    }
    const count = this.times.length - this.head;
    if (count === 0) return 0;
    const windowMs = Math.min(1000, Math.max(PREFETCH_WINDOW_MS, now - this.times[this.head]!));
    return (count * 1000) / windowMs;
  }
}
