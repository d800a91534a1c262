import { describe, expect, it } from "vitest";
import { z } from "zod";
import { defineTask, enqueueJobs, workerApplicationName } from "../../lib/queue";
import { expireLease, getJobRow, freshDatabasePerFile } from "../helpers/db";
import { createGate, workersStoppedAfterEach, waitFor } from "../helpers/workers";

const db = freshDatabasePerFile();
const workers = workersStoppedAfterEach(() => db.current.url);

describe("attempts of one job within one worker", () => {
  it("an attempt superseded by the same worker's newer claim cannot complete the job (review finding)", async () => {
    const gates = [createGate(), createGate()];
    let attemptsStarted = 0;
    const tasks = {
      two_attempts: defineTask({
        payload: z.object({}),
        maxAttempts: 5,
        // Ignores its abort signal on purpose: a stale attempt must be fenced anyway.
        handle: async () => {
          const attempt = attemptsStarted++;
          await gates[attempt]!.promise;
          return { attempt: attempt + 1 };
        },
      }),
    };
    const [job] = await enqueueJobs(db.current.sql, [{ kind: "two_attempts", payload: {} }], tasks);
    const worker = await workers.start({ tasks, pollIntervalMs: 100, leaseMs: 60_000 });
    try {
      await waitFor("attempt 1 to start", () => attemptsStarted === 1);
      // Attempt 1's lease runs out (say its heartbeats were lost); the same worker claims the job again.
      await expireLease(db.current.sql, job!.jobId);
      await waitFor("attempt 2 to start", () => attemptsStarted === 2);

      gates[0]!.open(); // the stale attempt finishes first…
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(await getJobRow(db.current.sql, job!.jobId)).toMatchObject({ status: "processing", attempts: 2 });

      gates[1]!.open(); // …and only the current one completes the job
      await waitFor("the job to complete", async () => (await getJobRow(db.current.sql, job!.jobId)).status === "completed");
      expect(await getJobRow(db.current.sql, job!.jobId)).toMatchObject({ attempts: 2, result: { attempt: 2 } });
    } finally {
      gates.forEach((gate) => gate.open());
      await worker.stop();
    }
  });

  it("a handler that does not settle within its kind's timeout fails that attempt, and the job is retried", async () => {
    let calls = 0;
    const tasks = {
      sometimes_hangs: defineTask({
        payload: z.object({}),
        maxAttempts: 3,
        timeoutMs: 300,
        handle: () => (++calls === 1 ? new Promise(() => {}) : { ok: true }),
      }),
    };
    const [job] = await enqueueJobs(db.current.sql, [{ kind: "sometimes_hangs", payload: {} }], tasks);
    const worker = await workers.start({ tasks, pollIntervalMs: 100 });
    try {
      await waitFor("the first attempt to time out", async () => (await getJobRow(db.current.sql, job!.jobId)).last_error);
      const afterTimeout = await getJobRow(db.current.sql, job!.jobId);
      expect(afterTimeout.last_error).toMatch(/JobTimeoutError: the handler did not finish within/);
      expect(afterTimeout.status).toBe("pending");
      await db.current.sql`update grading_jobs set run_at = now() where id = ${job!.jobId}`;
      await waitFor("the retry to complete", async () => (await getJobRow(db.current.sql, job!.jobId)).status === "completed");
      expect(await getJobRow(db.current.sql, job!.jobId)).toMatchObject({ attempts: 2, result: { ok: true } });
    } finally {
      await worker.stop();
    }
  });
});

describe("a worker whose database sessions were cut", () => {
  it("registers again when it reconnects, so it is still recognised as alive (review finding)", async () => {
    const tasks = { noop_kind: defineTask({ payload: z.object({}), maxAttempts: 1, handle: () => undefined }) };
    const worker = await workers.start({ tasks, pollIntervalMs: 100 });
    try {
      await waitFor(
        "the worker to register",
        async () => (await db.current.sql`select 1 from grading_workers where worker_id = ${worker.workerId}`).length === 1,
      );
      // A blip longer than the grace period: the others remove its row.
      await db.current
        .sql`select pg_terminate_backend(pid) from pg_stat_activity where application_name = ${workerApplicationName(worker.workerId)}`;
      await db.current.sql`delete from grading_workers where worker_id = ${worker.workerId}`;
      await waitFor(
        "the worker to register again",
        async () => (await db.current.sql`select 1 from grading_workers where worker_id = ${worker.workerId}`).length === 1,
        { timeoutMs: 15_000 },
      );
    } finally {
      await worker.stop();
    }
  });
});

describe("releasing jobs at shutdown", () => {
  it("a job released during its last attempt fails instead of running once more (review finding)", async () => {
    const sql = db.current.sql;
    const [last, notLast] = await enqueueJobs(sql, [
      { kind: "noop", payload: {}, maxAttempts: 1 },
      { kind: "noop", payload: {}, maxAttempts: 3 },
    ]);
    await sql`select id from claim_grading_jobs('stopping-worker', 2, 30, null)`;
    await sql`select release_grading_jobs('stopping-worker', ${[last!.jobId, notLast!.jobId]}::bigint[], true)`;
    expect(await getJobRow(sql, last!.jobId)).toMatchObject({ status: "failed", attempts: 1 });
    expect(await getJobRow(sql, notLast!.jobId)).toMatchObject({ status: "pending", attempts: 1 });
  });
});
