import { ApiError, toErrorResponse } from "@/lib/api/errors";
import { parseLastEventId, SSE_HEADERS } from "@/lib/api/event-stream";
import { parseSubmissionId } from "@/lib/api/params";
import { getNotificationListener } from "@/lib/db/notification-listener";
import { getSql } from "@/lib/db/server-sql";
import { streamSubmissionEvents } from "@/lib/submissions/submission-events";
import { getSubmissionSummary } from "@/lib/submissions/submission-state";

export const dynamic = "force-dynamic";
export const maxDuration = 300;

/** Resumes a submission's event stream: only events after Last-Event-ID (header or ?lastEventId=). */
export async function GET(request: Request, { params }: { params: Promise<{ id: string }> }) {
  try {
    const id = parseSubmissionId((await params).id);
    const sql = getSql();
    if (!(await getSubmissionSummary(sql, id))) throw new ApiError("not_found", `No submission with id ${id}.`);
    const lastEventId = request.headers.get("last-event-id") ?? new URL(request.url).searchParams.get("lastEventId");
    const stream = streamSubmissionEvents({
      sql,
      listener: getNotificationListener(),
      submissionId: id,
      afterSeq: parseLastEventId(lastEventId),
      signal: request.signal,
    });
    return new Response(stream, { headers: SSE_HEADERS });
  } catch (error) {
    return toErrorResponse(error);
  }
}
