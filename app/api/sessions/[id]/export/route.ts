import { ApiError, toErrorResponse } from "@/lib/api/errors";
import { parseUuid } from "@/lib/api/params";
import { getSql } from "@/lib/db/server-sql";
import { getSessionState } from "@/lib/sessions/get-session-state";
import { sessionGradesCsv } from "@/lib/sessions/session-csv";

export const dynamic = "force-dynamic";

/** The session's grades as CSV, one row per student. */
export async function GET(_request: Request, { params }: { params: Promise<{ id: string }> }) {
  try {
    const id = parseUuid((await params).id);
    const session = await getSessionState(getSql(), id);
    if (!session) throw new ApiError("not_found", `No session with id ${id}.`);
    const filename = `${session.title.replace(/[^\w.-]+/g, "-").slice(0, 60) || "session"}-grades.csv`;
    return new Response(sessionGradesCsv(session), {
      headers: { "Content-Type": "text/csv; charset=utf-8", "Content-Disposition": `attachment; filename="${filename}"` },
    });
  } catch (error) {
    return toErrorResponse(error);
  }
}
