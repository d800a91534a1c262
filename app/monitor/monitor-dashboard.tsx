"use client";

import type { ReactNode } from "react";
import type { MonitoringStats } from "@/lib/monitoring/monitoring-stats-schema";
import { CacheStatsPanel } from "./cache-stats-panel";
import { FailuresTable } from "./failures-table";
import { formatDuration } from "./format-stats";
import { LlmUsageTable } from "./llm-usage-table";
import { QueueDepthTable } from "./queue-depth-table";
import { QueueSummary } from "./queue-summary";
import { ThroughputChart } from "./throughput-chart";
import { POLL_INTERVAL_MS, useMonitoringStats, useNow } from "./use-monitoring-stats";
import { WorkersTable } from "./workers-table";

function UpdatedAgo({ updatedAt }: { updatedAt: number | null }) {
  const now = useNow();
  if (updatedAt === null || now === null) return <>updated just now</>;
  return <>updated {formatDuration(Math.max(0, (now - updatedAt) / 1000))} ago</>;
}

function Section({ id, title, children }: { id: string; title: string; children: ReactNode }) {
  return (
    <section className="panel monitor-section" aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      {children}
    </section>
  );
}

/** The monitor's body: polls the stats API and lays out every section. */
export function MonitorDashboard(initial: { stats: MonitoringStats | null; error: string | null }) {
  const { stats, error, updatedAt, refresh } = useMonitoringStats(initial);

  return (
    <>
      <div className="monitor-toolbar">
        <p className="muted">
          {stats ? <UpdatedAgo updatedAt={updatedAt} /> : "no numbers yet"} · refreshes every {POLL_INTERVAL_MS / 1000} s
        </p>
        <button type="button" className="button secondary" onClick={() => void refresh()}>
          Refresh now
        </button>
      </div>

      {error && (
        <div className="banner bad" role="alert">
          <strong>{stats ? "The numbers could not be refreshed." : "The monitor cannot show any numbers right now."}</strong> {error}
          {stats && " The figures below are the last ones that arrived."}
        </div>
      )}

      {!stats && !error && (
        <p role="status" className="muted">
          Loading queue statistics…
        </p>
      )}

      {stats && (
        <>
          <Section id="queue-heading" title="Queue">
            <QueueSummary queue={stats.queue} />
            <QueueDepthTable queue={stats.queue} />
          </Section>
          <Section id="throughput-heading" title="Throughput, last hour">
            <ThroughputChart buckets={stats.throughput} generatedAt={stats.generatedAt} />
          </Section>
          <Section id="failures-heading" title="Recent failures">
            <FailuresTable failures={stats.recentFailures} generatedAt={stats.generatedAt} onChanged={() => void refresh()} />
          </Section>
          <Section id="workers-heading" title="Workers">
            <WorkersTable workers={stats.workers} generatedAt={stats.generatedAt} />
          </Section>
          <Section id="cache-heading" title="Phrase cache">
            <CacheStatsPanel cache={stats.cache} />
          </Section>
          <Section id="llm-heading" title="LLM usage">
            <LlmUsageTable llm={stats.llm} />
          </Section>
        </>
      )}
    </>
  );
}
