import type { Metadata } from "next";
import { ApiError } from "@/lib/api/errors";
import { getSql } from "@/lib/db/server-sql";
import { explainDatabaseError } from "@/lib/monitoring/explain-database-error";
import { getMonitoringStats, type MonitoringStats } from "@/lib/monitoring/get-queue-stats";
import { MonitorDashboard } from "./monitor-dashboard";
import "./monitor.css";

export const dynamic = "force-dynamic";

export const metadata: Metadata = { title: "Monitor · Gradeline" };

/** The first numbers, rendered on the server so the page is useful before any script runs. */
async function loadInitialStats(): Promise<{ stats: MonitoringStats | null; error: string | null }> {
  try {
    return { stats: await getMonitoringStats(getSql()), error: null };
  } catch (error) {
    const explained = explainDatabaseError(error);
    if (explained instanceof ApiError) return { stats: null, error: explained.message };
    console.error("[monitor] could not load stats", error);
    return { stats: null, error: "The numbers could not be loaded; the error has been logged on the server." };
  }
}

export default async function MonitorPage() {
  const initial = await loadInitialStats();
  return (
    <div className="monitor">
      <h1>Monitor</h1>
      <MonitorDashboard stats={initial.stats} error={initial.error} />
    </div>
  );
}
