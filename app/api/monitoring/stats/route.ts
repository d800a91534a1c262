import { NextResponse } from "next/server";
import { toErrorResponse } from "@/lib/api/errors";
import { getSql } from "@/lib/db/server-sql";
import { explainDatabaseError } from "@/lib/monitoring/explain-database-error";
import { getMonitoringStats } from "@/lib/monitoring/get-queue-stats";

export const dynamic = "force-dynamic";

/** The numbers /monitor polls: queue depth, throughput, failures, cache, LLM usage and workers. */
export async function GET() {
  try {
    const stats = await getMonitoringStats(getSql());
    // no-store: a proxy or the browser must never answer a poll with an old snapshot.
    return NextResponse.json(stats, { headers: { "cache-control": "no-store" } });
  } catch (error) {
    return toErrorResponse(explainDatabaseError(error));
  }
}
