import type { SqlExecutor } from "../db/sql";
import type { JobStatus } from "./grading-job-row";

export interface FailJobOptions {
  jobId: number;
  workerId: string;
  error: string;
  /** Retry after exactly this long instead of the backoff schedule. */
  retryInMs?: number;
  /** Retrying cannot help: fail now whatever attempts are left. */
  permanent?: boolean;
}

export interface FailedAttempt {
  status: Extract<JobStatus, "pending" | "failed">;
  attempts: number;
  runAt: Date;
}

/** Records a failed attempt. Returns null when the worker no longer held the job (fenced). */
export async function failJob(sql: SqlExecutor, options: FailJobOptions): Promise<FailedAttempt | null> {
  const retryInMs = options.retryInMs === undefined ? null : Math.max(0, Math.round(options.retryInMs));
  const [row] = await sql<{ status: FailedAttempt["status"]; attempts: number; run_at: Date }[]>`
    select * from fail_grading_job(
      ${options.jobId}, ${options.workerId}, ${options.error}, ${retryInMs}::integer, ${options.permanent ?? false}
    )
  `;
  return row ? { status: row.status, attempts: row.attempts, runAt: row.run_at } : null;
}
