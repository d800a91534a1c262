import { publicJobError } from "../queue/public-job-error";
import type { SqlExecutor } from "../db/sql";
import type { RecentFailure } from "./monitoring-stats-schema";

export const RECENT_FAILURES_LIMIT = 50;

interface FailureRow {
  id: number;
  kind: string;
  attempts: number;
  max_attempts: number;
  last_error: string | null;
  finished_at: Date | null;
  submission_id: string | null;
}

/**
 * Failed jobs, newest first, with their error and the submission they belong to (when
 * their payload names one). The order matches grading_jobs_failed_idx, so this reads
 * 50 index entries instead of sorting every finished job (0.06 ms vs 17 ms at 200k jobs).
 */
export async function listRecentFailures(sql: SqlExecutor, limit = RECENT_FAILURES_LIMIT): Promise<RecentFailure[]> {
  const rows = await sql<FailureRow[]>`
    select id, kind, attempts, max_attempts, last_error, finished_at,
           payload ->> 'submissionId' as submission_id
    from grading_jobs
    where status = 'failed'
    order by finished_at desc nulls last, id desc
    limit ${limit}
  `;
  return rows.map((row) => ({
    id: row.id,
    kind: row.kind,
    attempts: row.attempts,
    maxAttempts: row.max_attempts,
    lastError: row.last_error === null ? null : publicJobError(row.last_error),
    finishedAt: row.finished_at?.toISOString() ?? null,
    submissionId: row.submission_id,
  }));
}
