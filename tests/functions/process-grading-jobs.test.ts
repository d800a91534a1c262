import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { handleProcessGradingJobs } from "../../supabase/functions/process-grading-jobs/handler.ts";
import { freshDatabasePerFile } from "../helpers/db";
import { startApp, type RunningApp } from "../helpers/next-server";

const SECRET = "edge-cron-secret-0123456789";
const db = freshDatabasePerFile();
let app: RunningApp;

beforeAll(async () => {
  app = await startApp({ DATABASE_URL: db.current.url, CRON_SECRET: SECRET });
});
afterAll(async () => {
  await app?.stop();
});

const tick = (authorization?: string) =>
  new Request("http://edge.local/process-grading-jobs", { method: "POST", headers: authorization ? { authorization } : {} });

describe("Edge Function process-grading-jobs (its handler, against the real app over HTTP)", () => {
  it("asks the app to drain and returns the app's summary", async () => {
    await db.current.sql`select * from enqueue_grading_jobs('[{"kind":"noop"},{"kind":"noop"}]'::jsonb)`;
    const response = await handleProcessGradingJobs(tick(`Bearer ${SECRET}`), { GRADELINE_APP_URL: app.url, CRON_SECRET: SECRET });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { summary: { completed: number; remaining: number } };
    expect(body.summary.completed).toBeGreaterThanOrEqual(2);
    expect(body.summary.remaining).toBe(0);
  });

  it("refuses callers without the secret, and says what is missing when unconfigured", async () => {
    expect((await handleProcessGradingJobs(tick(), { GRADELINE_APP_URL: app.url, CRON_SECRET: SECRET })).status).toBe(401);
    const unconfigured = await handleProcessGradingJobs(tick(`Bearer ${SECRET}`), {});
    expect(unconfigured.status).toBe(503);
    expect(((await unconfigured.json()) as { error: { message: string } }).error.message).toMatch(/GRADELINE_APP_URL/);
  });

  it("compares the secret in constant time and still refuses every near miss: a prefix, a longer or shorter guess, another case, non-ASCII (#9)", async () => {
    const env = { GRADELINE_APP_URL: app.url, CRON_SECRET: SECRET };
    const nearMisses = [
      `Bearer ${SECRET.slice(0, -1)}`,
      `Bearer ${SECRET}x`,
      `Bearer ${SECRET.slice(0, -1)}${SECRET.at(-1) === "9" ? "8" : "9"}`,
      `Bearer ${SECRET.toUpperCase()}`,
      `bearer ${SECRET}`,
      `Bearer ${SECRET.slice(0, -1)}é`,
      "Bearer ",
      SECRET,
    ];
    for (const authorization of nearMisses) {
      const response = await handleProcessGradingJobs(tick(authorization), env);
      expect(response.status, authorization).toBe(401);
      expect(((await response.json()) as { error: { message: string } }).error.message).toMatch(/Authorization: Bearer <CRON_SECRET>/);
    }
    // A secret beyond ASCII (headers carry Latin-1) is compared byte for byte, and its own value passes.
    const unicode = "geheimnis-überall-0123456789";
    const response = await handleProcessGradingJobs(tick(`Bearer ${unicode}`), {
      GRADELINE_APP_URL: "http://127.0.0.1:9",
      CRON_SECRET: unicode,
    });
    expect(response.status).toBe(502); // past the guard: the (unreachable) app was asked
  });

  it("reports an app that refuses the secret or cannot be reached as 502 with the reason", async () => {
    const refused = await handleProcessGradingJobs(tick("Bearer wrong-secret-0123456789"), {
      GRADELINE_APP_URL: app.url,
      CRON_SECRET: "wrong-secret-0123456789",
    });
    expect(refused.status).toBe(502);
    expect(((await refused.json()) as { error: { message: string } }).error.message).toMatch(/CRON_SECRET/);
    const unreachable = await handleProcessGradingJobs(tick(`Bearer ${SECRET}`), {
      GRADELINE_APP_URL: "http://127.0.0.1:9",
      CRON_SECRET: SECRET,
    });
    expect(unreachable.status).toBe(502);
  });
});
