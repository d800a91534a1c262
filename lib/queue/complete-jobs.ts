import type postgres from "postgres";
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
  // One jsonb array, split in SQL: postgres.js would JSON-encode strings in a jsonb[] parameter a second time.
  const results = anyResult ? completions.map((completion) => completion.result ?? null) : null;
  const rows = await sql<{ id: number }[]>`
    select complete_grading_jobs as id
    from complete_grading_jobs(
      ${workerId},
      ${ids}::bigint[],
      array(
        select nullif(element.value, 'null'::jsonb)
        from jsonb_array_elements(${results === null ? null : sql.json(results as postgres.JSONValue)}::jsonb) with ordinality as element
        order by element.ordinality
      )
    )
  `;
  return new Set(rows.map((row) => row.id));
}
