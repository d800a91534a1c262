import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freshDatabasePerFile } from "../helpers/db";
import { createTestAssignment, makeEssay } from "../helpers/grading";
import { startApp, type RunningApp } from "../helpers/next-server";
import { waitFor } from "../helpers/workers";
import { startFakeOpenAiServer, type FakeOpenAiServer } from "../support/fake-openai-server";

const db = freshDatabasePerFile();
let app: RunningApp;
let llm: FakeOpenAiServer;
let assignmentId: string;
const LEASE_MS = 30_000; // DEFAULT_LEASE_MS: the slow path these jobs must not wait for

beforeAll(async () => {
  // Slow answers: the request's inline drain is mid-call when the server is killed.
  llm = await startFakeOpenAiServer({ latencyMs: 60_000 });
  app = await startApp({
    DATABASE_URL: db.current.url,
    OPENAI_API_KEY: "test-key",
    OPENAI_BASE_URL: llm.url,
    GRADING_CONCURRENCY: "2",
  });
  assignmentId = (await createTestAssignment(db.current.sql)).id;
});

afterAll(async () => {
  await app?.stop("SIGKILL");
  await llm?.close();
});

describe("a next start killed during its inline drain", () => {
  it("has its jobs released within seconds by anyone recovering leases, not after the 30 s lease (#7)", async () => {
    const { sql } = db.current;
    const response = await fetch(`${app.url}/api/grade/stream`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ assignmentId, studentName: "Kai", text: makeEssay(10, "inline") }),
    });
    expect(response.status).toBe(200);
    await waitFor("the inline drain's LLM calls in flight", () => llm.inFlight >= 2, { timeoutMs: 20_000 });

    // The drain is registered under the server process's sessions while it runs.
    const drains = await sql<{ worker_id: string; application_name: string }[]>`select worker_id, application_name from grading_workers`;
    expect(drains).toHaveLength(1);
    expect(drains[0]!.worker_id).toMatch(/^drain-/);
    expect(drains[0]!.application_name).toMatch(/^gradeline-app /);
    const [held] = await sql<
      { n: number }[]
    >`select count(*)::int as n from grading_jobs where status = 'processing' and lease_owner = ${drains[0]!.worker_id}`;
    expect(held!.n).toBe(2);

    await app.stop("SIGKILL");
    const killedAt = Date.now();
    // What every worker, drain and cron tick does each second.
    await waitFor(
      "the killed drain's jobs to be pending again",
      async () => {
        await sql`select release_grading_leases(null)`;
        const [row] = await sql<{ n: number }[]>`select count(*)::int as n from grading_jobs where status = 'processing'`;
        return row!.n === 0;
      },
      { timeoutMs: LEASE_MS / 2, intervalMs: 250 },
    );
    expect(Date.now() - killedAt).toBeLessThan(LEASE_MS / 2);
    const jobs = await sql<{ status: string; attempts: number; last_error: string | null }[]>`
      select status, attempts, last_error from grading_jobs where kind = 'rate_lines' order by id
    `;
    expect(jobs.map((job) => [job.status, job.attempts])).toEqual([
      ["pending", 1],
      ["pending", 1],
    ]);
    expect(await sql`select 1 from grading_workers`).toHaveLength(0);
  });
});
