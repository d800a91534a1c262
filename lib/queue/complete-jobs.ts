import type { SqlExecutor } from "../db/sql";

/**
 * Completes the worker's jobs in one statement, storing each result. Fenced by the
 * lease: returns the ids that were completed; any other id was no longer this worker's.
 */
export async function completeJobs(
  sql: SqlExecutor,
  workerId: string,
  completions: ReadonlyArray<{ jobId: number; result?: unknown }>,
): Promise<Set<number>> {
  if (completions.length === 0) return new Set();
  const ids = completions.map((completion) => completion.jobId);
  const anyResult = completions.some((completion) => completion.result !== undefined);
  const results = anyResult
    ? completions.map((completion) => (completion.result === undefined ? null : JSON.stringify(completion.result)))
    : null;
  const rows = await sql<{ id: number }[]>`
    select complete_grading_jobs as id
    from complete_grading_jobs(${workerId}, ${ids}::bigint[], ${results}::jsonb[])
  `;
  return new Set(rows.map((row) => row.id));
}
