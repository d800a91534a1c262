import { NextResponse } from "next/server";
import { getSql } from "@/lib/db/server-sql";

export const dynamic = "force-dynamic";

/** Liveness plus a database round-trip, for load balancers and the e2e tests' readiness wait. */
export async function GET() {
  try {
    const [row] = await getSql()<{ now: Date }[]>`select now()`;
    return NextResponse.json({ ok: true, database: "up", now: row?.now });
  } catch (error) {
    return NextResponse.json({ ok: false, database: "down", error: (error as Error).message }, { status: 503 });
  }
}
