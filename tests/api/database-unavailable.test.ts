import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { countRows, freshDatabasePerFile } from "../helpers/db";
import { createTestAssignment, makeEssay } from "../helpers/grading";
import { readSse, startApp, type RunningApp } from "../helpers/next-server";
import { waitFor } from "../helpers/workers";
import { startTcpProxy, type TcpProxy } from "../support/tcp-proxy";

// The app reaches its database through a proxy this file owns: cutting the proxy is the
// database going down (open connections drop, new ones are refused), without stopping
// the Postgres server the other test files share.
const db = freshDatabasePerFile();
let proxy: TcpProxy;
let app: RunningApp;
let assignmentId: string;

/** What the driver's messages carry and a response must not: where the database is. */
const hiddenWords = () => ["127.0.0.1", "localhost", String(proxy.port), "gradeline_test_"];

beforeAll(async () => {
  const target = new URL(db.current.url);
  proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port) });
  const viaProxy = new URL(db.current.url);
  viaProxy.port = String(proxy.port);
  // No OPENAI_API_KEY: the offline rater grades, so nothing but the database can fail here.
  app = await startApp({ DATABASE_URL: viaProxy.toString(), GRADING_CONCURRENCY: "2" });
  assignmentId = (await createTestAssignment(db.current.sql)).id;
});
afterAll(async () => {
  await app?.stop();
  await proxy?.close();
});

async function withDatabaseDown(run: () => Promise<void>): Promise<void> {
  await proxy.cut();
  try {
    await run();
  } finally {
    await proxy.restore();
  }
}

async function waitUntilGraded(path: string): Promise<void> {
  await waitFor(
    `${path} to finish grading`,
    async () => {
      const state = (await (await fetch(`${app.url}${path}`)).json()) as { status: string };
      return state.status === "graded" || state.status === "completed";
    },
    { timeoutMs: 30_000, intervalMs: 100 },
  );
}

function essayForm(): FormData {
  const form = new FormData();
  form.set("assignmentId", assignmentId);
  form.append("files", new File([makeEssay(3, "class")], "maria_lopez.txt", { type: "text/plain" }));
  return form;
}

