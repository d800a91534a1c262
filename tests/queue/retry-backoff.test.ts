import { beforeEach, describe, expect, it } from "vitest";
import { createSql, type Sql } from "../../lib/db/sql";
import { claimJobs, completeJobs, enqueueJobs, failJob, retryJob, type FailJobOptions } from "../../lib/queue";
import { getJobRow, makeRunnableNow, freshDatabasePerFile } from "../helpers/db";
import { waitFor } from "../helpers/workers";

const db = freshDatabasePerFile();

beforeEach(async () => {
  await db.current.sql`delete from grading_jobs`;
});

/**
 * Fails an attempt and reads the database's now() in the same transaction, so the delay
 * is exactly run_at - now() as fail_grading_job computed it: no clock skew, no sleep.
 */
async function failAndMeasure(sql: Sql, options: FailJobOptions) {
  return sql.begin(async (tx) => {
    const outcome = await failJob(tx, options);
    const [row] = await tx<{ delay_ms: number }[]>`
      select (extract(epoch from run_at - now()) * 1000)::float8 as delay_ms from grading_jobs where id = ${options.jobId}
    `;
    return { outcome, delayMs: row!.delay_ms };
  });
}

async function enqueueNoops(sql: Sql, count: number, extra: { maxAttempts?: number; dedupeKey?: string } = {}) {
  const jobs = await enqueueJobs(
    sql,
    Array.from({ length: count }, () => ({ kind: "noop" as const, payload: {}, ...extra })),
  );
  return jobs.map((job) => job.jobId);
}

