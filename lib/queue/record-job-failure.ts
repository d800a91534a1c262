import type { Sql } from "../db/sql";
import { describeError, NonRetriableJobError, RetryAfterJobError } from "./errors";
import { failJob } from "./fail-job";
import type { GradingJobRow } from "./grading-job-row";
import type { JobLedger } from "./job-ledger";

export interface FailureRecorder {
  sql: Sql;
  workerId: string;
  ledger: JobLedger;
}

/**
 * Writes a failed attempt (retried later, or failed for good) and records the outcome. A
 * superseded attempt writes nothing: the job's newer attempt is the one that counts.
 */
export async function recordJobFailure({ sql, workerId, ledger }: FailureRecorder, job: GradingJobRow, error: unknown): Promise<void> {
  if (!ledger.isCurrent(job)) return ledger.recordLost(job);
  const message = describeError(error);
  try {
    const outcome = await failJob(sql, {
      jobId: job.id,
      workerId,
      error: message,
      retryInMs: error instanceof RetryAfterJobError ? error.retryAfterMs : undefined,
      permanent: error instanceof NonRetriableJobError,
    });
    ledger.forget(job);
    if (!outcome) ledger.recordLost(job);
    else if (outcome.status === "failed") ledger.recordFailed(job, message);
    else ledger.recordRetried(job, message, outcome.runAt);
  } catch (dbError) {
    // The lease will run out and the job will be retried; nothing is lost.
    ledger.forget(job);
    ledger.reportError(dbError, `recording failure of job ${job.id} (${job.kind})`);
  }
}
