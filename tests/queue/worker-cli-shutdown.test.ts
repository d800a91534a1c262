import { execFileSync } from "node:child_process";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createSubmission } from "../../lib/submissions/create-submission";
import { createTestAssignment, identityOnlyRater, makeEssay } from "../helpers/grading";
import { freshDatabasePerFile } from "../helpers/db";
import { processGroupsKilledAfterAll, type GroupProcess } from "../helpers/process-group";
import { sleep, waitFor } from "../helpers/workers";
import { startFakeOpenAiServer, type FakeOpenAiServer } from "../support/fake-openai-server";

const db = freshDatabasePerFile();
const root = path.resolve(import.meta.dirname, "../..");
const TSX_CLI = path.join(root, "node_modules/tsx/dist/cli.mjs");
const LLM_LATENCY_MS = 2_500;

let llm: FakeOpenAiServer;

beforeAll(async () => {
  llm = await startFakeOpenAiServer({ latencyMs: LLM_LATENCY_MS });
});

// Each test starts from an empty queue and no registered workers: a worker would otherwise
// also run the jobs an earlier test handed back, and a worker told to exit now leaves its row.
beforeEach(async () => {
  await db.current.sql`delete from grading_jobs`;
  await db.current.sql`delete from grading_workers`;
});

afterAll(async () => {
  await llm.close();
});

const spawnGroup = processGroupsKilledAfterAll({ cwd: root });

/**
 * The worker as documented: `tsx scripts/process-grading-jobs.ts` (the tsx CLI, whose own
 * signal relay SIGKILLed busy workers), or `npm run worker`, in a process group of its own.
 */
function startCli(command: "tsx" | "npm", args: string[], extraEnv: Record<string, string> = {}): GroupProcess {
  const argv = command === "tsx" ? [TSX_CLI, "scripts/process-grading-jobs.ts", ...args] : ["run", "worker", "--", ...args];
  const env = {
    ...process.env,
    DATABASE_URL: db.current.url,
    OPENAI_API_KEY: "test-key",
    OPENAI_BASE_URL: llm.url,
    CI: "true",
    ...extraEnv,
  };
  return spawnGroup(command === "tsx" ? process.execPath : "npm", argv, env);
}

async function enqueueEssay(lines: number, seed: string): Promise<string> {
  const assignment = await createTestAssignment(db.current.sql);
  const created = await createSubmission(
    db.current.sql,
    { assignmentId: assignment.id, studentName: seed, text: makeEssay(lines, seed) },
    { rater: identityOnlyRater },
  );
  return created.id;
}

async function jobStates(submissionId: string) {
  return db.current.sql<{ id: number; status: string; attempts: number; lease_owner: string | null; last_error: string | null }[]>`
    select id, status, attempts, lease_owner, last_error from grading_jobs
    where kind = 'rate_lines' and payload ->> 'submissionId' = ${submissionId} order by id
  `;
}

async function registeredWorkers(): Promise<number> {
  const [row] = await db.current.sql<{ n: number }[]>`select count(*)::int as n from grading_workers`;
  return row!.n;
}

