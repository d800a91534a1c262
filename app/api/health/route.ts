import { NextResponse } from "next/server";
import { DATABASE_RETRY_AFTER_SECONDS } from "@/lib/api/errors";
import { getSql } from "@/lib/db/server-sql";

export const dynamic = "force-dynamic";

/**
 * Liveness plus a database round-trip, for load balancers and the e2e tests' readiness wait.
 * It answers ok or unavailable and nothing more (#9): where the database is, who connects and
 * what the driver said go to the server's log, never to whoever asks.
 */
export async function GET() {
  try {
    await getSql()`select 1`;
    return NextResponse.json({ ok: true, status: "ok" });
  } catch (error) {
    console.error("[health] database check failed", error);
    return NextResponse.json(
      { ok: false, status: "unavailable", message: "The app cannot reach its database right now; try again in a few seconds." },
      { status: 503, headers: { "Retry-After": String(DATABASE_RETRY_AFTER_SECONDS) } },
    );
  }
}
