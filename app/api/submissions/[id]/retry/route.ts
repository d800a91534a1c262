import { after, NextResponse } from "next/server";
import { ApiError, toErrorResponse } from "@/lib/api/errors";
import { parseSubmissionId } from "@/lib/api/params";
import { gradingConcurrency, STREAM_DRAIN_BUDGET_MS } from "@/lib/api/route-config";
import { getSql } from "@/lib/db/server-sql";
import { ensureDraining } from "@/lib/grading/background-drain";
import { retryFailedSubmissionJobs } from "@/lib/grading/retry-submission";
import { getSubmissionSummary } from "@/lib/grading/submission-state";
import { appTasks } from "@/lib/tasks";

export const dynamic = "force-dynamic";
export const maxDuration = 300;

/** The Retry button on failed lines: every failed job of the submission runs again. */
export async function POST(_request: Request, { params }: { params: Promise<{ id: string }> }) {
  try {
    const id = parseSubmissionId((await params).id);
    const sql = getSql();
    if (!(await getSubmissionSummary(sql, id))) throw new ApiError("not_found", `No submission with id ${id}.`);
    const retried = await retryFailedSubmissionJobs(sql, id);
    if (retried > 0) after(ensureDraining({ sql, tasks: appTasks(), timeBudgetMs: STREAM_DRAIN_BUDGET_MS, concurrency: gradingConcurrency() }));
    return NextResponse.json({ retried });
  } catch (error) {
    return toErrorResponse(error);
  }
}