describe("the worker CLI stops cleanly", () => {
  it("on SIGTERM to the tsx CLI mid-job: running jobs finish, the others stay pending with no attempt counted, the worker deregisters, exit 0 (#7)", async () => {
    const submissionId = await enqueueEssay(40, "term"); // 8 rate_lines jobs
    const requestsBefore = llm.requests.length;
    const worker = startCli("tsx", ["--concurrency", "2"]);
    await waitFor("two LLM calls in flight", () => llm.requests.length - requestsBefore >= 2 && llm.inFlight >= 2, {
      timeoutMs: 30_000,
      intervalMs: 20,
    });
    expect(await registeredWorkers()).toBe(1);

    worker.child.kill("SIGTERM");
    const { code, signal } = await worker.exited;
    expect({ code, signal }, worker.output()).toEqual({ code: 0, signal: null });

    expect(await registeredWorkers()).toBe(0);
    const jobs = await jobStates(submissionId);
    // Nothing is left leased: no other worker runs here, so a lease expiry could not have done this.
    expect(jobs.filter((job) => job.status === "processing" || job.lease_owner !== null)).toEqual([]);
    expect(jobs.filter((job) => job.status === "completed")).toHaveLength(2);
    const handedBack = jobs.filter((job) => job.status === "pending");
    expect(handedBack).toHaveLength(6);
    // Never started: the attempt does not count.
    expect(handedBack.every((job) => job.attempts === 0)).toBe(true);
    expect(worker.output()).toMatch(/stopped: worker .* deregistered/);
  });

  it("a worker whose event loop is busy when SIGTERM reaches the tsx CLI still stops cleanly: exit 0, nothing held (#7)", async () => {
    // The tsx CLI SIGKILLs a child that does not acknowledge a relayed signal within 30 ms.
    const submissionId = await enqueueEssay(10, "busy");
    const requestsBefore = llm.requests.length;
    const worker = startCli("tsx", ["--concurrency", "2"], {
      NODE_OPTIONS: `--import ${path.join(root, "tests/fixtures/busy-event-loop.mjs")}`,
    });
    await waitFor("two LLM calls in flight", () => llm.requests.length - requestsBefore >= 2 && llm.inFlight >= 2, {
      timeoutMs: 30_000,
      intervalMs: 20,
    });

    worker.child.kill("SIGTERM");
    const { code, signal } = await worker.exited;
    expect({ code, signal }, worker.output()).toEqual({ code: 0, signal: null });
    expect(await registeredWorkers()).toBe(0);
    const jobs = await jobStates(submissionId);
    expect(jobs.map((job) => job.status)).toEqual(["completed", "completed"]);
  });

  it("when the grace runs out, the running jobs are released at once with their attempt counted, exit 0 (#7)", async () => {
    const submissionId = await enqueueEssay(10, "grace"); // 2 jobs
    const requestsBefore = llm.requests.length;
    const worker = startCli("tsx", ["--concurrency", "2", "--shutdown-grace", "300"]);
    await waitFor("two LLM calls in flight", () => llm.requests.length - requestsBefore >= 2 && llm.inFlight >= 2, {
      timeoutMs: 30_000,
      intervalMs: 20,
    });

    worker.child.kill("SIGTERM");
    const { code } = await worker.exited;
    expect(code, worker.output()).toBe(0);

    expect(await registeredWorkers()).toBe(0);
    const jobs = await jobStates(submissionId);
    expect(jobs.map((job) => [job.status, job.attempts, job.lease_owner])).toEqual([
      ["pending", 1, null],
      ["pending", 1, null],
    ]);
    expect(jobs[0]!.last_error).toMatch(/shut down during the attempt/);
  });

  it("Ctrl-C to `npm run worker` (the whole process group, npm forwarding it again) is one request: exit 0, jobs finished (#7)", async () => {
    const submissionId = await enqueueEssay(5, "npm"); // 1 job
    const requestsBefore = llm.requests.length;
    const worker = startCli("npm", ["--concurrency", "1"]);
    await waitFor("an LLM call in flight", () => llm.requests.length - requestsBefore >= 1 && llm.inFlight >= 1, {
      timeoutMs: 30_000,
      intervalMs: 20,
    });

    worker.signalGroup("SIGINT");
    const { code } = await worker.exited;
    expect(code, worker.output()).toBe(0);
    expect(await registeredWorkers()).toBe(0);
    expect((await jobStates(submissionId)).map((job) => job.status)).toEqual(["completed"]);
  });

  // The tsx CLI itself re-sends the signal when the relay's acknowledgement takes over 30 ms,
  // so the worker may see it twice within a second: one stop request, never "exit now".
  it("Ctrl-C to the tsx CLI's process group is one stop request for the worker: exit 0, job finished (#7)", async () => {
    const submissionId = await enqueueEssay(5, "tsx-group");
    const requestsBefore = llm.requests.length;
    const worker = startCli("tsx", ["--concurrency", "1"]);
    await waitFor("an LLM call in flight", () => llm.requests.length - requestsBefore >= 1 && llm.inFlight >= 1, {
      timeoutMs: 30_000,
      intervalMs: 20,
    });
    worker.signalGroup("SIGINT");
    const { code } = await worker.exited;
    expect(code, worker.output()).toBe(0);
    expect(worker.output()).not.toMatch(/exiting now/);
    expect(await registeredWorkers()).toBe(0);
    expect((await jobStates(submissionId)).map((job) => job.status)).toEqual(["completed"]);
  });

  it("a second signal more than a second after the first means now: exit 1 at once (#7)", async () => {
    await enqueueEssay(5, "force");
    const requestsBefore = llm.requests.length;
    const worker = startCli("tsx", ["--concurrency", "1"]);
    await waitFor("an LLM call in flight", () => llm.requests.length - requestsBefore >= 1 && llm.inFlight >= 1, {
      timeoutMs: 30_000,
      intervalMs: 20,
    });
    worker.child.kill("SIGTERM");
    await waitFor("the worker to start stopping", () => worker.output().includes("finishing running jobs"), { timeoutMs: 10_000 });
    await sleep(1_200);
    worker.child.kill("SIGTERM");
    const { code } = await worker.exited;
    expect(code, worker.output()).toBe(1);
    expect(worker.output()).toContain("SIGTERM again: exiting now");
  });

  it("when the tsx relay is SIGKILLed, the worker stops itself cleanly and deregisters (#7)", async () => {
    const submissionId = await enqueueEssay(5, "orphan");
    const requestsBefore = llm.requests.length;
    const worker = startCli("tsx", ["--concurrency", "1"]);
    await waitFor("an LLM call in flight", () => llm.requests.length - requestsBefore >= 1 && llm.inFlight >= 1, {
      timeoutMs: 30_000,
      intervalMs: 20,
    });
    // tsx CLI → relay (this script under the tsx preflight) → the worker, in a group of its own.
    const relayPid = Number(
      execFileSync("ps", ["-o", "pid=", "--ppid", String(worker.child.pid)])
        .toString()
        .trim()
        .split("\n")[0],
    );
    process.kill(relayPid, "SIGKILL");
    await waitFor("the orphaned worker to deregister", async () => (await registeredWorkers()) === 0, {
      timeoutMs: 30_000,
      intervalMs: 100,
    });
    expect(worker.output()).toContain("the process that started this one is gone; stopping");
    await waitFor("its job to be finished", async () => (await jobStates(submissionId)).every((job) => job.status === "completed"), {
      timeoutMs: 10_000,
    });
  });

  it("--once stops on SIGTERM too: no more claims, the running job finishes, the rest stay pending, exit 0 (#7)", async () => {
    const submissionId = await enqueueEssay(20, "once"); // 4 jobs
    const requestsBefore = llm.requests.length;
    const worker = startCli("tsx", ["--once", "--concurrency", "1"]);
    await waitFor("an LLM call in flight", () => llm.requests.length - requestsBefore >= 1 && llm.inFlight >= 1, {
      timeoutMs: 30_000,
      intervalMs: 20,
    });
    worker.child.kill("SIGTERM");
    const { code } = await worker.exited;
    expect(code, worker.output()).toBe(0);
    const jobs = await jobStates(submissionId);
    expect(jobs.filter((job) => job.status === "processing" || job.lease_owner !== null)).toEqual([]);
    expect(jobs.filter((job) => job.status === "completed")).toHaveLength(1);
    expect(await registeredWorkers()).toBe(0);
  });

  it("against a database without the queue schema, says once what to run and exits 1 (#7)", async () => {
    const url = new URL(db.current.url);
    url.pathname = "/postgres";
    const worker = spawnGroup(process.execPath, ["--import", "tsx", "scripts/process-grading-jobs.ts"], {
      ...process.env,
      DATABASE_URL: url.toString(),
    });
    const { code } = await worker.exited;
    expect(code, worker.output()).toBe(1);
    expect(worker.output()).toContain("npm run db:migrate");
    expect(worker.output().match(/claim_grading_jobs/g)).toHaveLength(1);
  });
});
