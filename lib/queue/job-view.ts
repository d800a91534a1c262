import type { GradingJobRow } from "./grading-job-row";
import { publicJobError } from "./public-job-error";

/** A job as the status API shows it: the trigger → status pattern. */
export function toJobView(job: GradingJobRow) {
  const queueEnd = job.started_at ?? (job.status === "pending" ? new Date() : null);
  return {
    id: job.id,
    kind: job.kind,
    status: job.status,
    attempts: job.attempts,
    maxAttempts: job.max_attempts,
    error: job.last_error === null ? null : publicJobError(job.last_error),
    result: job.result ?? null,
    payload: job.payload,
    priority: job.priority,
    createdAt: job.created_at,
    runAt: job.run_at,
    startedAt: job.started_at,
    finishedAt: job.finished_at,
    timings: {
      /** Waiting to be claimed: created (or last retried) → last claim. */
      queueMs: queueEnd ? Math.max(0, queueEnd.getTime() - job.created_at.getTime()) : null,
      /** The last attempt: claim → finish (or now, while running). */
      runMs: job.started_at ? Math.max(0, (job.finished_at ?? new Date()).getTime() - job.started_at.getTime()) : null,
    },
  };
}
