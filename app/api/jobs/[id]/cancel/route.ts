import { NextResponse } from "next/server";
import { ApiError, toErrorResponse } from "@/lib/api/errors";
import { parseJobId } from "@/lib/api/params";
import { getSql } from "@/lib/db/server-sql";
import { changeJobStatus } from "@/lib/queue/change-job-status";
import { toJobView } from "@/lib/queue/job-view";

export const dynamic = "force-dynamic";

export async function POST(_request: Request, { params }: { params: Promise<{ id: string }> }) {
  try {
    const id = parseJobId((await params).id);
    const result = await changeJobStatus(getSql(), id, "cancel");
    if (result.outcome === "not_found") throw new ApiError("not_found", `No job with id ${id}.`);
    if (result.outcome === "refused") {
      return NextResponse.json({ error: { code: "conflict", message: result.reason }, job: toJobView(result.job) }, { status: 409 });
    }
    return NextResponse.json(toJobView(result.job));
  } catch (error) {
    return toErrorResponse(error);
  }
}
