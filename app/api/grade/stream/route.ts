import { assertRequestAllowed } from "@/lib/api/guard-request";
import { drainAfterResponse } from "@/lib/api/drain-after-response";
import { toErrorResponse } from "@/lib/api/errors";
import { readJsonBody } from "@/lib/api/read-body";
import { fingerprintRequest, IDEMPOTENT_REPLAYED_HEADER, readIdempotencyKey } from "@/lib/api/idempotency-key";
import { MAX_SUBMISSION_REQUEST_BYTES } from "@/lib/api/route-config";
import { acquireStreamSlot } from "@/lib/api/stream-slots";
import { getNotificationListener } from "@/lib/db/notification-listener";
import { getSql } from "@/lib/db/server-sql";
import { createSubmission } from "@/lib/submissions/create-submission";
import { createSubmissionBodySchema } from "@/lib/submissions/submission-body";
import { SSE_HEADERS } from "@/lib/api/event-stream";
import { streamSubmissionEvents } from "@/lib/submissions/submission-events";

export const dynamic = "force-dynamic";
export const maxDuration = 300;

/**
 * Stores the essay and its jobs, starts grading at once, and streams ratings as they land.
 * With an Idempotency-Key, a repeat of the same request streams the submission the first
 * one created (from its first event), and grades nothing twice. A client over its cap of
 * open streams gets a 429 before anything is stored (POST /api/submissions does not stream).
 */
export async function POST(request: Request) {
  let release = () => {};
  try {
    assertRequestAllowed(request); // proxy.ts skips this route (see its matcher)
    const key = readIdempotencyKey(request);
    release = acquireStreamSlot(request);
    const body = createSubmissionBodySchema.parse(await readJsonBody(request, MAX_SUBMISSION_REQUEST_BYTES));
    const sql = getSql();
    const idempotency = key === null ? undefined : { key, fingerprint: fingerprintRequest(body) };
    const submission = await createSubmission(sql, body, { idempotency });
    drainAfterResponse();
    const stream = streamSubmissionEvents({
      sql,
      listener: getNotificationListener(),
      submissionId: submission.id,
      afterSeq: 0,
      signal: request.signal,
      onClose: release,
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
            replayed: submission.replayed,
          },
        },
      ],
    });
    const headers: Record<string, string> = {
      ...SSE_HEADERS,
      "X-Submission-Id": submission.id,
      Location: `/api/submissions/${submission.id}`,
    };
    if (submission.replayed) headers[IDEMPOTENT_REPLAYED_HEADER] = "true";
    return new Response(stream, { headers });
  } catch (error) {
    release();
    return toErrorResponse(error);
  }
}
