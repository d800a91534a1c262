import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AssignmentContext } from "../../lib/assignments/assignments";
import { createOpenAiRater } from "../../lib/grading/raters/openai-rater";
import { publicJobError } from "../../lib/queue/public-job-error";
import { freshDatabasePerFile } from "../helpers/db";
import { createTestAssignment, makeEssay, testRubric } from "../helpers/grading";
import { freePort, readSse, startApp, type RunningApp } from "../helpers/next-server";
import { startFakeOpenAiServer, type FakeFault, type FakeOpenAiServer } from "../support/fake-openai-server";

// What clients are told when something fails (#9): what a person needs, never where the
// database or the LLM provider is, who connects to it, or a key.

const API_KEY = "sk-live-edge-SECRET-0123456789abcdef";
const db = freshDatabasePerFile();
let llm: FakeOpenAiServer;
let app: RunningApp;
let assignmentId: string;

beforeAll(async () => {
  llm = await startFakeOpenAiServer({ latencyMs: 1 });
  app = await startApp({ DATABASE_URL: db.current.url, OPENAI_API_KEY: API_KEY, OPENAI_BASE_URL: llm.url, GRADING_CONCURRENCY: "2" });
  assignmentId = (await createTestAssignment(db.current.sql)).id;
});
afterAll(async () => {
  await app?.stop();
  await llm?.close();
});

/** Where the LLM provider is and how the app signs in to it. */
const providerSecrets = () => [llm.url, `127.0.0.1:${llm.port}`, String(llm.port), API_KEY, API_KEY.slice(-12)];
/** A provider that echoes the key and its own address, as some do. */
const echoing = (status: number, code: string): FakeFault => ({
  status,
  body: { error: { message: `Incorrect API key provided: ${API_KEY}. Proxy ${llm.url} said no.`, type: "invalid_request_error", code } },
});

describe("/api/health (#9)", () => {
  it("answers ok, and nothing about the database", async () => {
    const response = await fetch(`${app.url}/api/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: true, status: "ok" });
  });

  it("answers unavailable without host, port, user, database name or the driver's words", async () => {
    const deadPort = await freePort();
    const [realUser] = await db.current.sql<{ current_user: string }[]>`select current_user`;
    const real = new URL(db.current.url);
    const urls = [
      `postgres://secret_operator:pw@127.0.0.1:${deadPort}/secret_db`, // nobody listens
      `postgres://secret_operator:wrong@${real.host}/secret_db`, // the server refuses the user
    ];
    for (const url of urls) {
      const down = await startApp({ DATABASE_URL: url }, { ready: "listening" });
      try {
        const response = await fetch(`${down.url}/api/health`);
        const text = await response.text();
        expect(response.status, url).toBe(503);
        expect(Number(response.headers.get("retry-after"))).toBeGreaterThan(0);
        expect(JSON.parse(text)).toEqual({ ok: false, status: "unavailable", message: expect.stringMatching(/database/) });
        for (const hidden of [
          "secret_operator",
          "secret_db",
          String(deadPort),
          real.port,
          "127.0.0.1",
          realUser!.current_user,
          "ECONN",
          "28P01",
        ]) {
          expect(text, url).not.toContain(hidden);
        }
        // The operator still learns why, in the server's log.
        await expect.poll(() => down.logs.join(""), { timeout: 5_000 }).toMatch(/\[health\] database check failed/);
      } finally {
        await down.stop();
      }
    }
  });
});

