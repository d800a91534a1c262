import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import {
  defineTask,
  drainQueue,
  enqueueJobs,
  NonRetriableJobError,
  RetryAfterJobError,
  type GradingJobRow,
  type TaskRegistry,
} from "../../lib/queue";
import type { EnqueueInputFor } from "../../lib/queue/enqueue-jobs";
import { getJobRow, insertJob, freshDatabasePerFile } from "../helpers/db";
import { createGate, sleep, workersStoppedAfterEach, waitFor, waitForGate, type Gate } from "../helpers/workers";

const db = freshDatabasePerFile();
const workers = workersStoppedAfterEach(() => db.current.url);

// What the handlers saw, reset before each test.
let recorded: number[] = [];
let gatedStarted: string[] = [];
let gate: Gate = createGate();

const tasks = {
  record_number: defineTask({
    payload: z.object({ n: z.number().int() }).strict(),
    maxAttempts: 3,
    handle: ({ n }) => {
      recorded.push(n);
      return { doubled: n * 2 };
    },
  }),
  rate_limited: defineTask({
    payload: z.object({}),
    maxAttempts: 5,
    handle: () => {
      throw new RetryAfterJobError("429 from the rater", 120_000);
    },
  }),
  missing_rubric: defineTask({
    payload: z.object({}),
    maxAttempts: 5,
    handle: () => {
      throw new NonRetriableJobError("rubric 42 not found");
    },
  }),
  flaky_rater: defineTask({
    payload: z.object({}),
    maxAttempts: 5,
    handle: () => {
      throw new Error("rating failed", { cause: new Error("connection reset") });
    },
  }),
  // Runs until the test opens the gate: how long a job takes is decided by the test, not a timer.
  gated: defineTask({
    payload: z.object({ name: z.string() }),
    maxAttempts: 3,
    handle: async ({ name }, { signal }) => {
      gatedStarted.push(name);
      await waitForGate(gate, signal);
    },
  }),
  // For the drain's time budget, which is about wall-clock time.
  sleepy: defineTask({
    payload: z.object({ ms: z.number().int() }),
    maxAttempts: 3,
    handle: ({ ms }) => sleep(ms),
  }),
} satisfies TaskRegistry;

type Job = EnqueueInputFor<typeof tasks>;

async function enqueue(jobs: Job[]): Promise<number[]> {
  const enqueued = await enqueueJobs(db.current.sql, jobs, tasks);
  return enqueued.map((job) => job.jobId);
}

async function rowsOf(ids: number[]): Promise<GradingJobRow[]> {
  return db.current.sql<GradingJobRow[]>`select * from grading_jobs where id = any(${ids}::bigint[]) order by id`;
}

function waitForStatus(id: number, status: string, timeoutMs = 10_000) {
  return waitFor(`job ${id} to be ${status}`, async () => (await getJobRow(db.current.sql, id)).status === status, { timeoutMs });
}

async function delayFromNowMs(id: number): Promise<number> {
  const [row] = await db.current.sql<{ ms: number }[]>`
    select (extract(epoch from run_at - now()) * 1000)::float8 as ms from grading_jobs where id = ${id}
  `;
  return row!.ms;
}

beforeEach(async () => {
  await db.current.sql`delete from grading_jobs`;
  recorded = [];
  gatedStarted = [];
  gate = createGate();
});

// Registered after workersStoppedAfterEach, so it runs first: a failed test must not leave a handler waiting.
afterEach(() => gate.open());

