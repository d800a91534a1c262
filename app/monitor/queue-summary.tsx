import type { QueueDepth } from "@/lib/monitoring/monitoring-stats-schema";
import { formatCount, formatDuration } from "./format-stats";

/** The few numbers an operator checks first: what is waiting, for how long, and what broke. */
export function QueueSummary({ queue }: { queue: QueueDepth }) {
  const { byStatus, oldestPendingAgeSeconds } = queue;
  const stats: Array<{ label: string; value: string; tone?: "bad" | "warn"; hint?: string }> = [
    { label: "Pending, runnable", value: formatCount(byStatus.runnable) },
    { label: "Pending, delayed", value: formatCount(byStatus.delayed), hint: "backing off or scheduled" },
    {
      label: "Oldest runnable job waiting",
      value: oldestPendingAgeSeconds === null ? "none" : formatDuration(oldestPendingAgeSeconds),
      tone: oldestPendingAgeSeconds !== null && oldestPendingAgeSeconds > 60 ? "warn" : undefined,
    },
    { label: "Processing", value: formatCount(byStatus.processing) },
    { label: "Failed", value: formatCount(byStatus.failed), tone: byStatus.failed > 0 ? "bad" : undefined },
    { label: "Completed", value: formatCount(byStatus.completed), hint: "kept for the retention window" },
    { label: "Cancelled", value: formatCount(byStatus.cancelled) },
  ];
  return (
    <dl className="stat-grid">
      {stats.map((stat) => (
        <div className="stat" key={stat.label}>
          <dt>{stat.label}</dt>
          <dd className={stat.tone}>{stat.value}</dd>
          {stat.hint && <dd className="stat-hint">{stat.hint}</dd>}
        </div>
      ))}
    </dl>
  );
}
