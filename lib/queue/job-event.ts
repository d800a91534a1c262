import type { GradingJobRow } from "./grading-job-row";

export type JobEvent =
  | { type: "job:start"; job: GradingJobRow }
  | { type: "job:complete"; job: GradingJobRow; durationMs: number }
  | { type: "job:retry"; job: GradingJobRow; error: string; runAt: Date }
  | { type: "job:failed"; job: GradingJobRow; error: string }
  | { type: "job:lost"; jobId: number; kind?: string }
  | { type: "error"; error: Error; context: string };

export interface RunnerStats {
  claimed: number;
  completed: number;
  /** Attempts that failed and were scheduled to run again. */
  retried: number;
  /** Jobs that ended as failed (no attempts left, or not retriable). */
  failed: number;
  /** Jobs this runner lost the lease of before finishing them. */
  lost: number;
  /** Jobs handed back to pending at shutdown (unstarted, or still running when the grace ran out). */
  released: number;
}
