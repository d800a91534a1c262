import type { SqlExecutor } from "../db/sql";
import type { JobCounts, QueueDepth } from "./monitoring-stats-schema";

interface KindCountsRow extends JobCounts {
  kind: string;
}

const STATUSES = ["runnable", "delayed", "processing", "failed", "completed", "cancelled"] as const;

/** Sums per-kind rows into per-status totals (pure). */
export function sumJobCounts(rows: readonly JobCounts[]): JobCounts {
  const total: JobCounts = { runnable: 0, delayed: 0, processing: 0, failed: 0, completed: 0, cancelled: 0 };
  for (const row of rows) for (const status of STATUSES) total[status] += row[status];
  return total;
}

/**
 * Jobs by kind and status, pending split into runnable and delayed, and how long the
 * longest-waiting runnable job has been due. One pass over grading_jobs: the table only
 * holds finished jobs for the retention window (cleanup_grading_jobs), so it stays small
 * enough to count: 200k rows take ~40 ms (a parallel seq scan).
 */
export async function getQueueDepth(sql: SqlExecutor): Promise<QueueDepth> {
  const [rows, [oldest]] = await Promise.all([
    sql<KindCountsRow[]>`
      select
        kind,
        count(*) filter (where status = 'pending' and run_at <= now())::int as runnable,
        count(*) filter (where status = 'pending' and run_at > now())::int as delayed,
        count(*) filter (where status = 'processing')::int as processing,
        count(*) filter (where status = 'failed')::int as failed,
        count(*) filter (where status = 'completed')::int as completed,
        count(*) filter (where status = 'cancelled')::int as cancelled
      from grading_jobs
      group by kind
      order by kind
    `,
    // Age since run_at, not created_at: a job retried by hand or backed off after a
    // failure has waited for a worker only since it became due again. Uses the pending
    // partial index (grading_jobs_pending_idx).
    sql<{ age_seconds: number | null }[]>`
      select extract(epoch from now() - min(run_at))::float8 as age_seconds
      from grading_jobs
      where status = 'pending' and run_at <= now()
    `,
  ]);
  return {
    byStatus: sumJobCounts(rows),
    byKind: rows.map((row) => ({ ...row })),
    oldestPendingAgeSeconds: oldest?.age_seconds ?? null,
  };
}
