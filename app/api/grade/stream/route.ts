import { after } from "next/server";
import { readJsonBody, toErrorResponse } from "@/lib/api/errors";
import { gradingConcurrency, MAX_REQUEST_BYTES, STREAM_DRAIN_BUDGET_MS } from "@/lib/api/route-config";
import { getSql } from "@/lib/db/server-sql";
import { ensureDraining } from "@/lib/grading/background-drain";
import { createSubmission } from "@/lib/grading/create-submission";
import { createSubmissionBodySchema } from "@/lib/grading/schemas";
import { SSE_HEADERS, streamSubmissionEvents } from "@/lib/grading/submission-events";
import { appRater, appTasks } from "@/lib/tasks";

export const dynamic = "force-dynamic";
export const maxDuration = 300;

/** Stores the essay and its jobs, starts grading at once, and streams ratings as they land. */
export async function POST(request: Request) {
  try {
    const body = createSubmissionBodySchema.parse(await readJsonBody(request, MAX_REQUEST_BYTES));
    const sql = getSql();
    const submission = await createSubmission(sql, body, appRater());
    // Starts now (the stream below waits for its results); after() keeps the instance alive until it ends.
    after(ensureDraining({ sql, tasks: appTasks(), timeBudgetMs: STREAM_DRAIN_BUDGET_MS, concurrency: gradingConcurrency() }));
    const stream = streamSubmissionEvents({
      sql,
      submissionId: submission.id,
      afterSeq: 0,
      signal: request.signal,
      initialEvents: [
        {
          event: "submission",
          data: {
            id: submission.id,
            lineCount: submission.lines.length,
            cachedLines: submission.cachedLines,
            changedLines: submission.changedLines,
            previousSubmissionId: submission.previousSubmissionId,
            lines: submission.lines,
          },
        },
      ],
    });
    return new Response(stream, { headers: { ...SSE_HEADERS, "X-Submission-Id": submission.id, Location: `/api/submissions/${submission.id}` } });
  } catch (error) {
    return toErrorResponse(error);
  }
}
