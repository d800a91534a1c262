import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Sql, TransactionSql } from "../../lib/db/sql";
import { claimJobs } from "../../lib/queue";
import { freshDatabasePerFile } from "../helpers/db";

const db = freshDatabasePerFile();

const PENDING_JOBS = 20_000;
// 100, not 10: after ANALYZE the old claim switched to a hash join over a seq scan of the
// whole table from about 100 claimed ids on (10 ids were still probed one by one).
const BATCH_SIZE = 100;
// Measured: the claim reads 400 rows for 100 jobs (100 pending-index entries and their
// heap rows, then 100 primary-key entries and their heap rows); the old one read 40,200
// before ANALYZE (a bitmap scan of every pending job) and 20,208 after (a seq scan).
const MAX_ROWS_READ = 10 * BATCH_SIZE;

/**
 * Index entries and heap rows of grading_jobs (seq scans, index scans, bitmap scans)
 * read by this backend and not yet flushed to the statistics collector. Nothing is
 * flushed inside a transaction, so the difference of two reads in one is exact.
 */
async function rowsRead(tx: TransactionSql): Promise<number> {
  const [row] = await tx<{ n: number }[]>`
    select coalesce(sum(pg_stat_get_xact_tuples_returned(c.oid) + pg_stat_get_xact_tuples_fetched(c.oid)), 0)::int as n
    from pg_class c
    where c.oid = 'grading_jobs'::regclass
       or c.oid in (select indexrelid from pg_index where indrelid = 'grading_jobs'::regclass)
  `;
  return row!.n;
}

/** One claim in a transaction of its own; returns the ids it took and how many rows it read. */
async function claimOnce(sql: Sql): Promise<{ ids: number[]; rowsRead: number }> {
  return sql.begin(async (tx) => {
    const before = await rowsRead(tx);
    const claimed = await claimJobs(tx, { workerId: "plan-worker", batchSize: BATCH_SIZE });
    return { ids: claimed.map((job) => job.id), rowsRead: (await rowsRead(tx)) - before };
  });
}

async function mostUrgentPendingIds(sql: Sql): Promise<number[]> {
  const rows = await sql<{ id: number }[]>`
    select id from grading_jobs where status = 'pending' and run_at <= now()
    order by priority, run_at, id limit ${BATCH_SIZE}
  `;
  return rows.map((row) => row.id);
}

beforeAll(async () => {
  // This file's own database: autovacuum must not analyse the table behind the test's back.
  await db.current.sql`alter table grading_jobs set (autovacuum_enabled = false)`;
});

beforeEach(async () => {
  const { sql } = db.current;
  await sql`truncate grading_jobs`;
  // A burst of pending jobs with mixed priorities and ages, so order is not insertion order.
  await sql`
    insert into grading_jobs (kind, priority, run_at)
    select 'noop', (i % 3)::smallint, now() - make_interval(secs => (i * 7919) % 3600)
    from generate_series(1, ${PENDING_JOBS}) as i
  `;
});

describe("claim_grading_jobs plan", () => {
  it("a claim on a never-analysed table reads a few rows per job it takes, not every pending job (#7)", async () => {
    const { sql } = db.current;
    const [stats] = await sql<{ n: number }[]>`
      select count(*)::int as n from pg_statistic where starelid = 'grading_jobs'::regclass
    `;
    expect(stats!.n).toBe(0);
    const expected = await mostUrgentPendingIds(sql);

    const claim = await claimOnce(sql);

    expect(claim.ids).toEqual(expected);
    expect(claim.rowsRead).toBeLessThan(MAX_ROWS_READ);
  });

  it("after ANALYZE a claim still reads a few rows per job it takes, not the whole table (#7)", async () => {
    const { sql } = db.current;
    await sql`analyze grading_jobs`;
    const expected = await mostUrgentPendingIds(sql);

    const claim = await claimOnce(sql);

    expect(claim.ids).toEqual(expected);
    expect(claim.rowsRead).toBeLessThan(MAX_ROWS_READ);
  });

  it("a claim leaves the planner settings of the caller's transaction as they were (#7)", async () => {
    const settingAfterClaim = await db.current.sql.begin(async (tx) => {
      await claimJobs(tx, { workerId: "plan-worker", batchSize: 1 });
      const [row] = await tx<{ enable_sort: string }[]>`show enable_sort`;
      return row!.enable_sort;
    });
    expect(settingAfterClaim).toBe("on");
  });
});