describe("runWorker", () => {
  it("an invalid payload fails only its own job; its neighbours complete and the worker keeps running", async () => {
    const { sql } = db.current;
    const before = await enqueue([1, 2].map((n) => ({ kind: "record_number", payload: { n } })));
    const bad = await insertJob(sql, { kind: "record_number", payload: { n: "seven" } });
    const after = await enqueue([3, 4].map((n) => ({ kind: "record_number", payload: { n } })));
    const foreign = await insertJob(sql, { kind: "enhance_rubric" });

    const worker = await workers.start({ tasks, concurrency: 2, pollIntervalMs: 60_000 });
    try {
      await waitFor("every job this worker can run to finish", async () => {
        const rows = await rowsOf([...before, bad, ...after]);
        return rows.every((row) => row.status === "completed" || row.status === "failed");
      });

      const badRow = await getJobRow(sql, bad);
      expect(badRow).toMatchObject({ status: "failed", attempts: 1 });
      expect(badRow.last_error).toMatch(/^NonRetriableJobError: invalid payload for "record_number" at n:/);
      const goodRows = await rowsOf([...before, ...after]);
      expect(goodRows.map((row) => [row.status, row.result])).toEqual([1, 2, 3, 4].map((n) => ["completed", { doubled: n * 2 }]));
      expect(recorded.sort()).toEqual([1, 2, 3, 4]);
      // A kind the worker has no handler for is left for a worker that has one.
      expect(await getJobRow(sql, foreign)).toMatchObject({ status: "pending", attempts: 0 });

      const [next] = await enqueue([{ kind: "record_number", payload: { n: 5 } }]);
      await waitForStatus(next!, "completed");
      // The row can be seen completed a moment before the worker has read its own reply.
      await waitFor("the worker to count its fifth completion", () => worker.stats.completed === 5);
      expect(worker.stats).toMatchObject({ completed: 5, failed: 1, retried: 0, lost: 0 });
    } finally {
      await worker.stop();
    }
  });

  it("a handler that throws RetryAfterJobError has its job's run_at pushed out by that delay", async () => {
    const [id] = await enqueue([{ kind: "rate_limited", payload: {} }]);
    const worker = await workers.start({ tasks, pollIntervalMs: 60_000 });
    try {
      await waitFor("the failed attempt to be recorded", async () => {
        const row = await getJobRow(db.current.sql, id!);
        return row.status === "pending" && row.attempts === 1;
      });
    } finally {
      await worker.stop();
    }
    const row = await getJobRow(db.current.sql, id!);
    expect(row.last_error).toBe("RetryAfterJobError: 429 from the rater");
    const delay = await delayFromNowMs(id!);
    expect(delay).toBeGreaterThan(110_000);
    expect(delay).toBeLessThanOrEqual(120_000);
    expect(worker.stats).toMatchObject({ retried: 1, failed: 0 });
  });

  it("a handler that throws NonRetriableJobError fails its job at once", async () => {
    const [id] = await enqueue([{ kind: "missing_rubric", payload: {} }]);
    const worker = await workers.start({ tasks, pollIntervalMs: 60_000 });
    try {
      await waitForStatus(id!, "failed");
    } finally {
      await worker.stop();
    }
    expect(await getJobRow(db.current.sql, id!)).toMatchObject({
      status: "failed",
      attempts: 1,
      max_attempts: 5,
      last_error: "NonRetriableJobError: rubric 42 not found",
    });
  });

  it("a handler that throws any other error is retried on the backoff schedule, keeping the error and its cause", async () => {
    const [id] = await enqueue([{ kind: "flaky_rater", payload: {} }]);
    const worker = await workers.start({ tasks, pollIntervalMs: 60_000 });
    try {
      await waitFor("the failed attempt to be recorded", async () => {
        const row = await getJobRow(db.current.sql, id!);
        return row.status === "pending" && row.attempts === 1;
      });
      const row = await getJobRow(db.current.sql, id!);
      expect(row.last_error).toBe("Error: rating failed\ncaused by Error: connection reset");
      // run_at was pushed 0.5–1 s past the failure, which has just happened.
      expect(await delayFromNowMs(id!)).toBeLessThanOrEqual(1000);
      expect(row.run_at.getTime()).toBeGreaterThan(row.started_at!.getTime() + 400);
    } finally {
      await worker.stop();
    }
  });

  it("a NOTIFY wakes an idle worker long before its next poll", async () => {
    const [warmup] = await enqueue([{ kind: "record_number", payload: { n: 1 } }]);
    const worker = await workers.start({ tasks, pollIntervalMs: 60_000 });
    try {
      // Once the first job is done the worker has found the queue empty and sleeps until woken.
      await waitForStatus(warmup!, "completed");
      const [later] = await enqueue([{ kind: "record_number", payload: { n: 2 } }]);
      await waitForStatus(later!, "completed", 10_000);
      expect(recorded).toEqual([1, 2]);
    } finally {
      await worker.stop();
    }
  });

  it("stop() gives back buffered jobs without counting an attempt and lets the running job complete first", async () => {
    const { sql } = db.current;
    // A burst of fast jobs makes the worker prefetch, so jobs sit claimed in its buffer.
    await enqueue(Array.from({ length: 30 }, (_, n) => ({ kind: "record_number", payload: { n } })));
    const [first, second, third] = await enqueue(
      ["first", "second", "third"].map((name) => ({ kind: "gated", payload: { name }, priority: 1 })),
    );
    const worker = await workers.start({ tasks, concurrency: 1, pollIntervalMs: 60_000 });
    let stopping: Promise<void> | undefined;
    try {
      await waitFor("the first gated job to run with the second claimed behind it", async () => {
        const [, secondRow] = await rowsOf([first!, second!]);
        return gatedStarted.length === 1 && secondRow!.status === "processing";
      });
      expect(gatedStarted).toEqual(["first"]);
      expect(await sql`select 1 from grading_workers where worker_id = ${worker.workerId}`).toHaveLength(1);

      let stopped = false;
      stopping = worker.stop().then(() => {
        stopped = true;
      });
      await waitForStatus(second!, "pending");
      expect(stopped).toBe(false);
      expect(await getJobRow(sql, first!)).toMatchObject({ status: "processing", lease_owner: worker.workerId });

      gate.open();
      await stopping;
    } finally {
      await (stopping ?? worker.stop());
    }

    const [firstRow, secondRow, thirdRow] = await rowsOf([first!, second!, third!]);
    expect(firstRow).toMatchObject({ status: "completed", attempts: 1 });
    expect(secondRow).toMatchObject({ status: "pending", attempts: 0, lease_owner: null });
    expect(thirdRow).toMatchObject({ status: "pending", attempts: 0, lease_owner: null });
    expect(gatedStarted).toEqual(["first"]);
    expect(await sql`select 1 from grading_workers where worker_id = ${worker.workerId}`).toHaveLength(0);
  });

  // Regression: stop() once cleared every timer, the heartbeat included, before waiting up
  // to shutdownTimeoutMs for running jobs. A lease shorter than that wait (`--lease 10000`
  // with the default 20 s timeout) ran out while the job still ran; another worker then
  // took the job and ran it a second time, and this worker's completion was fenced out.
  it("keeps heartbeating the leases of the jobs it waits for while it stops", async () => {
    const { sql } = db.current;
    const [id] = await enqueue([{ kind: "gated", payload: { name: "long" } }]);
    // Lease 3 s, so the heartbeat runs every second.
    const worker = await workers.start({ tasks, pollIntervalMs: 60_000, leaseMs: 3_000, shutdownTimeoutMs: 10_000 });
    let stopping: Promise<void> | undefined;
    try {
      await waitFor("the job to start", () => gatedStarted.length === 1);
      stopping = worker.stop();
      const atStop = (await getJobRow(sql, id!)).lease_expires_at as Date;

      await waitFor(
        "a heartbeat to extend the lease during shutdown",
        async () => ((await getJobRow(sql, id!)).lease_expires_at as Date).getTime() > atStop.getTime(),
        { timeoutMs: 3_000 },
      );
    } finally {
      gate.open();
      await (stopping ?? worker.stop());
    }
    expect(await getJobRow(sql, id!)).toMatchObject({ status: "completed", attempts: 1 });
  });

  it("a worker stopped right after it started leaves no registration behind (#7)", async () => {
    for (let round = 0; round < 20; round++) {
      const worker = await workers.start({ tasks, concurrency: 1 });
      await worker.stop();
      const rows = await db.current.sql`select worker_id from grading_workers where worker_id = ${worker.workerId}`;
      expect(rows, `round ${round}`).toHaveLength(0);
    }
  });

  it("stop() gives back, as a counted attempt, a job still running when the shutdown timeout runs out", async () => {
    const [id] = await enqueue([{ kind: "gated", payload: { name: "stuck" } }]);
    const worker = await workers.start({ tasks, pollIntervalMs: 60_000, shutdownTimeoutMs: 200 });
    try {
      await waitFor("the job to start", () => gatedStarted.length === 1);
    } finally {
      await worker.stop();
    }
    const row = await getJobRow(db.current.sql, id!);
    expect(row).toMatchObject({ status: "pending", attempts: 1, lease_owner: null });
    expect(row.last_error).toMatch(/shut down/);
  });
});

