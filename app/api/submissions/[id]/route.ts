import { NextResponse } from "next/server";
import { ApiError, toErrorResponse } from "@/lib/api/errors";
import { parseSubmissionId } from "@/lib/api/params";
import { getSql } from "@/lib/db/server-sql";
import { getSubmissionState } from "@/lib/submissions/submission-state";

export const dynamic = "force-dynamic";

/** The submission as it stands: lines with their ratings, status, progress, grade, errors. */
export async function GET(_request: Request, { params }: { params: Promise<{ id: string }> }) {
  try {
    const id = parseSubmissionId((await params).id);
    const state = await getSubmissionState(getSql(), id);
    if (!state) throw new ApiError("not_found", `No submission with id ${id}.`);
    return NextResponse.json(state);
  } catch (error) {
    return toErrorResponse(error);
  }
}
