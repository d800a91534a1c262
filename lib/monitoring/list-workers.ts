import { createHash } from "node:crypto";
import type { SqlExecutor } from "../db/sql";
import type { WorkerStats } from "./monitoring-stats-schema";

interface WorkerRow {
  worker_id: string;
  started_at: Date | null;
  last_seen_at: Date | null;
  registered: boolean;
  processing_jobs: number;
}

/**
 * A worker's id as /monitor shows it: without the host name it begins with. Workers and
 * drains are named `[drain-]<hostname>-<pid>-<6 hex>` (createWorkerId), and /monitor is open
 * to whoever reaches the app, so it shows `[drain-]<pid>-<6 hex>` (#9): still unique, still
 * matching the end of the id the worker prints. An id of any other shape becomes a short hash.
 */
export function shortWorkerId(workerId: string): string {
  const match = /^(drain-)?.*?-(\d+-[0-9a-f]{6})$/.exec(workerId);
  if (match) return `${match[1] ?? ""}${match[2]}`;
  return `#${createHash("sha256").update(workerId).digest("hex").slice(0, 8)}`;
}

/**
 * Registered workers with the jobs each holds, plus lease owners that hold jobs
 * without being registered: drainQueue from a route's after() or the cron, or a worker
 * behind a transaction pooler (which does not register: see runWorker's register option).
 */
export async function listWorkers(sql: SqlExecutor): Promise<WorkerStats["workers"]> {
  const rows = await sql<WorkerRow[]>`
    with held as (
      select lease_owner, count(*)::int as processing_jobs
      from grading_jobs
      where status = 'processing'
      group by lease_owner
    )
    select coalesce(w.worker_id, held.lease_owner) as worker_id,
           w.started_at, w.last_seen_at,
           w.worker_id is not null as registered,
           coalesce(held.processing_jobs, 0) as processing_jobs
    from grading_workers w
    full join held on held.lease_owner = w.worker_id
    order by registered desc, w.started_at, worker_id
  `;
  return rows.map((row) => ({
    workerId: shortWorkerId(row.worker_id),
    startedAt: row.started_at?.toISOString() ?? null,
    lastSeenAt: row.last_seen_at?.toISOString() ?? null,
    registered: row.registered,
    processingJobs: row.processing_jobs,
  }));
}
