import { beforeEach, describe, expect, it } from "vitest";
import type { Sql } from "../../lib/db/sql";
import { cancelJob, claimJobs, cleanupJobs, completeJobs, enqueueJobs, failJob, heartbeatJobs, releaseJobs } from "../../lib/queue";
import { getJobRow, insertJob, freshDatabasePerFile } from "../helpers/db";

const db = freshDatabasePerFile();

const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;

beforeEach(async () => {
  await db.current.sql`delete from grading_jobs`;
});

async function enqueueOne(sql: Sql): Promise<number> {
  const [job] = await enqueueJobs(sql, [{ kind: "noop", payload: {} }]);
  return job!.jobId;
}

/** Puts a job in a given state as of `age` ago: time is a row, not a sleep. */
async function insertAgedJob(sql: Sql, status: string, ageMs: number): Promise<number> {
  const id = await insertJob(sql);
  const at = new Date(Date.now() - ageMs);
  const processing = status === "processing";
  await sql`
    update grading_jobs set
      status = ${status},
      created_at = ${at}, run_at = ${at}, started_at = ${at},
      finished_at = ${status === "pending" || processing ? null : at},
      lease_owner = ${processing ? "stuck-worker" : null},
      lease_expires_at = ${processing ? new Date(Date.now() + HOUR_MS) : null}
    where id = ${id}
  `;
  return id;
}

describe("cancel_grading_job", () => {
  it("cancels a pending job, which is then never claimed", async () => {
    const { sql } = db.current;
    const id = await enqueueOne(sql);

    expect(await cancelJob(sql, id)).toBe("cancelled");

    const row = await getJobRow(sql, id);
    expect(row).toMatchObject({ status: "cancelled", attempts: 0 });
    expect(row.finished_at).toBeInstanceOf(Date);
    expect(await claimJobs(sql, { workerId: "worker-a", batchSize: 10 })).toEqual([]);
  });

  it("cancelling a processing job takes it from its worker: it cannot complete, fail or release it, and its heartbeat reports it lost", async () => {
    const { sql } = db.current;
    const id = await enqueueOne(sql);
    await claimJobs(sql, { workerId: "worker-a", batchSize: 1 });

    expect(await cancelJob(sql, id)).toBe("cancelled");
    const cancelled = await getJobRow(sql, id);
    expect(cancelled).toMatchObject({ status: "cancelled", lease_owner: null, lease_expires_at: null, attempts: 1 });

    expect(await heartbeatJobs(sql, "worker-a", [id], 30_000)).toEqual(new Set());
    expect(await completeJobs(sql, "worker-a", [{ jobId: id }])).toEqual(new Set());
    expect(await failJob(sql, { jobId: id, workerId: "worker-a", error: "aborted" })).toBeNull();
    expect(await releaseJobs(sql, "worker-a", [id], true)).toBe(0);
    expect(await getJobRow(sql, id)).toEqual(cancelled);
  });

  it("cancelling a completed or failed job changes nothing", async () => {
    const { sql } = db.current;
    const completed = await enqueueOne(sql);
    const failed = await enqueueOne(sql);
    await claimJobs(sql, { workerId: "worker-a", batchSize: 2 });
    await completeJobs(sql, "worker-a", [{ jobId: completed }]);
    await failJob(sql, { jobId: failed, workerId: "worker-a", error: "bad rubric", permanent: true });
    const before = await sql`select * from grading_jobs order by id`;

    expect(await cancelJob(sql, completed)).toBe("completed");
    expect(await cancelJob(sql, failed)).toBe("failed");

    expect(await sql`select * from grading_jobs order by id`).toEqual(before);
  });

  it("cancelling a job that does not exist returns null", async () => {
    expect(await cancelJob(db.current.sql, 987_654_321)).toBeNull();
  });
});

describe("cleanup_grading_jobs", () => {
  it("deletes completed, failed and cancelled jobs that finished before the retention window", async () => {
    const { sql } = db.current;
    await insertAgedJob(sql, "completed", 2 * DAY_MS);
    await insertAgedJob(sql, "failed", 2 * DAY_MS);
    await insertAgedJob(sql, "cancelled", 2 * DAY_MS);
    const recentCompleted = await insertAgedJob(sql, "completed", HOUR_MS);
    const recentFailed = await insertAgedJob(sql, "failed", 23 * HOUR_MS);

    expect(await cleanupJobs(sql, DAY_MS)).toBe(3);

    const left = await sql<{ id: number }[]>`select id from grading_jobs order by id`;
    expect(left.map((row) => row.id)).toEqual([recentCompleted, recentFailed]);
  });

  it("never deletes pending or processing jobs, however old", async () => {
    const { sql } = db.current;
    const pending = await insertAgedJob(sql, "pending", 365 * DAY_MS);
    const processing = await insertAgedJob(sql, "processing", 365 * DAY_MS);
    // Even a row whose finished_at is somehow old is protected by its status.
    const retried = await insertAgedJob(sql, "pending", 365 * DAY_MS);
    await sql`update grading_jobs set finished_at = now() - interval '1 year' where id = ${retried}`;

    expect(await cleanupJobs(sql, 0)).toBe(0);

    const left = await sql<{ id: number; status: string }[]>`select id, status from grading_jobs order by id`;
    expect(left).toEqual([
      { id: pending, status: "pending" },
      { id: processing, status: "processing" },
      { id: retried, status: "pending" },
    ]);
  });

  it("deletes at most batch_limit jobs per call", async () => {
    const { sql } = db.current;
    for (let i = 0; i < 5; i++) await insertAgedJob(sql, "completed", 2 * DAY_MS);

    const [first] = await sql`select cleanup_grading_jobs(interval '1 day', 2) as deleted`;
    const [second] = await sql`select cleanup_grading_jobs(interval '1 day', 50) as deleted`;

    expect([first!.deleted, second!.deleted]).toEqual([2, 3]);
  });
});
