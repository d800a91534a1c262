import { NextResponse } from "next/server";
import { ApiError, toErrorResponse } from "@/lib/api/errors";
import { parseJobId } from "@/lib/api/params";
import { getSql } from "@/lib/db/server-sql";
import { toJobView } from "@/lib/queue/job-view";
import { getJob } from "@/lib/queue/manage-jobs";

export const dynamic = "force-dynamic";

export async function GET(_request: Request, { params }: { params: Promise<{ id: string }> }) {
  try {
    const id = parseJobId((await params).id);
    const job = await getJob(getSql(), id);
    if (!job) throw new ApiError("not_found", `No job with id ${id}.`);
    return NextResponse.json(toJobView(job));
  } catch (error) {
    return toErrorResponse(error);
  }
}
