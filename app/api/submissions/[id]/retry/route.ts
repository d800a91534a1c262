import { NextResponse } from "next/server";
import { drainAfterResponse } from "@/lib/api/drain-after-response";
import { ApiError, toErrorResponse } from "@/lib/api/errors";
import { parseSubmissionId } from "@/lib/api/params";
import { getSql } from "@/lib/db/server-sql";
import { resumeSubmissionGrading } from "@/lib/submissions/retry-submission";
import { getSubmissionSummary } from "@/lib/submissions/submission-state";

export const dynamic = "force-dynamic";
export const maxDuration = 300;

/** The Retry button: failed jobs run again, and work whose jobs are gone gets new ones. */
export async function POST(_request: Request, { params }: { params: Promise<{ id: string }> }) {
  try {
    const id = parseSubmissionId((await params).id);
    const sql = getSql();
    if (!(await getSubmissionSummary(sql, id))) throw new ApiError("not_found", `No submission with id ${id}.`);
    const resumed = await resumeSubmissionGrading(sql, id);
    if (resumed.retried + resumed.enqueued > 0) drainAfterResponse();
    return NextResponse.json(resumed);
  } catch (error) {
    return toErrorResponse(error);
  }
}
