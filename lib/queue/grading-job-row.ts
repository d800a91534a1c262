import { z } from "zod";

// Mirrors the status check on grading_jobs. Order is not meaningful.
export const jobStatusSchema = z.enum(["pending", "processing", "completed", "failed", "cancelled"]);
export type JobStatus = z.infer<typeof jobStatusSchema>;

export interface GradingJobRow {
  id: number;
  kind: string;
  /** Unknown until the kind's schema has parsed it: old jobs outlive code. */
  payload: unknown;
  status: JobStatus;
  priority: number;
  run_at: Date;
  attempts: number;
  max_attempts: number;
  lease_owner: string | null;
  lease_expires_at: Date | null;
  dedupe_key: string | null;
  last_error: string | null;
  result: unknown;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
}
