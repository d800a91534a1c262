import type { Sql } from "../db/sql";
import { drainQueue, type DrainSummary } from "../queue/drain-queue";
import type { TaskRegistry } from "../queue/job-kinds";
import { cleanupJobs } from "../queue/manage-jobs";
import { evictColdPhrases } from "./phrase-cache";

export interface CronSummary extends DrainSummary {
  cleanedUp: number;
  evictedPhrases: number;
}

/**
 * The cron tick: recover expired leases (drainQueue does that first), drain within the
 * budget, delete old finished jobs and cold phrase-cache entries. Safe to run twice at
 * once (Vercel cron may deliver a tick twice): every step is a SKIP LOCKED claim or an
 * idempotent delete.
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
  const cleanedUp = await cleanupJobs(options.sql);
  const evictedPhrases = await evictColdPhrases(options.sql);
  return { ...summary, cleanedUp, evictedPhrases };
}
