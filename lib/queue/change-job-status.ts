import type { SqlExecutor } from "../db/sql";
import type { GradingJobRow } from "./grading-job-row";
import { cancelJob, getJob, retryJob } from "./manage-jobs";

export type JobAction = "cancel" | "retry";

export type JobActionOutcome =
  { outcome: "changed"; job: GradingJobRow } | { outcome: "not_found" } | { outcome: "refused"; job: GradingJobRow; reason: string };

const allowedFrom: Record<JobAction, readonly string[]> = {
  cancel: ["pending", "processing"],
  retry: ["failed", "cancelled"],
};

/** Cancel or retry a job on a person's request, saying why when the job's state does not allow it. */
export async function changeJobStatus(sql: SqlExecutor, jobId: number, action: JobAction): Promise<JobActionOutcome> {
  const before = await getJob(sql, jobId);
  if (!before) return { outcome: "not_found" };
  if (!allowedFrom[action].includes(before.status)) {
    return {
      outcome: "refused",
      job: before,
      reason: `A ${before.status} job cannot be ${action === "cancel" ? "cancelled" : "retried"}.`,
    };
  }
  const status = action === "cancel" ? await cancelJob(sql, jobId) : await retryJob(sql, jobId);
  const after = (await getJob(sql, jobId))!;
  if (action === "retry" && status !== "pending") {
    return { outcome: "refused", job: after, reason: "Another live job already does this work (same dedupe key)." };
  }
  return { outcome: "changed", job: after };
}
