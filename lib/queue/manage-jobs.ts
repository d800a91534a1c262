import type { SqlExecutor } from "../db/sql";
import type { GradingJobRow, JobStatus } from "./grading-job-row";

export const DEFAULT_RETENTION_MS = 24 * 60 * 60 * 1000;

export async function getJob(sql: SqlExecutor, jobId: number): Promise<GradingJobRow | null> {
  const [row] = await sql<GradingJobRow[]>`select * from grading_jobs where id = ${jobId}`;
  return row ?? null;
}

/** Pending or processing → cancelled. Returns the status afterwards; null when there is no such job. */
export async function cancelJob(sql: SqlExecutor, jobId: number): Promise<JobStatus | null> {
  const [row] = await sql<{ status: JobStatus | null }[]>`select cancel_grading_job(${jobId}) as status`;
  return row?.status ?? null;
}

/** Failed or cancelled → pending with fresh attempts. Returns the status afterwards; null when no such job. */
export async function retryJob(sql: SqlExecutor, jobId: number): Promise<JobStatus | null> {
  const [row] = await sql<{ status: JobStatus | null }[]>`select retry_grading_job(${jobId}) as status`;
  return row?.status ?? null;
}

/** Deletes finished jobs older than the retention window; never pending or processing ones. */
export async function cleanupJobs(sql: SqlExecutor, retentionMs = DEFAULT_RETENTION_MS): Promise<number> {
  const retentionSeconds = Math.max(0, retentionMs / 1000);
  const [row] = await sql<{ deleted: number }[]>`
    select cleanup_grading_jobs(make_interval(secs => ${retentionSeconds})) as deleted
  `;
  return row?.deleted ?? 0;
}

export interface QueueCounts {
  pending: number;
  /** Pending jobs whose run_at has come. */
  runnable: number;
  processing: number;
  completed: number;
  failed: number;
  cancelled: number;
}

export async function countJobs(sql: SqlExecutor): Promise<QueueCounts> {
  const [row] = await sql<QueueCounts[]>`
    select
      count(*) filter (where status = 'pending')::int as pending,
      count(*) filter (where status = 'pending' and run_at <= now())::int as runnable,
      count(*) filter (where status = 'processing')::int as processing,
      count(*) filter (where status = 'completed')::int as completed,
      count(*) filter (where status = 'failed')::int as failed,
      count(*) filter (where status = 'cancelled')::int as cancelled
    from grading_jobs
  `;
  return row!;
}

/** Pending jobs whose run_at has come: an index-only count on the pending partial index, cheap enough to poll. */
export async function countRunnableJobs(sql: SqlExecutor): Promise<number> {
  const [row] = await sql<{ runnable: number }[]>`
    select count(*)::int as runnable from grading_jobs where status = 'pending' and run_at <= now()
  `;
  return row?.runnable ?? 0;
}
