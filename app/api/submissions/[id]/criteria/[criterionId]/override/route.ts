import { assertRequestAllowed } from "@/lib/api/guard-request";
import { MAX_OVERRIDE_REQUEST_BYTES } from "@/lib/api/route-config";
import { NextResponse } from "next/server";
import { toErrorResponse } from "@/lib/api/errors";
import { readJsonBody } from "@/lib/api/read-body";
import { parseSubmissionId } from "@/lib/api/params";
import { getSql } from "@/lib/db/server-sql";
import { criterionOverrideBodySchema, setCriterionOverride } from "@/lib/submissions/overrides";

export const dynamic = "force-dynamic";

/** A teacher's score for one rubric criterion, kept beside the rater's. */
export async function PUT(request: Request, { params }: { params: Promise<{ id: string; criterionId: string }> }) {
  try {
    assertRequestAllowed(request); // proxy.ts skips this route (see its matcher)
    const { id, criterionId } = await params; // Next has decoded the params already
    const submissionId = parseSubmissionId(id);
    const body = criterionOverrideBodySchema.parse(await readJsonBody(request, MAX_OVERRIDE_REQUEST_BYTES));
    await setCriterionOverride(getSql(), { submissionId, criterionId, ...body });
    return NextResponse.json({ ok: true });
  } catch (error) {
    return toErrorResponse(error);
  }
}
