import { publicJobError } from "../queue/public-job-error";
import type { SqlExecutor } from "../db/sql";
import { DomainError } from "../domain-error";
import { ManualRetryLimitError, retryJob } from "../queue/manage-jobs";

/**
 * The only reader of a submission's jobs. Jobs name their submission in their payload
 * (the queue knows no submissions); grading_jobs_submission_id_idx indexes that, and is
 * partial (`where payload ? 'submissionId'`): every query repeats that condition, or
 * the planner cannot use it and scans the whole queue.
 */
export interface SubmissionJobs {
  /** Jobs running right now. */
  processing: number;
  /** Jobs still pending or processing. */
  open: number;
  /** Jobs that failed for good, oldest first. */
  failed: Array<{ jobId: number; kind: string; error: string }>;
}

const noJobs = (): SubmissionJobs => ({ processing: 0, open: 0, failed: [] });

/** The jobs of many submissions in one statement; a submission without jobs gets zero counts. */
export async function listSubmissionJobs(sql: SqlExecutor, submissionIds: readonly string[]): Promise<Map<string, SubmissionJobs>> {
  const bySubmission = new Map(submissionIds.map((id) => [id, noJobs()]));
  if (submissionIds.length === 0) return bySubmission;
  const rows = await sql<{ submission_id: string; processing: number; open: number; failed: SubmissionJobs["failed"] | null }[]>`
    select payload ->> 'submissionId' as submission_id,
           count(*) filter (where status = 'processing')::int as processing,
           count(*) filter (where status in ('pending', 'processing'))::int as open,
           jsonb_agg(jsonb_build_object('jobId', id, 'kind', kind, 'error', coalesce(last_error, 'unknown error')) order by id)
             filter (where status = 'failed') as failed
    from grading_jobs
    where payload ? 'submissionId' and payload ->> 'submissionId' = any(${[...submissionIds]}::text[])
    group by 1
  `;
  for (const row of rows) {
    // Students and teachers read these: raw driver messages lose their addresses and names (#9).
    const failed = (row.failed ?? []).map((job) => ({ ...job, error: publicJobError(job.error) }));
    bySubmission.set(row.submission_id, { processing: row.processing, open: row.open, failed });
  }
  return bySubmission;
}

export async function getSubmissionJobs(sql: SqlExecutor, submissionId: string): Promise<SubmissionJobs> {
  return (await listSubmissionJobs(sql, [submissionId])).get(submissionId) ?? noJobs();
}

/** A submission's Retry when one of its failed jobs has used its manual retries (409, #9). */
export class SubmissionRetryLimitError extends DomainError {
  override name = "SubmissionRetryLimitError";
  constructor(limited: ManualRetryLimitError[]) {
    const first = limited[0]!;
    const times = `${first.manualRetries} time${first.manualRetries === 1 ? "" : "s"}`;
    super(
      "conflict",
      `Grading this essay has already been retried ${times}, the limit, and job ${first.jobId} still fails${first.reason ? `: ${first.reason}` : ""}. Nothing was retried; the cause needs fixing first (the monitor shows the error).`,
      { jobIds: limited.map((error) => error.jobId) },
    );
  }
}

/**
 * The submission's jobs in these statuses (of one kind, when given) that people have
 * retried as often as they may (grading_jobs.max_manual_retries).
 */
async function listRetryLimitedJobs(
  sql: SqlExecutor,
  submissionId: string,
  statuses: ReadonlyArray<"failed" | "cancelled">,
  kind: string | null = null,
): Promise<ManualRetryLimitError[]> {
  const rows = await sql<{ id: string; manual_retries: number; last_error: string | null }[]>`
    select id, manual_retries, last_error from grading_jobs
    where payload ? 'submissionId' and payload ->> 'submissionId' = ${submissionId} and status = any(${[...statuses]}::text[])
      and manual_retries >= max_manual_retries and (${kind}::text is null or kind = ${kind})
    order by id
  `;
  return rows.map(
    (row) => new ManualRetryLimitError(Number(row.id), row.manual_retries, row.last_error === null ? null : publicJobError(row.last_error)),
  );
}

/**
 * Gives every failed job of the submission a fresh attempt; returns how many are pending
 * again. Throws SubmissionRetryLimitError, retrying none, when any of them has used its
 * manual retries.
 */
export async function retryFailedSubmissionJobs(sql: SqlExecutor, submissionId: string): Promise<number> {
  const limited = await listRetryLimitedJobs(sql, submissionId, ["failed"]);
  if (limited.length > 0) throw new SubmissionRetryLimitError(limited);
  const failed = await sql<{ id: string }[]>`
    select id from grading_jobs
    where payload ? 'submissionId' and payload ->> 'submissionId' = ${submissionId} and status = 'failed' order by id
  `;
  let retried = 0;
  for (const job of failed) if ((await retryJob(sql, Number(job.id))) === "pending") retried++;
  return retried;
}

/**
 * Before new jobs of `kind` replace cancelled ones: a job retried to its limit and then
 * cancelled must not come back as a fresh job with fresh retries (#9).
 */
export async function assertSubmissionWorkMayRestart(sql: SqlExecutor, submissionId: string, kind: string): Promise<void> {
  const limited = await listRetryLimitedJobs(sql, submissionId, ["cancelled"], kind);
  if (limited.length > 0) throw new SubmissionRetryLimitError(limited);
}
