import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { enqueueJobs, type GradingJobRow } from "../../lib/queue";
import { countingTasks, CREATE_EFFECTS_TABLE } from "../fixtures/counting-tasks";
import { getJobRow, freshDatabasePerFile } from "../helpers/db";
import { waitFor } from "../helpers/workers";

const db = freshDatabasePerFile();

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const WORKER_SCRIPT = path.join(projectRoot, "tests/fixtures/counting-worker.ts");
const READY_TIMEOUT_MS = 20_000;

interface WorkerProcess {
  id: string;
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
}

const children: WorkerProcess[] = [];

/**
 * Starts tests/fixtures/counting-worker.ts as its own OS process. `node --import tsx`
 * rather than the tsx CLI, so the pid we signal is the worker itself, not a wrapper
 * whose child would survive a SIGKILL.
 */
async function startWorkerProcess(name: string, env: Record<string, string> = {}): Promise<WorkerProcess> {
  const id = `${name}-${randomBytes(3).toString("hex")}`;
  const child = spawn(process.execPath, ["--import", "tsx", WORKER_SCRIPT], {
    cwd: projectRoot,
    env: { ...process.env, DATABASE_URL: db.current.url, WORKER_ID: id, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const worker: WorkerProcess = { id, child, exited, output: () => `stdout:\n${stdout}\nstderr:\n${stderr}` };
  children.push(worker);

  await Promise.race([
    waitFor(`worker ${id} to print "ready"`, () => stdout.includes("ready\n"), { timeoutMs: READY_TIMEOUT_MS, intervalMs: 20 }),
    exited.then((code) => {
      throw new Error(`worker ${id} exited with ${code} before it was ready\n${worker.output()}`);
    }),
  ]);
  return worker;
}

async function stopWorkerProcess(worker: WorkerProcess): Promise<void> {
  worker.child.kill("SIGTERM");
  const code = await worker.exited;
  expect(code, worker.output()).toBe(0);
  expect(worker.output()).toContain("stopped");
}

function isRunning(worker: WorkerProcess): boolean {
  return worker.child.exitCode === null && worker.child.signalCode === null;
}

beforeAll(async () => {
  await db.current.sql.unsafe(CREATE_EFFECTS_TABLE);
});

// Registered after freshDatabasePerFile, so it runs before the database is dropped, and runs even when a test failed.
afterAll(async () => {
  const running = children.filter(isRunning);
  for (const worker of running) worker.child.kill("SIGKILL");
  await Promise.all(running.map((worker) => worker.exited));
});

describe("worker processes", () => {
  it("two worker processes run 3000 jobs exactly once between them", async () => {
    const { sql } = db.current;
    const jobCount = 3000;
    const [a, b] = await Promise.all([
      startWorkerProcess("mp-a", { CONCURRENCY: "10" }),
      startWorkerProcess("mp-b", { CONCURRENCY: "10" }),
    ]);

    const enqueued = await enqueueJobs(
      sql,
      Array.from({ length: jobCount }, () => ({ kind: "count_effect" as const, payload: {} })),
      countingTasks,
    );
    expect(enqueued.every((job) => job.inserted)).toBe(true);

    await waitFor(
      "every job to complete",
      async () => {
        const [row] = await sql<{ done: number }[]>`
          select count(*)::int as done from grading_jobs where kind = 'count_effect' and status = 'completed'
        `;
        return row!.done === jobCount;
      },
      { timeoutMs: 40_000, intervalMs: 200 },
    );
    await Promise.all([stopWorkerProcess(a!), stopWorkerProcess(b!)]);

    const [effects] = await sql<{ total: number; distinct_jobs: number; unknown_jobs: number }[]>`
      select count(*)::int as total,
             count(distinct job_id)::int as distinct_jobs,
             count(*) filter (where job_id not in (select id from grading_jobs where kind = 'count_effect'))::int as unknown_jobs
      from test_job_effects
    `;
    expect(effects).toEqual({ total: jobCount, distinct_jobs: jobCount, unknown_jobs: 0 });

    const perWorker = await sql<{ worker_id: string; n: number }[]>`
      select worker_id, count(*)::int as n from test_job_effects group by worker_id order by worker_id
    `;
    expect(perWorker.map((row) => row.worker_id)).toEqual([a!.id, b!.id].sort());
    expect(perWorker.every((row) => row.n > 0)).toBe(true);

    const [attempts] = await sql<{ max: number; leased: number }[]>`
      select max(attempts)::int as max, count(lease_owner)::int as leased from grading_jobs where kind = 'count_effect'
    `;
    expect(attempts).toEqual({ max: 1, leased: 0 });
    // Both stopped cleanly, so neither is still registered.
    expect(await sql`select worker_id from grading_workers`).toHaveLength(0);
  });

  it("a job whose worker is killed with SIGKILL mid-run is run again by another worker, well before its lease runs out", async () => {
    const { sql } = db.current;
    const a = await startWorkerProcess("kill-a", { CONCURRENCY: "2", LEASE_MS: "30000" });
    const [job] = await enqueueJobs(sql, [{ kind: "count_effect", payload: { sleepMs: 60_000, sleepOnAttempt: 1 } }], countingTasks);
    const id = job!.jobId;
    const held = await waitFor(`job ${id} to be running on ${a.id}`, async () => {
      const row = (await getJobRow(sql, id)) as GradingJobRow;
      return row.status === "processing" && row.lease_owner === a.id ? row : null;
    });

    const b = await startWorkerProcess("kill-b", { CONCURRENCY: "2", LEASE_MS: "30000", RELEASE_INTERVAL_MS: "1000" });
    a.child.kill("SIGKILL");
    expect(await a.exited).toBeNull();

    // B's release_grading_leases() sees that A's sessions are gone; allow for slow machines.
    await waitFor(`job ${id} to complete on ${b.id}`, async () => (await getJobRow(sql, id)).status === "completed", {
      timeoutMs: 60_000,
      intervalMs: 100,
    });
    await stopWorkerProcess(b);

    const row = (await getJobRow(sql, id)) as GradingJobRow;
    expect(row).toMatchObject({ status: "completed", attempts: 2, lease_owner: null });
    expect(row.last_error).toMatch(`lease expired: worker ${a.id} stopped responding during attempt 1`);
    // Recovered by dead-worker detection, not by waiting out A's 30 s lease.
    expect(row.started_at!.getTime()).toBeLessThan(held.lease_expires_at!.getTime());
    const effects = await sql<{ worker_id: string }[]>`select worker_id from test_job_effects where job_id = ${id}`;
    expect(effects).toEqual([{ worker_id: b.id }]);

    // Nothing lost anywhere: every job of the file completed, each with exactly one effect.
    const [totals] = await sql<{ jobs: number; completed: number; effects: number; distinct_jobs: number }[]>`
      select (select count(*)::int from grading_jobs) as jobs,
             (select count(*)::int from grading_jobs where status = 'completed') as completed,
             (select count(*)::int from test_job_effects) as effects,
             (select count(distinct job_id)::int from test_job_effects) as distinct_jobs
    `;
    expect(totals!.completed).toBe(totals!.jobs);
    expect(totals!.effects).toBe(totals!.jobs);
    expect(totals!.distinct_jobs).toBe(totals!.jobs);
  });
});
