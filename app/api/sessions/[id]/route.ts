import { NextResponse } from "next/server";
import { ApiError, toErrorResponse } from "@/lib/api/errors";
import { parseUuid } from "@/lib/api/params";
import { getSql } from "@/lib/db/server-sql";
import { getSessionState } from "@/lib/sessions/get-session-state";

export const dynamic = "force-dynamic";

export async function GET(_request: Request, { params }: { params: Promise<{ id: string }> }) {
  try {
    const id = parseUuid((await params).id);
    const session = await getSessionState(getSql(), id);
    if (!session) throw new ApiError("not_found", `No session with id ${id}.`);
    return NextResponse.json(session);
  } catch (error) {
    return toErrorResponse(error);
  }
}
