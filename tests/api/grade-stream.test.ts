import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { countRows, freshDatabasePerFile } from "../helpers/db";
import { createTestAssignment, makeEssay } from "../helpers/grading";
import { readSse, startApp, type RunningApp } from "../helpers/next-server";
import { startFakeOpenAiServer, type FakeOpenAiServer } from "../support/fake-openai-server";

const db = freshDatabasePerFile();
let app: RunningApp;
let llm: FakeOpenAiServer;
let assignmentId: string;

beforeAll(async () => {
  // Staggered answers, so ratings land in separate batches and partial states are observable.
  llm = await startFakeOpenAiServer({ latencyMs: ({ requestNumber }) => 100 + (requestNumber % 3) * 200 });
  app = await startApp({
    DATABASE_URL: db.current.url,
    OPENAI_API_KEY: "test-key",
    OPENAI_BASE_URL: llm.url,
    OPENAI_MODEL: "gpt-4o-mini",
    CRON_SECRET: "test-cron-secret-0123456789",
    GRADING_CONCURRENCY: "4",
  });
  assignmentId = (await createTestAssignment(db.current.sql)).id;
});
afterAll(async () => {
  await app?.stop();
  await llm?.close();
});

function postEssay(body: unknown, init: RequestInit = {}) {
  return fetch(`${app.url}/api/grade/stream`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: typeof body === "string" || body instanceof Uint8Array ? (body as BodyInit) : JSON.stringify(body),
    ...init,
  });
}

describe("POST /api/grade/stream", () => {
  it("streams every line event and a final graded event", async () => {
    const response = await postEssay({ assignmentId, studentName: "Ada", text: makeEssay(12, "stream") });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/text\/event-stream/);
    const events = await readSse(response, (event) => event.event === "graded" || event.event === "failed");

    expect(events[0]!.event).toBe("submission");
    const lines = events.filter((event) => event.event === "line");
    expect(lines).toHaveLength(12);
    expect(new Set(lines.map((event) => (event.data as { lineIndex: number }).lineIndex)).size).toBe(12);
    // ids increase: they are the submission's event numbers, usable as Last-Event-ID
    const ids = lines.map((event) => Number(event.id));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    const progress = events.filter((event) => event.event === "progress").map((event) => event.data as { rated: number; total: number });
    expect(progress.at(-1)).toMatchObject({ rated: 12, total: 12 });
    expect(progress.some((p) => p.rated > 0 && p.rated < 12)).toBe(true); // partial results arrived before the end
    const graded = events.at(-1)!;
    expect(graded.event).toBe("graded");
    expect((graded.data as { criteria: unknown[] }).criteria).toHaveLength(2);
  });

  it("resuming with Last-Event-ID delivers only what was missed", async () => {
    const response = await postEssay({ assignmentId, studentName: "Bo", text: makeEssay(10, "resume") });
    const submissionId = response.headers.get("x-submission-id")!;
    // Disconnect after the first three line events.
    const early = await readSse(response, (_event, all) => all.filter((e) => e.event === "line").length === 3);
    const seen = early.filter((event) => event.event === "line");
    const lastEventId = seen.at(-1)!.id!;

    const resumed = await fetch(`${app.url}/api/submissions/${submissionId}/events`, { headers: { "Last-Event-ID": lastEventId } });
    expect(resumed.status).toBe(200);
    const rest = await readSse(resumed, (event) => event.event === "graded" || event.event === "failed");
    const restLines = rest.filter((event) => event.event === "line");
    const seenIndexes = seen.map((event) => (event.data as { lineIndex: number }).lineIndex);
    const restIndexes = restLines.map((event) => (event.data as { lineIndex: number }).lineIndex);
    expect(restIndexes.some((index) => seenIndexes.includes(index))).toBe(false);
    expect([...seenIndexes, ...restIndexes].sort((a, b) => a - b)).toEqual([...Array(10).keys()]);
    expect(rest.at(-1)!.event).toBe("graded");

    const state = await (await fetch(`${app.url}/api/submissions/${submissionId}`)).json();
    expect(state.status).toBe("graded");
    expect(state.progress).toEqual({ rated: 10, total: 10 });
    expect(state.lines[0].rating.rater).toBe("openai:gpt-4o-mini");
  });

  it("answers bad input with a 4xx and a message, and writes nothing", async () => {
    const before = await countRows(db.current.sql, "submissions");
    const cases: Array<[unknown, number, RegExp]> = [
      [{ assignmentId, studentName: "Cy", text: "   \n  " }, 422, /empty/],
      [{ assignmentId, studentName: "Cy", text: "x".repeat(101 * 1024) }, 413, /too long|too large/],
      [{ assignmentId: "00000000-0000-4000-8000-0000000000ff", studentName: "Cy", text: "Hello there." }, 404, /No assignment/],
      [{ assignmentId: "not-a-uuid", studentName: "Cy", text: "Hello there." }, 400, /assignmentId/],
      [{ assignmentId, text: "Hello there." }, 400, /studentName/],
      ["{not json", 400, /not valid JSON/],
      [new Uint8Array([0x7b, 0x22, 0x61, 0xff, 0xfe, 0x22, 0x7d]), 400, /UTF-8/],
    ];
    for (const [body, status, message] of cases) {
      const response = await postEssay(body);
      expect(response.status, JSON.stringify(body).slice(0, 60)).toBe(status);
      const json = await response.json();
      expect(json.error.message).toMatch(message);
    }
    expect(await countRows(db.current.sql, "submissions")).toBe(before);
  });

  it("GET /api/submissions/:id answers 404 for an unknown id and 400 for a malformed one", async () => {
    expect((await fetch(`${app.url}/api/submissions/00000000-0000-4000-8000-0000000000aa`)).status).toBe(404);
    const malformed = await fetch(`${app.url}/api/submissions/abc`);
    expect(malformed.status).toBe(400);
    expect((await malformed.json()).error.message).toMatch(/UUID/);
  });
});

