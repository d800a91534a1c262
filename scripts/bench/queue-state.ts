import type { Sql } from "../../lib/db/sql";
import { enqueueJobs } from "../../lib/queue";
import type { Sizes } from "./bench-run";

/** Only between phases, when no worker is connected. No ANALYZE: a drain chooses whether it runs one. */
export async function resetQueue(sql: Sql): Promise<void> {
  await sql`truncate grading_jobs, grading_workers`;
  await sql`vacuum grading_jobs`;
}

/** An empty queue refilled with N pending noop jobs, untimed. */
export async function refillQueue(sql: Sql, sizes: Sizes): Promise<void> {
  await resetQueue(sql);
  await enqueueJobs(
    sql,
    Array.from({ length: sizes.jobs }, () => ({ kind: "noop" as const, payload: {} })),
  );
}

export async function countStatisticsRows(sql: Sql): Promise<number> {
  const [row] = await sql<{ n: number }[]>`select count(*)::int as n from pg_statistic where starelid = 'grading_jobs'::regclass`;
  return row!.n;
}

export async function queueState(sql: Sql): Promise<{ pending: number; processing: number }> {
  // Both counts can use the partial indexes on status; cheap enough to poll every 20 ms.
  const [row] = await sql<{ pending: number; processing: number }[]>`
    select
      (select count(*) from grading_jobs where status = 'pending')::int as pending,
      (select count(*) from grading_jobs where status = 'processing')::int as processing
  `;
  return row!;
}
