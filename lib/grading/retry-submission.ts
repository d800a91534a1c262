import type { SqlExecutor } from "../db/sql";

/** Gives every failed job of a submission fresh attempts; returns how many were retried. */
export async function retryFailedSubmissionJobs(sql: SqlExecutor, submissionId: string): Promise<number> {
  const rows = await sql<{ status: string | null }[]>`
    select retry_grading_job(id) as status from grading_jobs
    where payload ? 'submissionId' and payload ->> 'submissionId' = ${submissionId} and status = 'failed'
  `;
  return rows.filter((row) => row.status === "pending").length;
}
