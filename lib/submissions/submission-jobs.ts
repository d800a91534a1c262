import type { SqlExecutor } from "../db/sql";

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
  for (const row of rows) bySubmission.set(row.submission_id, { processing: row.processing, open: row.open, failed: row.failed ?? [] });
  return bySubmission;
}

export async function getSubmissionJobs(sql: SqlExecutor, submissionId: string): Promise<SubmissionJobs> {
  return (await listSubmissionJobs(sql, [submissionId])).get(submissionId) ?? noJobs();
}

/** Gives every failed job of the submission a fresh attempt; returns how many are pending again. */
export async function retryFailedSubmissionJobs(sql: SqlExecutor, submissionId: string): Promise<number> {
  const rows = await sql<{ status: string | null }[]>`
    select retry_grading_job(id) as status from grading_jobs
    where payload ? 'submissionId' and payload ->> 'submissionId' = ${submissionId} and status = 'failed'
  `;
  return rows.filter((row) => row.status === "pending").length;
}
