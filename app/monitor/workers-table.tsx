import type { WorkerStats } from "@/lib/monitoring/monitoring-stats-schema";
import { formatAgo, formatCount } from "./format-stats";

function Timestamp({ iso, reference }: { iso: string | null; reference: string }) {
  return iso ? (
    <time dateTime={iso} title={iso}>
      {formatAgo(iso, reference)}
    </time>
  ) : (
    <span className="muted">—</span>
  );
}

/** Long-running workers and whoever else holds leases right now. */
export function WorkersTable({ workers, generatedAt }: { workers: WorkerStats["workers"]; generatedAt: string }) {
  if (workers.length === 0) {
    return (
      <p className="empty">
        No workers are running and no job is being processed. Jobs are still drained by the request that enqueues them and by the cron.
      </p>
    );
  }
  return (
    <div className="table-scroll" role="region" aria-labelledby="workers-caption" tabIndex={0}>
      <table className="data-table">
        <caption id="workers-caption">Workers and lease holders</caption>
        <thead>
          <tr>
            <th scope="col">Worker</th>
            <th scope="col">Started</th>
            <th scope="col">Last seen</th>
            <th scope="col" className="num">
              Jobs in progress
            </th>
          </tr>
        </thead>
        <tbody>
          {workers.map((worker) => (
            <tr key={worker.workerId}>
              <th scope="row" className="worker-id">
                <code>{worker.workerId}</code>
                {!worker.registered && (
                  <span
                    className="tag"
                    title="Holds jobs without a registration: a drain from a route or the cron, or a worker behind a transaction pooler"
                  >
                    not registered
                  </span>
                )}
              </th>
              <td className="nowrap">
                <Timestamp iso={worker.startedAt} reference={generatedAt} />
              </td>
              <td className="nowrap">
                <Timestamp iso={worker.lastSeenAt} reference={generatedAt} />
              </td>
              <td className="num">{formatCount(worker.processingJobs)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
