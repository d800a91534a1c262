/** Clocks and statistics for the queue benchmark. */
import type { Sql } from "../../lib/db/sql";

/** Wall-clock milliseconds with sub-millisecond resolution (Date.now() has 1 ms steps). */
export function clientNowMs(): number {
  return performance.timeOrigin + performance.now();
}

export interface ClockCalibration {
  /** server clock − client clock, in ms: add it to a clientNowMs() value to place it on the server's clock. */
  offsetMs: number;
  /** Round trip of the sample the offset came from; the offset is good to ±rtt/2. */
  rttMs: number;
}

/**
 * Compares clientNowMs() with Postgres's clock_timestamp(), NTP-style: the server read
 * its clock somewhere inside our round trip, so offset = server − midpoint, and the
 * sample with the shortest round trip is the tightest. On one machine the offset is
 * ~0 (same kernel clock); measuring it instead of assuming it also catches a
 * performance.timeOrigin that drifted from the system clock.
 */
export async function calibrateClock(sql: Sql, samples = 25): Promise<ClockCalibration> {
  let best: ClockCalibration | null = null;
  for (let i = 0; i < samples; i++) {
    const sentAt = clientNowMs();
    const [row] = await sql<{ ms: number }[]>`select extract(epoch from clock_timestamp())::float8 * 1000 as ms`;
    const receivedAt = clientNowMs();
    const rttMs = receivedAt - sentAt;
    const offsetMs = row!.ms - (sentAt + receivedAt) / 2;
    if (i > 0 && (!best || rttMs < best.rttMs)) best = { offsetMs, rttMs }; // the first sample prepares the statement
  }
  return best!;
}

/** Nearest-rank percentile (p in 0..100) of unsorted values. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1]!;
}

export function summarize(values: readonly number[]): string {
  const f = (x: number) => x.toFixed(2);
  return `min ${f(Math.min(...values))}  p50 ${f(percentile(values, 50))}  p95 ${f(percentile(values, 95))}  max ${f(Math.max(...values))}`;
}

export function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
