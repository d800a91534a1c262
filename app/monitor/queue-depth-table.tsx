import type { JobCounts, QueueDepth } from "@/lib/monitoring/monitoring-stats-schema";
import { formatCount } from "./format-stats";

const COLUMNS: ReadonlyArray<{ key: keyof JobCounts; label: string }> = [
  { key: "runnable", label: "Pending (runnable)" },
  { key: "delayed", label: "Pending (delayed)" },
  { key: "processing", label: "Processing" },
  { key: "failed", label: "Failed" },
  { key: "completed", label: "Completed" },
  { key: "cancelled", label: "Cancelled" },
];

function CountCells({ counts }: { counts: JobCounts }) {
  return COLUMNS.map(({ key }) => (
    <td key={key} className={`num${key === "failed" && counts.failed > 0 ? " bad" : ""}`}>
      {formatCount(counts[key])}
    </td>
  ));
}

/** Jobs by kind (rows) and status (columns), with the totals in the footer. */
export function QueueDepthTable({ queue }: { queue: QueueDepth }) {
  return (
    <div className="table-scroll" role="region" aria-labelledby="queue-depth-caption" tabIndex={0}>
      <table className="data-table">
        <caption id="queue-depth-caption">Jobs by kind and status</caption>
        <thead>
          <tr>
            <th scope="col">Kind</th>
            {COLUMNS.map(({ key, label }) => (
              <th scope="col" key={key} className="num">
                {label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {queue.byKind.length === 0 ? (
            <tr>
              <td colSpan={COLUMNS.length + 1} className="empty">
                The queue is empty: no jobs have been enqueued (or all were cleaned up).
              </td>
            </tr>
          ) : (
            queue.byKind.map((row) => (
              <tr key={row.kind}>
                <th scope="row">
                  <code>{row.kind}</code>
                </th>
                <CountCells counts={row} />
              </tr>
            ))
          )}
        </tbody>
        {queue.byKind.length > 1 && (
          <tfoot>
            <tr>
              <th scope="row">All kinds</th>
              <CountCells counts={queue.byStatus} />
            </tr>
          </tfoot>
        )}
      </table>
    </div>
  );
}
