import { spawn } from "node:child_process";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { monitoringStatsSchema, type MonitoringStats } from "../../lib/monitoring/monitoring-stats-schema";
import { freshDatabasePerFile } from "../helpers/db";
import { freePort, startApp, type RunningApp } from "../helpers/next-server";

const db = freshDatabasePerFile();
let app: RunningApp;

beforeAll(async () => {
  app = await startApp({ DATABASE_URL: db.current.url });
});
afterAll(async () => {
  await app?.stop();
});

async function getStats(): Promise<MonitoringStats> {
  const response = await fetch(`${app.url}/api/monitoring/stats`);
  expect(response.status).toBe(200);
  expect(response.headers.get("cache-control")).toMatch(/no-store/);
  return monitoringStatsSchema.parse(await response.json());
}

describe("GET /api/monitoring/stats", () => {
  it("returns the queue, failures and LLM numbers for the rows in the database", async () => {
    const sql = db.current.sql;
    const [failed, completed, pending] = await sql<{ job_id: number }[]>`
      select job_id from enqueue_grading_jobs(${sql.json([{ kind: "noop" }, { kind: "noop" }, { kind: "noop" }] as never)})
    `;
    await sql`update grading_jobs set status = 'failed', attempts = 3, finished_at = now(), last_error = 'the rater timed out' where id = ${failed!.job_id}`;
    await sql`update grading_jobs set status = 'completed', attempts = 1, finished_at = now() where id = ${completed!.job_id}`;
    await sql`update grading_jobs set run_at = now() - interval '2 minutes' where id = ${pending!.job_id}`;
    await sql`
      insert into llm_calls (purpose, rater, model, prompt_tokens, completion_tokens, cost_usd) values
        ('rate_lines', 'openai:gpt-4o-mini', 'gpt-4o-mini', 1200, 300, 0.25),
        ('rate_lines', 'openai:gpt-4o-mini', 'gpt-4o-mini', 800, 100, 0.125)
    `;

    const stats = await getStats();
    expect(stats.queue.byStatus).toEqual({ runnable: 1, delayed: 0, processing: 0, failed: 1, completed: 1, cancelled: 0 });
    expect(stats.queue.oldestPendingAgeSeconds).toBeGreaterThanOrEqual(120);
    expect(stats.recentFailures).toEqual([
      expect.objectContaining({ id: failed!.job_id, kind: "noop", attempts: 3, lastError: "the rater timed out", submissionId: null }),
    ]);
    expect(stats.throughput).toHaveLength(60);
    // Summed, not read from the last bucket: a minute may turn between the update and the GET.
    expect(stats.throughput.reduce((sum, b) => sum + b.completed, 0)).toBe(1);
    expect(stats.throughput.reduce((sum, b) => sum + b.failed, 0)).toBe(1);
    expect(stats.llm.last24h).toEqual({
      calls: 2,
      promptTokens: 2000,
      completionTokens: 400,
      costUsd: 0.375,
      unanswered: 0,
      estimatedPromptTokens: 0,
      estimatedCostUsd: 0,
    });
    expect(stats.llm.byModel).toEqual([expect.objectContaining({ model: "gpt-4o-mini" })]);
  });

  it("a failed job it lists can be retried through the job API and then shows as pending", async () => {
    const before = await getStats();
    const failure = before.recentFailures[0]!;

    // Cancelling a failed job is refused with a 409 whose message the page shows.
    const refused = await fetch(`${app.url}/api/jobs/${failure.id}/cancel`, { method: "POST" });
    expect(refused.status).toBe(409);
    expect((await refused.json()).error.message).toBe("A failed job cannot be cancelled.");

    const retried = await fetch(`${app.url}/api/jobs/${failure.id}/retry`, { method: "POST" });
    expect(retried.status).toBe(200);
    expect(await retried.json()).toMatchObject({ id: failure.id, status: "pending", attempts: 0 });

    const after = await getStats();
    expect(after.recentFailures.map((f) => f.id)).not.toContain(failure.id);
    expect(after.queue.byStatus).toMatchObject({ failed: before.queue.byStatus.failed - 1, runnable: before.queue.byStatus.runnable + 1 });
  });

  it("GET /monitor renders the numbers on the server", async () => {
    const response = await fetch(`${app.url}/monitor`);
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain("Jobs by kind and status");
    expect(html).toContain("Throughput, last hour");
    expect(html).toContain("No failures — all clear");
    expect(html).toMatch(/<a href="\/monitor">Monitor<\/a>/);
  });

  it("/monitor shows LLM requests that got no answer, with their estimated prompt tokens (#7)", async () => {
    await db.current.sql`
      insert into llm_calls (purpose, rater, model, status, prompt_tokens_estimate, cost_usd_estimate)
      values ('rate_lines', 'openai:gpt-4o-mini', 'gpt-4o-mini', 'sent', 1234, 0.000185)
    `;
    const stats = await getStats();
    expect(stats.llm.last24h).toMatchObject({ calls: 3, unanswered: 1, estimatedPromptTokens: 1234 });
    // React separates adjacent text with <!-- --> in server-rendered HTML.
    const html = (await (await fetch(`${app.url}/monitor`)).text()).replaceAll("<!-- -->", "");
    expect(html).toMatch(/1 without an answer: ≈1,234 prompt tokens, ≈\$0\.0002 \(estimated, not in the cost\)/);
  });
});

describe("with the database unreachable", () => {
  let url: string;
  let stop: () => Promise<void>;

  beforeAll(async () => {
    // `next start` against a port nobody listens on. startApp waits for /api/health to be
    // healthy, which it never is here, so wait for the server to answer at all.
    const root = path.resolve(import.meta.dirname, "../..");
    const [appPort, deadPort] = [await freePort(), await freePort()];
    const child = spawn(
      process.execPath,
      [path.join(root, "node_modules/next/dist/bin/next"), "start", "-p", String(appPort), "-H", "127.0.0.1"],
      {
        cwd: root,
        env: {
          ...process.env,
          NODE_ENV: "production",
          NEXT_TELEMETRY_DISABLED: "1",
          DATABASE_URL: `postgres://postgres:postgres@127.0.0.1:${deadPort}/nowhere`,
        },
        stdio: "ignore",
      },
    );
    url = `http://127.0.0.1:${appPort}`;
    stop = async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      await exited;
    };
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`next start exited with ${child.exitCode}`);
      const answered = await fetch(`${url}/api/health`).then(
        () => true,
        () => false,
      );
      if (answered) break;
      if (Date.now() > deadline) throw new Error("next start did not answer in 30 s");
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
  });
  afterAll(async () => {
    await stop?.();
  });

  it("the stats API answers 503 with a message an operator can act on", async () => {
    const response = await fetch(`${url}/api/monitoring/stats`);
    expect(response.status).toBe(503);
    const body = await response.json();
    expect(body.error.message).toMatch(/database could not be reached \(ECONNREFUSED\)/);
  });

  it("/monitor still renders, with that message instead of numbers", async () => {
    const response = await fetch(`${url}/monitor`);
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain("The monitor cannot show any numbers right now.");
    expect(html).toContain("ECONNREFUSED");
  });
});
