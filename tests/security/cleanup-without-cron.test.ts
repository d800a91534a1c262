import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freshDatabasePerFile, insertJob } from "../helpers/db";
import { createTestAssignment, makeEssay } from "../helpers/grading";
import { startApp, type RunningApp } from "../helpers/next-server";
import { processGroupsKilledAfterAll } from "../helpers/process-group";
import { waitFor } from "../helpers/workers";
import { existing, submissionAged } from "./support";

// Cleanup without a cron (#9): `npm start` and self-hosted workers never call the cron
// route, so finished jobs and students' work past RETENTION_DAYS were kept forever. The
// worker now cleans up on a timer, and the web app's inline drain at most as often.

const db = freshDatabasePerFile();
const root = path.resolve(import.meta.dirname, "../..");
const spawnGroup = processGroupsKilledAfterAll({ cwd: root });
const CRON_SECRET = "retention-cron-secret-0123456789";
let assignmentId: string;
let app: RunningApp | null = null;

beforeAll(async () => {
  assignmentId = (await createTestAssignment(db.current.sql)).id;
});
afterAll(async () => {
  await app?.stop();
});

async function oldFinishedNoopJob(): Promise<number> {
  const id = await insertJob(db.current.sql, { kind: "noop" });
  await db.current.sql`update grading_jobs set status = 'completed', finished_at = now() - interval '2 days' where id = ${id}`;
  return id;
}

const jobExists = async (id: number) => (await db.current.sql`select 1 from grading_jobs where id = ${id}`).length > 0;

describe("the worker cleans up by itself (#9)", () => {
  it("at start and then every CLEANUP_INTERVAL_MS: old finished jobs, and submissions past RETENTION_DAYS", async () => {
    const oldJob = await oldFinishedNoopJob();
    const old = await submissionAged(db.current.sql, assignmentId, { name: "Worker old", daysAgo: 45 });
    const recent = await submissionAged(db.current.sql, assignmentId, { name: "Worker recent", daysAgo: 5 });
    const worker = spawnGroup(process.execPath, ["--import", "tsx", "scripts/process-grading-jobs.ts", "--kinds", "noop"], {
      ...process.env,
      DATABASE_URL: db.current.url,
      RETENTION_DAYS: "30",
      CLEANUP_INTERVAL_MS: "1000",
      CI: "true",
    });
    try {
      await waitFor(
        "the first cleanup",
        async () => !(await jobExists(oldJob)) && (await existing(db.current.sql, "submissions", [old])).length === 0,
        {
          timeoutMs: 30_000,
          intervalMs: 200,
        },
      );
      await waitFor("the worker's cleanup line", () =>
        /cleanup: deleted \d+ finished jobs, 0 cold cache entries, 1 submission older than 30 days\./.test(worker.output()),
      );

      // The timer goes round again: what ages past retention later goes too.
      const later = await submissionAged(db.current.sql, assignmentId, { name: "Worker later", daysAgo: 31 });
      await waitFor("a later cleanup", async () => (await existing(db.current.sql, "submissions", [later])).length === 0, {
        timeoutMs: 15_000,
        intervalMs: 200,
      });
      expect(await existing(db.current.sql, "submissions", [recent])).toEqual([recent]);
    } finally {
      worker.signalGroup("SIGTERM");
    }
    expect(await worker.exited).toEqual({ code: 0, signal: null });
  });
});

describe("the web app cleans up too (#9)", () => {
  it("its inline drain cleans up at most once per interval, and the cron tick whenever it runs", async () => {
    app = await startApp({ DATABASE_URL: db.current.url, RETENTION_DAYS: "30", CRON_SECRET });
    const submit = async (name: string) => {
      const response = await fetch(`${app!.url}/api/submissions`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ assignmentId, studentName: name, text: makeEssay(3, name) }),
      });
      expect(response.status).toBe(201);
      return ((await response.json()) as { id: string }).id;
    };
    const graded = async (id: string) =>
      ((await (await fetch(`${app!.url}/api/submissions/${id}`)).json()) as { status: string }).status === "graded";

    const first = await submissionAged(db.current.sql, assignmentId, { name: "App old 1", daysAgo: 60 });
    const firstNew = await submit("App new 1");
    await waitFor("the first request's cleanup", async () => (await existing(db.current.sql, "submissions", [first])).length === 0, {
      timeoutMs: 20_000,
      intervalMs: 200,
    });
    await waitFor("the first essay graded", () => graded(firstNew), { timeoutMs: 30_000, intervalMs: 200 });

    // Not due again for ten minutes: the next request's drain leaves it.
    const second = await submissionAged(db.current.sql, assignmentId, { name: "App old 2", daysAgo: 60 });
    const secondNew = await submit("App new 2");
    await waitFor("the second essay graded", () => graded(secondNew), { timeoutMs: 30_000, intervalMs: 200 });
    expect(await existing(db.current.sql, "submissions", [second])).toEqual([second]);

    const tick = await fetch(`${app.url}/api/grading/process`, { headers: { authorization: `Bearer ${CRON_SECRET}` } });
    expect(tick.status).toBe(200);
    expect(await tick.json()).toMatchObject({ purgedSubmissions: 1 });
    expect(await existing(db.current.sql, "submissions", [second, firstNew, secondNew])).toEqual([firstNew, secondNew].sort());
  });
});
