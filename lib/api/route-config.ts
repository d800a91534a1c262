import { DEFAULT_DRAIN_CONCURRENCY } from "../queue/drain-queue";

// Routes declare `maxDuration` as a literal (Next reads it statically): 300 s for the
// grading routes, 60 s for the cron route. Their drains stop claiming well before.
export const STREAM_DRAIN_BUDGET_MS = 240_000;
export const CRON_DRAIN_BUDGET_MS = 45_000;
/** Essay text is capped at 100 KB; JSON escaping can add a little. */
export const MAX_REQUEST_BYTES = 160 * 1024;

/** GRADING_CONCURRENCY, else the queue's default drain concurrency. */
export function gradingConcurrency(): number {
  const value = Number(process.env.GRADING_CONCURRENCY ?? "");
  return Number.isInteger(value) && value > 0 ? value : DEFAULT_DRAIN_CONCURRENCY;
}
