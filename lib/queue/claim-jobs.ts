import type { SqlExecutor } from "../db/sql";
import type { GradingJobRow } from "./grading-job-row";

export const DEFAULT_LEASE_MS = 30_000;

export interface ClaimJobsOptions {
  workerId: string;
  batchSize: number;
  leaseMs?: number;
  /** Only these kinds (the ones the caller can run); all kinds when omitted. */
  kinds?: readonly string[];
}

/** One SQL call: takes up to batchSize runnable jobs with SKIP LOCKED and leases them. */
export async function claimJobs(sql: SqlExecutor, options: ClaimJobsOptions): Promise<GradingJobRow[]> {
  const leaseSeconds = Math.max(1, Math.ceil((options.leaseMs ?? DEFAULT_LEASE_MS) / 1000));
  const kinds = options.kinds ? [...options.kinds] : null;
  return sql<GradingJobRow[]>`
    select * from claim_grading_jobs(${options.workerId}, ${options.batchSize}, ${leaseSeconds}, ${kinds}::text[])
  `;
}
