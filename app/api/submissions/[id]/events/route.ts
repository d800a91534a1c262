import { ApiError, toErrorResponse } from "@/lib/api/errors";
import { parseLastEventId, SSE_HEADERS } from "@/lib/api/event-stream";
import { parseSubmissionId } from "@/lib/api/params";
import { acquireStreamSlot } from "@/lib/api/stream-slots";
import { getNotificationListener } from "@/lib/db/notification-listener";
import { getSql } from "@/lib/db/server-sql";
import { streamSubmissionEvents, submissionExists } from "@/lib/submissions/submission-events";

export const dynamic = "force-dynamic";
export const maxDuration = 300;

/** Resumes a submission's event stream: only events after Last-Event-ID (header or ?lastEventId=). */
export async function GET(request: Request, { params }: { params: Promise<{ id: string }> }) {
  let release = () => {};
  try {
    const id = parseSubmissionId((await params).id);
    // Before any database work: a client over its cap costs nothing but the 429.
    release = acquireStreamSlot(request);
    const sql = getSql();
    if (!(await submissionExists(sql, id))) throw new ApiError("not_found", `No submission with id ${id}.`);
    const lastEventId = request.headers.get("last-event-id") ?? new URL(request.url).searchParams.get("lastEventId");
    const stream = streamSubmissionEvents({
      sql,
      listener: getNotificationListener(),
      submissionId: id,
      afterSeq: parseLastEventId(lastEventId),
      signal: request.signal,
      onClose: release,
    });
    return new Response(stream, { headers: SSE_HEADERS });
  } catch (error) {
    release();
    return toErrorResponse(error);
  }
}
