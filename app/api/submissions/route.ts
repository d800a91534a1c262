import { assertRequestAllowed } from "@/lib/api/guard-request";
import { NextResponse } from "next/server";
import { drainAfterResponse } from "@/lib/api/drain-after-response";
import { toErrorResponse } from "@/lib/api/errors";
import { readJsonBody } from "@/lib/api/read-body";
import { fingerprintRequest, IDEMPOTENT_REPLAYED_HEADER, readIdempotencyKey } from "@/lib/api/idempotency-key";
import { MAX_SUBMISSION_REQUEST_BYTES } from "@/lib/api/route-config";
import { getSql } from "@/lib/db/server-sql";
import { createSubmission } from "@/lib/submissions/create-submission";
import { createSubmissionBodySchema } from "@/lib/submissions/submission-body";

export const dynamic = "force-dynamic";
export const maxDuration = 300;

/**
 * Stores an essay and starts grading it; the page then follows GET /api/submissions/:id/events.
 * With an Idempotency-Key (the submit form sends one per attempt), a repeat of the same
 * request answers with the submission the first one created.
 */
export async function POST(request: Request) {
  try {
    assertRequestAllowed(request); // proxy.ts skips this route (see its matcher)
    const key = readIdempotencyKey(request);
    const body = createSubmissionBodySchema.parse(await readJsonBody(request, MAX_SUBMISSION_REQUEST_BYTES));
    const sql = getSql();
    const idempotency = key === null ? undefined : { key, fingerprint: fingerprintRequest(body) };
    const submission = await createSubmission(sql, body, { idempotency });
    drainAfterResponse();
    const headers: Record<string, string> = { Location: `/submissions/${submission.id}` };
    if (submission.replayed) headers[IDEMPOTENT_REPLAYED_HEADER] = "true";
    return NextResponse.json(
      { id: submission.id, lineCount: submission.lines.length, cachedLines: submission.cachedLines, changedLines: submission.changedLines },
      { status: 201, headers },
    );
  } catch (error) {
    return toErrorResponse(error);
  }
}
