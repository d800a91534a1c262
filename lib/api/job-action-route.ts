import { NextResponse } from "next/server";
import { getSql } from "../db/server-sql";
import { changeJobStatus, type JobAction } from "../queue/change-job-status";
import { toJobView } from "../queue/job-view";
import { ApiError, toErrorResponse } from "./errors";
import { parseJobId } from "./params";

/** POST /api/jobs/:id/cancel and /retry: the job afterwards, 404, or 409 saying why the job's state refuses it. */
export function jobActionRoute(action: JobAction) {
  return async function POST(_request: Request, { params }: { params: Promise<{ id: string }> }) {
    try {
      const id = parseJobId((await params).id);
      const result = await changeJobStatus(getSql(), id, action);
      if (result.outcome === "not_found") throw new ApiError("not_found", `No job with id ${id}.`);
      if (result.outcome === "refused") {
        return NextResponse.json({ error: { code: "conflict", message: result.reason }, job: toJobView(result.job) }, { status: 409 });
      }
      return NextResponse.json(toJobView(result.job));
    } catch (error) {
      return toErrorResponse(error);
    }
  };
}
