import { assertRequestAllowed } from "@/lib/api/guard-request";
import { MAX_OVERRIDE_REQUEST_BYTES } from "@/lib/api/route-config";
import { NextResponse } from "next/server";
import { toErrorResponse } from "@/lib/api/errors";
import { readJsonBody } from "@/lib/api/read-body";
import { parseLineIndex, parseSubmissionId } from "@/lib/api/params";
import { getSql } from "@/lib/db/server-sql";
import { lineOverrideBodySchema, setLineOverride } from "@/lib/submissions/overrides";

export const dynamic = "force-dynamic";

/** A teacher's rating of one line, kept beside the rater's. */
export async function PUT(request: Request, { params }: { params: Promise<{ id: string; index: string }> }) {
  try {
    assertRequestAllowed(request); // proxy.ts skips this route (see its matcher)
    const { id, index } = await params;
    const submissionId = parseSubmissionId(id);
    const lineIndex = parseLineIndex(index);
    const body = lineOverrideBodySchema.parse(await readJsonBody(request, MAX_OVERRIDE_REQUEST_BYTES));
    await setLineOverride(getSql(), { submissionId, lineIndex, ...body });
    return NextResponse.json({ ok: true });
  } catch (error) {
    return toErrorResponse(error);
  }
}
