import { randomBytes } from "node:crypto";
import { beforeEach, describe, expect, it } from "vitest";
import { createSql, type Sql } from "../../lib/db/sql";
import { claimJobs, completeJobs, enqueueJobs, failJob, heartbeatJobs, releaseExpiredLeases, workerApplicationName } from "../../lib/queue";
import { registerWorker } from "../../lib/queue/job-leases";
import { expireLease, getJobRow, freshDatabasePerFile } from "../helpers/db";
import { waitFor } from "../helpers/workers";

const db = freshDatabasePerFile();

beforeEach(async () => {
  await db.current.sql`delete from grading_jobs`;
  await db.current.sql`delete from grading_workers`;
});

async function enqueueOne(sql: Sql, maxAttempts = 5): Promise<number> {
  const [job] = await enqueueJobs(sql, [{ kind: "noop", payload: {}, maxAttempts }]);
  return job!.jobId;
}

/** A connection that looks like a registered worker's session to release_grading_leases(). */
async function connectAsRegisteredWorker(url: string, workerId: string): Promise<Sql> {
  const sql = createSql(url, { max: 1, applicationName: workerApplicationName(workerId) });
  expect(await registerWorker(sql, workerId, "test-host")).toBe(true);
  return sql;
}

describe("lease expiry", () => {
  it("a job whose lease expired is claimed again by another worker as its second attempt", async () => {
    const { sql } = db.current;
    const id = await enqueueOne(sql);
    await claimJobs(sql, { workerId: "worker-a", batchSize: 1 });
    await expireLease(sql, id);

    const [reclaimed] = await claimJobs(sql, { workerId: "worker-b", batchSize: 1 });

    expect(reclaimed).toMatchObject({ id, status: "processing", lease_owner: "worker-b", attempts: 2 });
    expect(reclaimed!.last_error).toMatch(/^lease expired: worker worker-a stopped responding during attempt 1 of 5/);
  });

  it("a worker whose lease expired and was taken over cannot complete, fail or heartbeat the job", async () => {
    const { sql } = db.current;
    const id = await enqueueOne(sql);
    await claimJobs(sql, { workerId: "worker-a", batchSize: 1 });
    await expireLease(sql, id);
    await claimJobs(sql, { workerId: "worker-b", batchSize: 1 });
    const before = await getJobRow(sql, id);

    expect(await completeJobs(sql, "worker-a", [{ jobId: id, result: { by: "a" } }])).toEqual(new Set());
    expect(await failJob(sql, { jobId: id, workerId: "worker-a", error: "late failure" })).toBeNull();
    expect(await heartbeatJobs(sql, "worker-a", [id], 30_000)).toEqual(new Set());
    const [single] = await sql`select complete_grading_job(${id}, 'worker-a') as completed`;
    expect(single!.completed).toBe(false);

    expect(await getJobRow(sql, id)).toEqual(before);
    expect(before).toMatchObject({ status: "processing", lease_owner: "worker-b", attempts: 2 });

    // The worker that holds the lease now still can.
    expect(await completeJobs(sql, "worker-b", [{ jobId: id }])).toEqual(new Set([id]));
    expect(await getJobRow(sql, id)).toMatchObject({ status: "completed", attempts: 2, lease_owner: null });
  });

  it("a job whose lease expires on its last attempt ends as failed with a lease-expired error", async () => {
    const { sql } = db.current;
    const id = await enqueueOne(sql, 2);
    await claimJobs(sql, { workerId: "worker-a", batchSize: 1 });
    await expireLease(sql, id);
    await claimJobs(sql, { workerId: "worker-b", batchSize: 1 });
    await expireLease(sql, id);

    expect(await claimJobs(sql, { workerId: "worker-c", batchSize: 1 })).toEqual([]);

    const row = await getJobRow(sql, id);
    expect(row).toMatchObject({ status: "failed", attempts: 2, lease_owner: null, lease_expires_at: null });
    expect(row.last_error).toMatch(/^lease expired: worker worker-b stopped responding during attempt 2 of 2/);
    expect(row.finished_at).toBeInstanceOf(Date);
  });

  it("release_grading_leases() requeues expired leases without waiting for a claim", async () => {
    const { sql } = db.current;
    const expired = await enqueueOne(sql);
    const lastAttempt = await enqueueOne(sql, 1);
    const healthy = await enqueueOne(sql);
    await claimJobs(sql, { workerId: "worker-a", batchSize: 3 });
    await expireLease(sql, expired);
    await expireLease(sql, lastAttempt);

    expect(await releaseExpiredLeases(sql)).toBe(2);

    expect(await getJobRow(sql, expired)).toMatchObject({ status: "pending", attempts: 1, lease_owner: null });
    expect(await getJobRow(sql, lastAttempt)).toMatchObject({ status: "failed", attempts: 1, lease_owner: null });
    expect(await getJobRow(sql, healthy)).toMatchObject({ status: "processing", lease_owner: "worker-a" });
  });

  it("release_grading_leases() recovers the jobs of a registered worker whose sessions are gone, and leaves a live worker's alone", async () => {
    const { sql, url } = db.current;
    const suffix = randomBytes(4).toString("hex");
    const deadId = `dead-${suffix}`;
    const liveId = `live-${suffix}`;
    const deadJob = await enqueueOne(sql);
    const liveJob = await enqueueOne(sql);
    const dead = await connectAsRegisteredWorker(url, deadId);
    const live = await connectAsRegisteredWorker(url, liveId);
    try {
      await claimJobs(dead, { workerId: deadId, batchSize: 1 });
      await claimJobs(live, { workerId: liveId, batchSize: 1 });

      await dead.end({ timeout: 5 });
      // The server notices the closed socket at once; wait for that, not for a guessed time.
      await waitFor("the dead worker's session to leave pg_stat_activity", async () => {
        const [row] = await sql<{ n: number }[]>`
          select count(*)::int as n from pg_stat_activity where application_name = ${workerApplicationName(deadId)}
        `;
        return row!.n === 0;
      });

      // Within the grace period a worker without sessions may just be reconnecting: its jobs stay.
      expect(await releaseExpiredLeases(sql)).toBe(0);
      expect(await getJobRow(sql, deadJob)).toMatchObject({ status: "processing", lease_owner: deadId });
      // Time is a row: it was last seen a minute ago.
      await sql`update grading_workers set last_seen_at = now() - interval '1 minute' where worker_id = ${deadId}`;
      await sql`update grading_workers set last_seen_at = now() - interval '1 minute' where worker_id = ${liveId}`;

      expect(await releaseExpiredLeases(sql)).toBe(1);

      const recovered = await getJobRow(sql, deadJob);
      // Leases are 30 s long: only dead-session detection can have ended this one.
      expect(recovered).toMatchObject({ status: "pending", attempts: 1, lease_owner: null, lease_expires_at: null });
      expect(recovered.last_error).toMatch(`lease expired: worker ${deadId} stopped responding`);
      expect(await getJobRow(sql, liveJob)).toMatchObject({ status: "processing", lease_owner: liveId, attempts: 1 });
      const workers = await sql<{ worker_id: string }[]>`select worker_id from grading_workers order by worker_id`;
      expect(workers.map((worker) => worker.worker_id)).toEqual([liveId]);

      const [again] = await claimJobs(sql, { workerId: "worker-b", batchSize: 1 });
      expect(again).toMatchObject({ id: deadJob, attempts: 2, lease_owner: "worker-b" });
    } finally {
      await live.end({ timeout: 5 });
    }
  });

  it("an unregistered worker's jobs wait for their lease to run out even when its session is gone", async () => {
    const { sql, url } = db.current;
    const id = await enqueueOne(sql);
    const unregistered = createSql(url, { max: 1, applicationName: workerApplicationName("unregistered") });
    await claimJobs(unregistered, { workerId: "unregistered", batchSize: 1 });
    await unregistered.end({ timeout: 5 });

    expect(await releaseExpiredLeases(sql)).toBe(0);
    expect(await getJobRow(sql, id)).toMatchObject({ status: "processing", lease_owner: "unregistered" });

    await expireLease(sql, id);
    expect(await releaseExpiredLeases(sql)).toBe(1);
    expect(await getJobRow(sql, id)).toMatchObject({ status: "pending", attempts: 1 });
  });

  it("a worker that is not visible under its application_name is not registered", async () => {
    // As behind a transaction pooler: no application_name, so liveness cannot be proven.
    const anonymous = createSql(db.current.url, { max: 1 });
    try {
      await anonymous`set application_name = ''`;
      expect(await registerWorker(anonymous, "pooled", "test-host")).toBe(false);
      expect(await db.current.sql`select 1 from grading_workers where worker_id = 'pooled'`).toHaveLength(0);
    } finally {
      await anonymous.end({ timeout: 5 });
    }
  });
});