describe("job errors shown to people (#9)", () => {
  const assignment: AssignmentContext = {
    id: "9b1f6c0e-4a57-4d43-9a7e-2f1c3e5d7a90",
    title: "t",
    prompt: "p",
    rubric: testRubric,
    rubricVersion: 1,
  };
  const lines = [{ index: 0, text: "Schools should start later.", start: 0, end: 27 }];

  it("say what the LLM provider answered, never its address, the key or its own words", async () => {
    const cases: Array<{ fault: FakeFault; expected: RegExp }> = [
      { fault: { status: 500, body: { error: { message: `upstream ${llm.url} crashed` } } }, expected: /the LLM provider .* answered 500/ },
      { fault: echoing(401, "invalid_api_key"), expected: /^OPENAI_API_KEY was rejected by the LLM provider \(401 invalid_api_key\)/ },
      { fault: echoing(403, "model_not_allowed"), expected: /may not use model "gpt-4o-mini" \(the LLM provider answered 403/ },
      { fault: echoing(404, "model_not_found"), expected: /model "gpt-4o-mini" was not found at the LLM provider \(404/ },
      { fault: echoing(400, "invalid_request_error"), expected: /rejected the request \(400 invalid_request_error\)/ },
      { fault: echoing(429, "insufficient_quota"), expected: /out of quota \(429 insufficient_quota\)/ },
    ];
    const rater = createOpenAiRater({ apiKey: API_KEY, baseURL: llm.url, model: "gpt-4o-mini", maxRetries: 0 });
    for (const { fault, expected } of cases) {
      llm.setFaults({ schedule: [fault] });
      const error = (await rater.rateLines(lines, { assignment }).catch((caught: unknown) => caught)) as Error;
      expect(error.message).toMatch(expected);
      for (const hidden of providerSecrets()) expect(error.message).not.toContain(hidden);
    }
    llm.setFaults(null);
    const unreachablePort = await freePort();
    const unreachable = createOpenAiRater({
      apiKey: API_KEY,
      baseURL: `http://127.0.0.1:${unreachablePort}/v1`,
      model: "gpt-4o-mini",
      maxRetries: 0,
    });
    const error = (await unreachable.rateLines(lines, { assignment }).catch((caught: unknown) => caught)) as Error;
    expect(error.message).toMatch(/the LLM provider .* could not be reached/);
    expect(error.message).not.toMatch(new RegExp(`127\\.0\\.0\\.1|${unreachablePort}`));
  });

  it("a submission whose LLM rejects the key fails with public sentences, in the SSE failed event and GET /api/jobs/:id", async () => {
    llm.setFaults({ schedule: Array.from({ length: 20 }, () => echoing(401, "invalid_api_key")) });
    try {
      const response = await fetch(`${app.url}/api/grade/stream`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ assignmentId, studentName: "Lin", text: makeEssay(3, "key") }),
      });
      expect(response.status).toBe(200);
      const events = await readSse(response, (event) => event.event === "failed" || event.event === "graded");
      const failed = events.at(-1)!;
      expect(failed.event).toBe("failed");
      const { errors } = failed.data as { errors: Array<{ jobId: number; error: string }> };
      expect(errors.length).toBeGreaterThan(0);
      for (const { jobId, error } of errors) {
        expect(error).toMatch(/OPENAI_API_KEY was rejected by the LLM provider \(401 invalid_api_key\)/);
        const job = await (await fetch(`${app.url}/api/jobs/${jobId}`)).text();
        for (const hidden of providerSecrets()) {
          expect(error).not.toContain(hidden);
          expect(job).not.toContain(hidden);
        }
      }
    } finally {
      llm.setFaults(null);
    }
  });

  it("SSE failed events carry no address, user name or stack, whatever the job's stored error says", async () => {
    const submission = await fetch(`${app.url}/api/submissions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ assignmentId, studentName: "Ola", text: makeEssay(2, "raw") }),
    });
    const { id } = (await submission.json()) as { id: string };
    // What a driver or the runtime leaves in last_error when a handler throws something unforeseen.
    const raw =
      'connect ECONNREFUSED 10.0.3.7:5432 at postgres://grader:hunter2@db.internal.school.edu:6543/gradeline for user "grader"\n    at Socket.connect (/srv/gradeline/node_modules/postgres/src/connection.js:12:3)';
    await db.current.sql`
      update grading_jobs set status = 'failed', last_error = ${raw}, finished_at = now(), lease_owner = null, lease_expires_at = null
      where payload->>'submissionId' = ${id} and status in ('pending', 'processing')
    `;
    const events = await readSse(
      await fetch(`${app.url}/api/submissions/${id}/events`),
      (event) => event.event === "failed" || event.event === "graded",
    );
    const failed = events.at(-1)!;
    expect(failed.event).toBe("failed");
    const { errors } = failed.data as { errors: Array<{ error: string }> };
    for (const { error } of errors) {
      expect(error).toMatch(/^connect ECONNREFUSED \[address hidden\]/);
      for (const hidden of ["10.0.3.7", "5432", "grader", "hunter2", "db.internal", "/srv/", "connection.js"])
        expect(error).not.toContain(hidden);
    }
  });

  it("every reader of a stored raw error shows it redacted: the submission, its job, the class session, the monitor", async () => {
    const created = await fetch(`${app.url}/api/sessions`, {
      method: "POST",
      body: (() => {
        const form = new FormData();
        form.set("assignmentId", assignmentId);
        form.set("title", "Raw errors");
        form.append("files", new File([makeEssay(2, "raw-session")], "pia.txt"));
        return form;
      })(),
    });
    expect(created.status).toBe(201);
    const session = (await created.json()) as { id: string };
    const [{ id: submissionId } = { id: "" }] = await db.current.sql<
      { id: string }[]
    >`select id from submissions where session_id = ${session.id}`;
    const raw = 'password authentication failed for user "grader" at db.internal.school.edu:6543 (/srv/gradeline/lib/x.ts)';
    const [job] = await db.current.sql<{ id: number }[]>`
      update grading_jobs set status = 'failed', last_error = ${raw}, finished_at = now(), lease_owner = null, lease_expires_at = null
      where payload->>'submissionId' = ${submissionId} and status in ('pending', 'processing', 'completed')
      returning id
    `;
    const shown = [
      JSON.stringify(await (await fetch(`${app.url}/api/submissions/${submissionId}`)).json()),
      JSON.stringify(await (await fetch(`${app.url}/api/jobs/${job!.id}`)).json()),
      JSON.stringify(await (await fetch(`${app.url}/api/sessions/${session.id}`)).json()),
      JSON.stringify(await (await fetch(`${app.url}/api/monitoring/stats`)).json()),
    ];
    for (const text of shown) {
      expect(text).toContain("password authentication failed for user");
      for (const hidden of ['\\"grader\\"', "db.internal", "6543", "/srv/"]) expect(text).not.toContain(hidden);
    }
  });

  it("publicJobError keeps the sentence and hides what names the system (pure)", () => {
    expect(publicJobError("the LLM provider (openai:gpt-4o-mini) answered 500; the job will be retried")).toBe(
      "the LLM provider (openai:gpt-4o-mini) answered 500; the job will be retried",
    );
    expect(publicJobError("getaddrinfo ENOTFOUND db.abcdefgh.supabase.co")).toBe("getaddrinfo ENOTFOUND [address hidden]");
    expect(publicJobError('password authentication failed for user "grader"')).toBe('password authentication failed for user "[hidden]"');
    expect(publicJobError("Incorrect API key provided: sk-proj-****abcd")).toBe("Incorrect API key provided: [key hidden]");
    expect(publicJobError("submission 123e4567-e89b-12d3-a456-426614174000 is gone")).toContain("123e4567-e89b-12d3-a456-426614174000");
    expect(publicJobError("x".repeat(2000)).length).toBeLessThanOrEqual(500);
  });
});

describe("/monitor (#9)", () => {
  it("shows a short worker id, never the worker's host name", async () => {
    await db.current.sql`select register_grading_worker('lab-pc-secret-07-4242-a1b2c3', 'lab-pc-secret-07')`;
    const stats = await (await fetch(`${app.url}/api/monitoring/stats`)).text();
    const page = await (await fetch(`${app.url}/monitor`)).text();
    for (const body of [stats, page]) {
      expect(body).toContain("4242-a1b2c3");
      expect(body).not.toContain("lab-pc-secret-07");
    }
  });
});
