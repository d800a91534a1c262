import { NextResponse } from "next/server";
import { drainAfterResponse } from "@/lib/api/drain-after-response";
import { readJsonBody, toErrorResponse } from "@/lib/api/errors";
import { MAX_REQUEST_BYTES } from "@/lib/api/route-config";
import { getSql } from "@/lib/db/server-sql";
import { createSubmission } from "@/lib/grading/create-submission";
import { createSubmissionBodySchema } from "@/lib/grading/schemas";
import { appRater } from "@/lib/tasks";

export const dynamic = "force-dynamic";
export const maxDuration = 300;

/** Stores an essay and starts grading it; the page then follows GET /api/submissions/:id/events. */
export async function POST(request: Request) {
  try {
    const body = createSubmissionBodySchema.parse(await readJsonBody(request, MAX_REQUEST_BYTES));
    const sql = getSql();
    const submission = await createSubmission(sql, body, appRater());
    drainAfterResponse();
    return NextResponse.json(
      { id: submission.id, lineCount: submission.lines.length, cachedLines: submission.cachedLines, changedLines: submission.changedLines },
      { status: 201, headers: { Location: `/submissions/${submission.id}` } },
    );
  } catch (error) {
    return toErrorResponse(error);
  }
}
