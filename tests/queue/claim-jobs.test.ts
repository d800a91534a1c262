import { beforeEach, describe, expect, it } from "vitest";
import { createSql } from "../../lib/db/sql";
import { claimJobs, enqueueJobs, type GradingJobRow } from "../../lib/queue";
import { insertJob, makeRunnableNow, freshDatabasePerFile } from "../helpers/db";

const db = freshDatabasePerFile();

const secondsAgo = (seconds: number) => new Date(Date.now() - seconds * 1000);
const ids = (jobs: GradingJobRow[]) => jobs.map((job) => job.id);

beforeEach(async () => {
  await db.current.sql`delete from grading_jobs`;
});

describe("claim_grading_jobs", () => {
  it("claims the most urgent jobs first: lower priority, then earlier run_at, then lower id", async () => {
    const { sql } = db.current;
    const late = await insertJob(sql, { priority: 0, runAt: secondsAgo(10) });
    const urgent = await insertJob(sql, { priority: -1, runAt: secondsAgo(1) });
    const oldest = await insertJob(sql, { priority: 0, runAt: secondsAgo(20) });
    const sameTime = secondsAgo(5);
    const tieFirst = await insertJob(sql, { priority: 0, runAt: sameTime });
    const tieSecond = await insertJob(sql, { priority: 0, runAt: sameTime });
    const lowPriority = await insertJob(sql, { priority: 5, runAt: secondsAgo(60) });

    const firstBatch = await claimJobs(sql, { workerId: "w1", batchSize: 2 });
    const secondBatch = await claimJobs(sql, { workerId: "w1", batchSize: 10 });

    expect(ids(firstBatch)).toEqual([urgent, oldest]);
    expect(ids(secondBatch)).toEqual([late, tieFirst, tieSecond, lowPriority]);
  });

  it("does not claim a job whose run_at is in the future until that time comes", async () => {
    const { sql } = db.current;
    const later = await insertJob(sql, { runAt: new Date(Date.now() + 60 * 60 * 1000) });

    expect(await claimJobs(sql, { workerId: "w1", batchSize: 10 })).toEqual([]);

    await makeRunnableNow(sql, later);
    expect(ids(await claimJobs(sql, { workerId: "w1", batchSize: 10 }))).toEqual([later]);
  });

  it("claims only the kinds the caller names, and any kind when it names none", async () => {
    const { sql } = db.current;
    const rate = await insertJob(sql, { kind: "rate_lines" });
    const extract = await insertJob(sql, { kind: "extract_rubric" });
    const noop = await insertJob(sql, { kind: "noop" });

    const extractOnly = await claimJobs(sql, { workerId: "w1", batchSize: 10, kinds: ["extract_rubric"] });
    expect(ids(extractOnly)).toEqual([extract]);
    expect(await claimJobs(sql, { workerId: "w1", batchSize: 10, kinds: ["enhance_rubric"] })).toEqual([]);

    const rest = await claimJobs(sql, { workerId: "w1", batchSize: 10 });
    expect(ids(rest)).toEqual([rate, noop]);
  });

  it("a claim leases the job to the worker for the lease duration and counts an attempt", async () => {
    const { sql } = db.current;
    const [job] = await enqueueJobs(sql, [{ kind: "noop", payload: {} }]);

    const [claimed] = await claimJobs(sql, { workerId: "worker-a", batchSize: 1, leaseMs: 45_000 });

    expect(claimed).toMatchObject({ id: job!.jobId, status: "processing", lease_owner: "worker-a", attempts: 1 });
    const [row] = await sql<{ lease_seconds: number; expires_in_seconds: number; started: boolean }[]>`
      select extract(epoch from lease_expires_at - started_at)::float8 as lease_seconds,
             extract(epoch from lease_expires_at - now())::float8 as expires_in_seconds,
             started_at is not null as started
      from grading_jobs where id = ${job!.jobId}
    `;
    // Both timestamps come from the claim's now(), so the lease is exactly the requested length.
    expect(row!.lease_seconds).toBe(45);
    expect(row!.started).toBe(true);
    expect(row!.expires_in_seconds).toBeGreaterThan(40);
    expect(row!.expires_in_seconds).toBeLessThanOrEqual(45);
  });

  it("does not claim jobs that are processing, completed, failed or cancelled", async () => {
    const { sql } = db.current;
    const [taken] = await enqueueJobs(sql, [{ kind: "noop", payload: {} }]);
    await claimJobs(sql, { workerId: "worker-a", batchSize: 1 });
    for (const status of ["completed", "failed", "cancelled"]) {
      const id = await insertJob(sql);
      await sql`update grading_jobs set status = ${status}, finished_at = now() where id = ${id}`;
    }

    expect(await claimJobs(sql, { workerId: "worker-b", batchSize: 10 })).toEqual([]);
    const [row] = await sql`select lease_owner, attempts from grading_jobs where id = ${taken!.jobId}`;
    expect(row).toEqual({ lease_owner: "worker-a", attempts: 1 });
  });

  it("refuses a claim without a worker id", async () => {
    await expect(claimJobs(db.current.sql, { workerId: "", batchSize: 1 })).rejects.toMatchObject({ code: "22023" });
  });

  it("ten workers claiming at once never claim the same job twice", async () => {
    const { sql, url } = db.current;
    const jobCount = 300;
    const enqueued = await enqueueJobs(
      sql,
      Array.from({ length: jobCount }, (_, i) => ({ kind: "noop" as const, payload: { label: `job ${i}` } })),
    );
    const workers = Array.from({ length: 10 }, (_, i) => ({ id: `claimer-${i}`, sql: createSql(url, { max: 1 }) }));
    try {
      // Open every connection first so the claims really start together.
      await Promise.all(workers.map((worker) => worker.sql`select 1`));
      const claimedBy = await Promise.all(
        workers.map(async (worker) => {
          const mine: number[] = [];
          for (;;) {
            const batch = await claimJobs(worker.sql, { workerId: worker.id, batchSize: 7 });
            if (batch.length === 0) return mine;
            mine.push(...ids(batch));
          }
        }),
      );

      const all = claimedBy.flat();
      expect(all).toHaveLength(jobCount);
      expect(new Set(all).size).toBe(jobCount);
      expect(new Set(all)).toEqual(new Set(enqueued.map((job) => job.jobId)));
      // Several claimers got work, so the claims really overlapped.
      expect(claimedBy.filter((mine) => mine.length > 0).length).toBeGreaterThan(1);

      const rows = await sql<{ id: number; lease_owner: string; attempts: number }[]>`
        select id, lease_owner, attempts from grading_jobs
      `;
      const ownerOf = new Map(rows.map((row) => [row.id, row.lease_owner]));
      claimedBy.forEach((mine, i) => {
        for (const id of mine) expect(ownerOf.get(id)).toBe(`claimer-${i}`);
      });
      expect(rows.every((row) => row.attempts === 1)).toBe(true);
    } finally {
      await Promise.all(workers.map((worker) => worker.sql.end({ timeout: 5 })));
    }
  });

  it("ten workers racing for one job: exactly one gets it", async () => {
    const { sql, url } = db.current;
    const [job] = await enqueueJobs(sql, [{ kind: "noop", payload: {} }]);
    const workers = Array.from({ length: 10 }, (_, i) => ({ id: `racer-${i}`, sql: createSql(url, { max: 1 }) }));
    try {
      await Promise.all(workers.map((worker) => worker.sql`select 1`));
      const results = await Promise.all(workers.map((worker) => claimJobs(worker.sql, { workerId: worker.id, batchSize: 1 })));
      const winners = results.filter((batch) => batch.length > 0);
      expect(winners).toHaveLength(1);
      expect(winners[0]![0]!.id).toBe(job!.jobId);
    } finally {
      await Promise.all(workers.map((worker) => worker.sql.end({ timeout: 5 })));
    }
  });
});