describe("drainQueue", () => {
  it("drains every runnable job and reports what it claimed, completed and failed", async () => {
    const { sql } = db.current;
    await enqueue([
      ...Array.from({ length: 20 }, (_, n): Job => ({ kind: "record_number", payload: { n } })),
      { kind: "missing_rubric", payload: {} },
      { kind: "missing_rubric", payload: {} },
      { kind: "rate_limited", payload: {} },
      { kind: "record_number", payload: { n: 99 }, runAt: new Date(Date.now() + 60 * 60 * 1000) },
    ]);

    const summary = await drainQueue({ sql, tasks, timeBudgetMs: 30_000, concurrency: 4 });

    expect(summary).toMatchObject({ claimed: 23, completed: 20, failed: 3, remaining: 0, released: 0 });
    const counts = await sql<{ status: string; n: number }[]>`
      select status, count(*)::int as n from grading_jobs group by status order by status
    `;
    expect(counts).toEqual([
      { status: "completed", n: 20 },
      { status: "failed", n: 2 },
      { status: "pending", n: 2 },
    ]);
    expect(recorded.sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, n) => n));
  });

  it("stops claiming when its time budget is spent and leaves nothing processing", async () => {
    const { sql } = db.current;
    const jobCount = 20;
    await enqueue(Array.from({ length: jobCount }, (): Job => ({ kind: "sleepy", payload: { ms: 400 } })));

    const summary = await drainQueue({ sql, tasks, timeBudgetMs: 1_500, concurrency: 2 });

    expect(summary.remaining).toBeGreaterThan(0);
    expect(summary.completed).toBeGreaterThan(0);
    expect(summary.completed + summary.remaining).toBe(jobCount);
    const [counts] = await sql<{ processing: number; completed: number; unclaimed: number }[]>`
      select count(*) filter (where status = 'processing')::int as processing,
             count(*) filter (where status = 'completed')::int as completed,
             count(*) filter (where status = 'pending' and attempts = 0 and run_at <= now())::int as unclaimed
      from grading_jobs
    `;
    // Claimed-but-unstarted jobs went back without an attempt counted against them.
    expect(counts).toEqual({ processing: 0, completed: summary.completed, unclaimed: summary.remaining });
  });

  it("first releases the jobs of leases that ran out", async () => {
    const { sql } = db.current;
    const [id] = await enqueue([{ kind: "record_number", payload: { n: 7 } }]);
    await sql`
      update grading_jobs set status = 'processing', attempts = 1, lease_owner = 'crashed-worker',
        lease_expires_at = now() - interval '1 second' where id = ${id!}
    `;

    const summary = await drainQueue({ sql, tasks, timeBudgetMs: 10_000, concurrency: 2 });

    expect(summary).toMatchObject({ released: 1, claimed: 1, completed: 1, remaining: 0 });
    expect(await getJobRow(sql, id!)).toMatchObject({ status: "completed", attempts: 2 });
  });
});
