import type { SqlExecutor } from "../db/sql";

/** Extends the leases the worker still holds; returns the ids it still holds. */
export async function heartbeatJobs(sql: SqlExecutor, workerId: string, jobIds: readonly number[], leaseMs: number): Promise<Set<number>> {
  const leaseSeconds = Math.max(1, Math.ceil(leaseMs / 1000));
  const rows = await sql<{ id: number }[]>`
    select heartbeat_grading_jobs as id from heartbeat_grading_jobs(${workerId}, ${[...jobIds]}::bigint[], ${leaseSeconds})
  `;
  return new Set(rows.map((row) => row.id));
}

/** Hands claimed jobs back to pending now (shutdown). `started`: their handler ran, so the attempt counts. */
export async function releaseJobs(sql: SqlExecutor, workerId: string, jobIds: readonly number[], started: boolean): Promise<number> {
  if (jobIds.length === 0) return 0;
  const [row] = await sql<{ released: number }[]>`
    select release_grading_jobs(${workerId}, ${[...jobIds]}::bigint[], ${started}) as released
  `;
  return row?.released ?? 0;
}

/**
 * Recovers jobs of dead workers and of expired leases. Returns how many were requeued or
 * failed. A registered worker passes its id, which also marks it as seen.
 */
export async function releaseExpiredLeases(sql: SqlExecutor, workerId: string | null = null): Promise<number> {
  const [row] = await sql<{ released: number }[]>`select release_grading_leases(${workerId}::text) as released`;
  return row?.released ?? 0;
}

/** Registers a long-running worker by its sessions' application_name (direct or session-mode connections only). */
export async function registerWorker(sql: SqlExecutor, workerId: string, hostname: string): Promise<boolean> {
  const [row] = await sql<{ registered: boolean }[]>`
    select register_grading_worker(${workerId}, ${hostname}) as registered
  `;
  return row?.registered ?? false;
}

export async function unregisterWorker(sql: SqlExecutor, workerId: string): Promise<void> {
  await sql`select unregister_grading_worker(${workerId})`;
}