describe("GET /api/grading/process (Vercel Cron)", () => {
  it("refuses a request without the secret", async () => {
    const response = await fetch(`${app.url}/api/grading/process`);
    expect(response.status).toBe(401);
    const wrong = await fetch(`${app.url}/api/grading/process`, { headers: { authorization: "Bearer nope" } });
    expect(wrong.status).toBe(401);
  });

  it("with the secret, drains the queue and reports counts", async () => {
    const jobs = await db.current.sql<{ job_id: number }[]>`
      select job_id from enqueue_grading_jobs(${db.current.sql.json([{ kind: "noop" }, { kind: "noop" }, { kind: "noop" }] as never)})
    `;
    const response = await fetch(`${app.url}/api/grading/process`, { headers: { authorization: "Bearer test-cron-secret-0123456789" } });
    expect(response.status).toBe(200);
    const summary = await response.json();
    expect(summary).toMatchObject({ remaining: 0, failed: 0 });
    expect(summary.completed).toBeGreaterThanOrEqual(3);
    expect(summary.claimed).toBeGreaterThanOrEqual(3);
    expect(typeof summary.ms).toBe("number");
    const statuses = await db.current.sql<
      { status: string }[]
    >`select status from grading_jobs where id = any(${jobs.map((j) => j.job_id)}::bigint[])`;
    expect(statuses.every((row) => row.status === "completed")).toBe(true);
  });
});

describe("job status API", () => {
  it("shows a job's status and timings, cancels and retries it, and explains refusals", async () => {
    const [job] = await db.current.sql<{ job_id: number }[]>`
      select job_id from enqueue_grading_jobs(${db.current.sql.json([{ kind: "noop", run_at: new Date(Date.now() + 3_600_000).toISOString() }] as never)})
    `;
    const id = job!.job_id;
    const shown = await (await fetch(`${app.url}/api/jobs/${id}`)).json();
    expect(shown).toMatchObject({ id, kind: "noop", status: "pending", attempts: 0 });
    expect(shown.timings.queueMs).toBeGreaterThanOrEqual(0);

    const cancelled = await fetch(`${app.url}/api/jobs/${id}/cancel`, { method: "POST" });
    expect(cancelled.status).toBe(200);
    expect((await cancelled.json()).status).toBe("cancelled");
    const cancelAgain = await fetch(`${app.url}/api/jobs/${id}/cancel`, { method: "POST" });
    expect(cancelAgain.status).toBe(409);
    expect((await cancelAgain.json()).error.message).toMatch(/cancelled job cannot be cancelled/);

    const retried = await fetch(`${app.url}/api/jobs/${id}/retry`, { method: "POST" });
    expect(retried.status).toBe(200);
    expect(await retried.json()).toMatchObject({ status: "pending", attempts: 0 });

    expect((await fetch(`${app.url}/api/jobs/999999999`)).status).toBe(404);
    expect((await fetch(`${app.url}/api/jobs/abc`)).status).toBe(400);
  });
});
