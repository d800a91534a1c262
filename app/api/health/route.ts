import { NextResponse } from "next/server";
import { ApiError } from "@/lib/api/errors";
import { getSql } from "@/lib/db/server-sql";
import { explainDatabaseError } from "@/lib/monitoring/explain-database-error";

export const dynamic = "force-dynamic";

/** Liveness plus a database round-trip, for load balancers and the e2e tests' readiness wait. */
export async function GET() {
  try {
    const [row] = await getSql()<{ now: Date }[]>`select now()`;
    return NextResponse.json({ ok: true, database: "up", now: row?.now });
  } catch (error) {
    // The explanation names the error code, never the host the driver's message carries.
    const explained = explainDatabaseError(error);
    if (!(explained instanceof ApiError)) console.error("[health] database check failed", error);
    const message = explained instanceof ApiError ? explained.message : "The database check failed; the error has been logged.";
    const headers =
      explained instanceof ApiError && explained.retryAfterSeconds ? { "Retry-After": String(explained.retryAfterSeconds) } : undefined;
    return NextResponse.json({ ok: false, database: "down", error: message }, { status: 503, headers });
  }
}