describe("retry backoff", () => {
  it("failed attempts 1, 2 and 3 come back after 1 s, 2 s and 4 s, each scaled by a jitter factor in [0.5, 1)", async () => {
    const { sql } = db.current;
    const ids = await enqueueNoops(sql, 20, { maxAttempts: 5 });

    for (const [attempt, baseMs] of [
      [1, 1000],
      [2, 2000],
      [3, 4000],
    ] as const) {
      const claimed = await claimJobs(sql, { workerId: "worker-a", batchSize: 100 });
      expect(claimed.map((job) => job.attempts)).toEqual(ids.map(() => attempt));

      const delays: number[] = [];
      for (const job of claimed) {
        const { outcome, delayMs } = await failAndMeasure(sql, { jobId: job.id, workerId: "worker-a", error: `boom ${attempt}` });
        expect(outcome).toMatchObject({ status: "pending", attempts: attempt });
        delays.push(delayMs);
      }

      // The delay is a whole number of ms rounded from base × factor, so base itself is reachable.
      for (const delay of delays) {
        expect(delay).toBeGreaterThanOrEqual(baseMs * 0.5);
        expect(delay).toBeLessThanOrEqual(baseMs);
      }
      // Jitter: twenty jobs failing together do not all come back together.
      expect(new Set(delays).size).toBeGreaterThan(1);
      // Only jobs whose backoff has run out may be claimed. Asked inside one transaction,
      // where now() stands still, so a slow machine cannot make this flake; rolled back after.
      const { due, claimedEarly } = await sql
        .begin(async (tx) => {
          const due = await tx<{ id: number }[]>`select id from grading_jobs where status = 'pending' and run_at <= now()`;
          const claimedEarly = await claimJobs(tx, { workerId: "worker-a", batchSize: 100 });
          throw Object.assign(new Error("roll back"), { result: { due, claimedEarly } });
        })
        .catch((error: { result?: { due: { id: number }[]; claimedEarly: { id: number }[] } }) => {
          if (!error.result) throw error;
          return error.result;
        });
      expect(claimedEarly.map((job) => job.id).sort()).toEqual(due.map((row) => row.id).sort());
      expect(due.length).toBeLessThan(ids.length); // at least the longest backoffs are still running

      await sql`update grading_jobs set run_at = now()`;
    }
  });

  it("the backoff doubles per attempt and is capped at ten minutes (pure SQL)", async () => {
    const rows = await db.current.sql<{ attempt: number; delay: number }[]>`
      select attempt, private.grading_retry_delay_ms(attempt) as delay
      from generate_series(0, 20) as attempt, generate_series(1, 50)
    `;
    for (const { attempt, delay } of rows) {
      const baseMs = Math.min(600_000, 1000 * 2 ** (Math.max(attempt, 1) - 1));
      expect(delay).toBeGreaterThanOrEqual(baseMs * 0.5);
      expect(delay).toBeLessThanOrEqual(baseMs);
    }
    expect(Math.max(...rows.map((row) => row.delay))).toBeGreaterThan(300_000);
  });

  it("a RetryAfter delay replaces the backoff schedule, longer or shorter", async () => {
    const { sql } = db.current;
    const [id] = await enqueueNoops(sql, 1, { maxAttempts: 5 });

    await claimJobs(sql, { workerId: "worker-a", batchSize: 1 });
    const longer = await failAndMeasure(sql, { jobId: id!, workerId: "worker-a", error: "429", retryInMs: 90_000 });
    expect(longer.outcome).toMatchObject({ status: "pending", attempts: 1 });
    expect(longer.delayMs).toBe(90_000);

    await makeRunnableNow(sql, id!);
    await claimJobs(sql, { workerId: "worker-a", batchSize: 1 });
    // Attempt 2 would back off 1–2 s; the rater asked for a quarter of a second.
    const shorter = await failAndMeasure(sql, { jobId: id!, workerId: "worker-a", error: "429", retryInMs: 250 });
    expect(shorter.outcome).toMatchObject({ status: "pending", attempts: 2 });
    expect(shorter.delayMs).toBe(250);
  });

  it("after max_attempts the job is failed and keeps the last error", async () => {
    const { sql } = db.current;
    const [id] = await enqueueNoops(sql, 1, { maxAttempts: 3 });
    let outcome;
    for (let attempt = 1; attempt <= 3; attempt++) {
      await makeRunnableNow(sql, id!);
      const [claimed] = await claimJobs(sql, { workerId: "worker-a", batchSize: 1 });
      expect(claimed?.attempts).toBe(attempt);
      outcome = await failJob(sql, { jobId: id!, workerId: "worker-a", error: `rater timed out (attempt ${attempt})` });
    }

    expect(outcome).toMatchObject({ status: "failed", attempts: 3 });
    const row = await getJobRow(sql, id!);
    expect(row).toMatchObject({
      status: "failed",
      attempts: 3,
      last_error: "rater timed out (attempt 3)",
      lease_owner: null,
      lease_expires_at: null,
    });
    expect(row.finished_at).toBeInstanceOf(Date);
    await makeRunnableNow(sql, id!);
    expect(await claimJobs(sql, { workerId: "worker-a", batchSize: 1 })).toEqual([]);
  });

  it("a permanent failure fails the job at once, whatever attempts are left", async () => {
    const { sql } = db.current;
    const [id] = await enqueueNoops(sql, 1, { maxAttempts: 5 });
    await claimJobs(sql, { workerId: "worker-a", batchSize: 1 });

    const outcome = await failJob(sql, { jobId: id!, workerId: "worker-a", error: "rubric not found", permanent: true });

    expect(outcome).toMatchObject({ status: "failed", attempts: 1 });
    expect(await getJobRow(sql, id!)).toMatchObject({ status: "failed", attempts: 1, last_error: "rubric not found" });
  });

  it("retry_grading_job makes a failed job pending with fresh attempts, and it can then complete", async () => {
    const { sql } = db.current;
    const [id] = await enqueueNoops(sql, 1, { maxAttempts: 2 });
    await claimJobs(sql, { workerId: "worker-a", batchSize: 1 });
    await failJob(sql, { jobId: id!, workerId: "worker-a", error: "rubric not found", permanent: true });

    expect(await retryJob(sql, id!)).toBe("pending");

    const retried = await getJobRow(sql, id!);
    expect(retried).toMatchObject({ status: "pending", attempts: 0, finished_at: null, last_error: "rubric not found" });
    const [claimed] = await claimJobs(sql, { workerId: "worker-b", batchSize: 1 });
    expect(claimed).toMatchObject({ id, attempts: 1, lease_owner: "worker-b" });
    expect(await completeJobs(sql, "worker-b", [{ jobId: id! }])).toEqual(new Set([id]));
    expect(await getJobRow(sql, id!)).toMatchObject({ status: "completed", attempts: 1 });
  });

  it("retry_grading_job also revives a cancelled job, and leaves pending, processing and completed jobs as they are", async () => {
    const { sql } = db.current;
    const [cancelled, processing, completed] = await enqueueNoops(sql, 3);
    await sql`select cancel_grading_job(${cancelled!})`;
    await claimJobs(sql, { workerId: "worker-a", batchSize: 2 });
    await completeJobs(sql, "worker-a", [{ jobId: completed! }]);
    const [pending] = await enqueueNoops(sql, 1);
    const before = await sql`select * from grading_jobs where id <> ${cancelled!} order by id`;

    expect(await retryJob(sql, cancelled!)).toBe("pending");
    expect(await retryJob(sql, pending!)).toBe("pending");
    expect(await retryJob(sql, processing!)).toBe("processing");
    expect(await retryJob(sql, completed!)).toBe("completed");
    expect(await retryJob(sql, 987_654_321)).toBeNull();

    expect(await sql`select * from grading_jobs where id <> ${cancelled!} order by id`).toEqual(before);
    expect(await getJobRow(sql, cancelled!)).toMatchObject({ status: "pending", attempts: 0, finished_at: null });
  });

  it("retry is refused, leaving the job failed, while another live job holds the same dedupe key", async () => {
    const { sql } = db.current;
    const [failed] = await enqueueNoops(sql, 1, { dedupeKey: "grade:submission-7" });
    await claimJobs(sql, { workerId: "worker-a", batchSize: 1 });
    await failJob(sql, { jobId: failed!, workerId: "worker-a", error: "rater down", permanent: true });
    const [replacement] = await enqueueJobs(sql, [{ kind: "noop", payload: {}, dedupeKey: "grade:submission-7" }]);
    expect(replacement!.inserted).toBe(true);
    const before = await getJobRow(sql, failed!);

    expect(await retryJob(sql, failed!)).toBe("failed");
    expect(await getJobRow(sql, failed!)).toEqual(before);

    // Once the replacement has finished, the key is free and the retry goes through.
    await claimJobs(sql, { workerId: "worker-b", batchSize: 1 });
    await completeJobs(sql, "worker-b", [{ jobId: replacement!.jobId }]);
    expect(await retryJob(sql, failed!)).toBe("pending");
  });

  // Regression: retry_grading_job's NOT EXISTS check cannot see another transaction's
  // uncommitted retry, so the second of two concurrent retries of failed jobs sharing a
  // dedupe key waits on the live-key unique index and used to raise unique_violation
  // (23505) instead of being refused.
  it("of two concurrent retries of jobs sharing a dedupe key, one goes through and the other is refused", async () => {
    const { sql, url } = db.current;
    const failedIds: number[] = [];
    for (let i = 0; i < 2; i++) {
      const [id] = await enqueueNoops(sql, 1, { dedupeKey: "grade:race" });
      await claimJobs(sql, { workerId: "worker-a", batchSize: 1 });
      await failJob(sql, { jobId: id!, workerId: "worker-a", error: "rater down", permanent: true });
      failedIds.push(id!);
    }
    const [first, second] = failedIds;
    const applicationName = `retry-race-${first}`;
    const other = createSql(url, { max: 1, applicationName });
    try {
      let secondRetry!: Promise<{ status: string | null } | { error: unknown }>;
      await sql.begin(async (tx) => {
        expect(await retryJob(tx, first!)).toBe("pending");
        secondRetry = retryJob(other, second!).then(
          (status) => ({ status }),
          (error: unknown) => ({ error }),
        );
        await waitFor("the second retry to wait for the first transaction", async () => {
          const waiting = await sql`
            select 1 from pg_stat_activity where application_name = ${applicationName} and wait_event_type = 'Lock'
          `;
          return waiting.length > 0;
        });
      });

      expect(await secondRetry).toEqual({ status: "failed" });
    } finally {
      await other.end({ timeout: 5 });
    }
    const rows = await sql<{ id: number; status: string }[]>`
      select id, status from grading_jobs where id = any(${failedIds}::bigint[]) order by id
    `;
    expect(rows).toEqual([
      { id: first, status: "pending" },
      { id: second, status: "failed" },
    ]);
  });
});