describe("a database that is down (#7)", () => {
  it("answers every API route with 503, Retry-After and a sentence that names no host, and loses nothing stored (#7)", async () => {
    const { sql } = db.current;
    const stored = await fetch(`${app.url}/api/submissions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ assignmentId, studentName: "Ada", text: makeEssay(4, "stored") }),
    });
    expect(stored.status).toBe(201);
    const submissionId = ((await stored.json()) as { id: string }).id;
    const session = await fetch(`${app.url}/api/sessions`, { method: "POST", body: essayForm() });
    expect(session.status).toBe(201);
    const sessionId = ((await session.json()) as { id: string }).id;
    await waitUntilGraded(`/api/submissions/${submissionId}`);
    await waitUntilGraded(`/api/sessions/${sessionId}`);
    const before = await (await fetch(`${app.url}/api/submissions/${submissionId}`)).json();
    const [job] = await sql<{ id: number }[]>`select id from grading_jobs order by id limit 1`;
    const rowsBefore = {
      submissions: await countRows(sql, "submissions"),
      jobs: await countRows(sql, "grading_jobs"),
      sessions: await countRows(sql, "grading_sessions"),
    };

    const json = { "content-type": "application/json" };
    const requests: Array<[string, string, RequestInit?]> = [
      [
        "submit and stream",
        "/api/grade/stream",
        { method: "POST", headers: json, body: JSON.stringify({ assignmentId, studentName: "Bo", text: "Schools should start later." }) },
      ],
      [
        "submit",
        "/api/submissions",
        { method: "POST", headers: json, body: JSON.stringify({ assignmentId, studentName: "Bo", text: "Schools should start later." }) },
      ],
      ["grade a class", "/api/sessions", { method: "POST", body: essayForm() }],
      ["read a submission", `/api/submissions/${submissionId}`],
      ["resume a submission's events", `/api/submissions/${submissionId}/events`],
      ["retry a submission", `/api/submissions/${submissionId}/retry`, { method: "POST" }],
      ["list sessions", "/api/sessions"],
      ["read a session", `/api/sessions/${sessionId}`],
      ["follow a session", `/api/sessions/${sessionId}/events`],
      ["export a session", `/api/sessions/${sessionId}/export`],
      ["read a job", `/api/jobs/${job!.id}`],
      ["retry a job", `/api/jobs/${job!.id}/retry`, { method: "POST" }],
      ["list assignments", "/api/assignments"],
      ["read an assignment", `/api/assignments/${assignmentId}`],
    ];

    await withDatabaseDown(async () => {
      for (const [what, path, init] of requests) {
        const response = await fetch(`${app.url}${path}`, init);
        const text = await response.text();
        expect(response.status, `${what}: ${text}`).toBe(503);
        expect(Number(response.headers.get("retry-after")), what).toBeGreaterThan(0);
        expect(JSON.parse(text), what).toEqual({
          error: { code: "unavailable", message: "The database is not answering right now; try again in a few seconds." },
        });
      }
      // The operator's routes keep their own words, still with the retry hint and no host;
      // /api/health says only "unavailable" (#9).
      for (const path of ["/api/health", "/api/monitoring/stats"]) {
        const response = await fetch(`${app.url}${path}`);
        const text = await response.text();
        expect(response.status, path).toBe(503);
        expect(Number(response.headers.get("retry-after")), path).toBeGreaterThan(0);
        if (path === "/api/health") expect(JSON.parse(text)).toMatchObject({ ok: false, status: "unavailable" });
        else expect(text, path).toMatch(/could not be reached \((ECONNREFUSED|ECONNRESET|CONNECTION_\w+)\)/);
        for (const hidden of hiddenWords()) expect(text, path).not.toContain(hidden);
      }
    });

    // Nothing was written while it was down, and what was stored before reads back the same…
    expect({
      submissions: await countRows(sql, "submissions"),
      jobs: await countRows(sql, "grading_jobs"),
      sessions: await countRows(sql, "grading_sessions"),
    }).toEqual(rowsBefore);
    // …and within the Retry-After the 503s advised: the pool does not sit out a long reconnect backoff.
    const backAt = Date.now();
    const after = await fetch(`${app.url}/api/submissions/${submissionId}`);
    expect(Date.now() - backAt).toBeLessThan(5_000);
    expect(after.status).toBe(200);
    expect(await after.json()).toEqual(before);
    expect((await fetch(`${app.url}/api/sessions/${sessionId}`)).status).toBe(200);
    const again = await fetch(`${app.url}/api/grade/stream`, {
      method: "POST",
      headers: json,
      body: JSON.stringify({ assignmentId, studentName: "Bo", text: "Schools should start later." }),
    });
    expect(again.status).toBe(200);
    await readSse(again, (event) => event.event === "graded" || event.event === "failed");
  });

  it("a stream that loses the database ends with the same sentence, not the driver's message (#7)", async () => {
    const { sql } = db.current;
    // A submission whose only job waits an hour, so its stream stays open and polls.
    const [row] = await sql<{ id: string }[]>`
      insert into submissions (assignment_id, student_name, body, line_count) values (${assignmentId}, 'Cy', 'Later starts help.', 1) returning id
    `;
    const submissionId = row!.id;
    await sql`insert into submission_lines (submission_id, line_index, body, start_offset, end_offset) values (${submissionId}, 0, 'Later starts help.', 0, 18)`;
    await sql`
      select enqueue_grading_jobs(${sql.json([
        { kind: "rate_lines", payload: { submissionId, lineIndexes: [0] }, run_at: new Date(Date.now() + 3_600_000).toISOString() },
      ] as never)})
    `;
    const stream = await fetch(`${app.url}/api/submissions/${submissionId}/events`);
    expect(stream.status).toBe(200);

    await withDatabaseDown(async () => {
      const events = await readSse(stream, (event) => event.event === "error", 15_000);
      const error = events.at(-1)!;
      expect(error.event).toBe("error");
      expect((error.data as { message: string }).message).toBe(
        "Could not read the submission's events: The database is not answering right now; try again in a few seconds.",
      );
    });
  });
});
