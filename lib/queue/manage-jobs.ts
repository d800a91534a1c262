import { publicJobError } from "./public-job-error";
import type { SqlExecutor } from "../db/sql";
import { DomainError } from "../domain-error";
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

/**
 * A job that people have retried max_manual_retries times (3 unless set per job): another
 * Retry would buy max_attempts more paid LLM calls that fail the same way (#9).
 */
export class ManualRetryLimitError extends DomainError {
  override name = "ManualRetryLimitError";
  /** The first line of the job's last error, shortened: what keeps failing. */
  readonly reason: string | null;
  constructor(
    readonly jobId: number,
    readonly manualRetries: number,
    lastError: string | null,
  ) {
    const reason = lastError ? previewError(lastError) : null;
    super(
      "conflict",
      `This job has already been retried by hand ${manualRetries} time${manualRetries === 1 ? "" : "s"}, the limit, and failed again${reason ? `: ${reason}` : ""}. Fix the cause before grading this work again.`,
      { jobId, manualRetries },
    );
    this.reason = reason;
  }
}

const ERROR_PREVIEW_CHARS = 200;
function previewError(error: string): string {
  // "NonRetriableJobError: …" as stored (describeError): the class name means nothing to a person.
  const firstLine = error
    .split("\n")[0]!
    .trim()
    .replace(/^\w*Error: /, "");
  return firstLine.length > ERROR_PREVIEW_CHARS ? `${firstLine.slice(0, ERROR_PREVIEW_CHARS - 1)}…` : firstLine;
}

/** The jobs among these that a person can no longer retry, as ManualRetryLimitErrors. */
export async function findRetryLimitedJobs(sql: SqlExecutor, jobIds: readonly number[]): Promise<ManualRetryLimitError[]> {
  if (jobIds.length === 0) return [];
  const rows = await sql<{ id: number; manual_retries: number; last_error: string | null }[]>`
    select id, manual_retries, last_error from grading_jobs
    where id = any(${[...jobIds]}::bigint[]) and status in ('failed', 'cancelled') and manual_retries >= max_manual_retries
    order by id
  `;
  return rows.map(
    (row) => new ManualRetryLimitError(Number(row.id), row.manual_retries, row.last_error === null ? null : publicJobError(row.last_error)),
  );
}

/**
 * Failed or cancelled → pending with fresh attempts, counting one manual retry. Returns
 * the status afterwards; null when no such job. Throws ManualRetryLimitError (409) when
 * the job has used its manual retries.
 */
export async function retryJob(sql: SqlExecutor, jobId: number): Promise<JobStatus | null> {
  const [row] = await sql<{ status: JobStatus | null }[]>`select retry_grading_job(${jobId}) as status`;
  const status = row?.status ?? null;
  if (status === "failed" || status === "cancelled") {
    const [limited] = await findRetryLimitedJobs(sql, [jobId]);
    if (limited) throw limited;
  }
  return status;
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
