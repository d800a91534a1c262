import type { Sql } from "../db/sql";
import { retentionEnv } from "../env";
import { drainQueue, type DrainSummary } from "../queue/drain-queue";
import type { TaskRegistry } from "../queue/job-kinds";
import { cleanupJobs } from "../queue/manage-jobs";
import { purgeOldSubmissions } from "../submissions/purge-old-submissions";
import { evictColdPhrases } from "./phrase-cache";

export interface HousekeepingSummary {
  /** Finished jobs older than 24 h. */
  cleanedUp: number;
  /** Phrase-cache entries unused for 90 days, or past the cache's size. */
  evictedPhrases: number;
  /** Submissions older than RETENTION_DAYS (0 when it is unset: kept forever). */
  purgedSubmissions: number;
}

export interface CronSummary extends DrainSummary, HousekeepingSummary {}

/**
 * Deletes what is no longer needed: old finished jobs, cold phrase-cache entries and, when
 * a retention period is set, submissions past it (#9). Every step is an idempotent delete
 * that skips rows another cleanup holds, so workers, drains and the cron may all run it.
 */
export async function runHousekeeping(
  sql: Sql,
  options: { retentionDays?: number } = { retentionDays: retentionEnv().RETENTION_DAYS },
): Promise<HousekeepingSummary> {
  const cleanedUp = await cleanupJobs(sql);
  const evictedPhrases = await evictColdPhrases(sql, { maxAgeDays: options.retentionDays });
  const purgedSubmissions = options.retentionDays === undefined ? 0 : await purgeOldSubmissions(sql, options.retentionDays);
  return { cleanedUp, evictedPhrases, purgedSubmissions };
}

const housekeepingState = globalThis as unknown as { gradelineHousekeepingAt?: number; gradelineHousekeeping?: Promise<unknown> };

/**
 * runHousekeeping at most once per CLEANUP_INTERVAL_MS in this process (the web app's
 * inline drain calls it after every request that enqueues work), never two at once.
 * Resolves null when it was not due; a failure is logged, not thrown: cleanup can wait.
 */
export async function runHousekeepingIfDue(sql: Sql, now = Date.now()): Promise<HousekeepingSummary | null> {
  const { CLEANUP_INTERVAL_MS: intervalMs, RETENTION_DAYS: retentionDays } = retentionEnv();
  const last = housekeepingState.gradelineHousekeepingAt;
  if (housekeepingState.gradelineHousekeeping || (last !== undefined && now - last < intervalMs)) return null;
  housekeepingState.gradelineHousekeepingAt = now;
  const run = runHousekeeping(sql, { retentionDays }).catch((error: unknown) => {
    console.error("[cleanup] failed; the next one will try again", error);
    return null;
  });
  housekeepingState.gradelineHousekeeping = run;
  try {
    return await run;
  } finally {
    housekeepingState.gradelineHousekeeping = undefined;
  }
}

/**
 * The cron tick: recover expired leases (drainQueue does that first), drain within the
 * budget, then clean up. Safe to run twice at once (Vercel cron may deliver a tick twice):
 * every step is a SKIP LOCKED claim or an idempotent delete.
 */
export async function processGradingQueue(options: {
  sql: Sql;
  tasks: TaskRegistry;
  timeBudgetMs: number;
  concurrency: number;
  register?: boolean;
  signal?: AbortSignal;
}): Promise<CronSummary> {
  const summary = await drainQueue(options);
  const housekeeping = await runHousekeeping(options.sql, { retentionDays: retentionEnv().RETENTION_DAYS });
  return { ...summary, ...housekeeping };
}
