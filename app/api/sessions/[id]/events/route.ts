import { ApiError, toErrorResponse } from "@/lib/api/errors";
import { SSE_HEADERS } from "@/lib/api/event-stream";
import { parseUuid } from "@/lib/api/params";
import { acquireStreamSlot } from "@/lib/api/stream-slots";
import { getNotificationListener } from "@/lib/db/notification-listener";
import { getSql } from "@/lib/db/server-sql";
import { streamSessionEvents } from "@/lib/sessions/session-events";

export const dynamic = "force-dynamic";
export const maxDuration = 300;

/** Live session snapshots over Server-Sent Events. */
export async function GET(request: Request, { params }: { params: Promise<{ id: string }> }) {
  let release = () => {};
  try {
    const id = parseUuid((await params).id);
    // Before any database work: a client over its cap costs nothing but the 429.
    release = acquireStreamSlot(request);
    const sql = getSql();
    const rows = await sql<{ id: string }[]>`select id from submissions where session_id = ${id}`;
    const [exists] = await sql`select 1 from grading_sessions where id = ${id}`;
    if (!exists) throw new ApiError("not_found", `No session with id ${id}.`);
    const stream = streamSessionEvents({
      sql,
      listener: getNotificationListener(),
      sessionId: id,
      submissionIds: new Set(rows.map((row) => row.id)),
      signal: request.signal,
      onClose: release,
    });
    return new Response(stream, { headers: SSE_HEADERS });
  } catch (error) {
    release();
    return toErrorResponse(error);
  }
}
