import type { SqlExecutor } from "../db/sql";

export const PURGE_BATCH_LIMIT = 500;

/**
 * Deletes submissions created more than `retentionDays` ago, with their lines, ratings,
 * overrides and finished jobs, and class sessions left empty (#9), in batches so no one
 * statement holds thousands of rows; one with unfinished jobs waits for a later call.
 * The rules are SQL (purge_old_submissions) so pg_cron or an Edge Function can run them too.
 * Returns how many submissions went.
 */
export async function purgeOldSubmissions(sql: SqlExecutor, retentionDays: number, batchLimit = PURGE_BATCH_LIMIT): Promise<number> {
  let total = 0;
  for (;;) {
    const [row] = await sql<{ deleted: number }[]>`
      select purge_old_submissions(make_interval(days => ${retentionDays}), ${batchLimit}) as deleted
    `;
    const deleted = row?.deleted ?? 0;
    total += deleted;
    if (deleted < batchLimit) return total;
  }
}
