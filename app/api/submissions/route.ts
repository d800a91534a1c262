import { after, NextResponse } from "next/server";
import { readJsonBody, toErrorResponse } from "@/lib/api/errors";
import { gradingConcurrency, MAX_REQUEST_BYTES, STREAM_DRAIN_BUDGET_MS } from "@/lib/api/route-config";
import { getSql } from "@/lib/db/server-sql";
import { ensureDraining } from "@/lib/grading/background-drain";
import { createSubmission } from "@/lib/grading/create-submission";
import { createSubmissionBodySchema } from "@/lib/grading/schemas";
import { appRater, appTasks } from "@/lib/tasks";

export const dynamic = "force-dynamic";
export const maxDuration = 300;

/** Stores an essay and starts grading it; the page then follows GET /api/submissions/:id/events. */
export async function POST(request: Request) {
  try {
    const body = createSubmissionBodySchema.parse(await readJsonBody(request, MAX_REQUEST_BYTES));
    const sql = getSql();
    const submission = await createSubmission(sql, body, appRater());
    after(ensureDraining({ sql, tasks: appTasks(), timeBudgetMs: STREAM_DRAIN_BUDGET_MS, concurrency: gradingConcurrency() }));
    return NextResponse.json(
      { id: submission.id, lineCount: submission.lines.length, cachedLines: submission.cachedLines, changedLines: submission.changedLines },
      { status: 201, headers: { Location: `/submissions/${submission.id}` } },
    );
  } catch (error) {
    return toErrorResponse(error);
  }
}
