import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fingerprintRequest } from "../../lib/api/idempotency-key";
import { createSubmissionBodySchema } from "../../lib/submissions/submission-body";
import { countRows, freshDatabasePerFile } from "../helpers/db";
import { createTestAssignment, makeEssay } from "../helpers/grading";
import { readSse, startApp, type ParsedSseEvent, type RunningApp } from "../helpers/next-server";
import { startFakeOpenAiServer, type FakeOpenAiServer } from "../support/fake-openai-server";

const db = freshDatabasePerFile();
let app: RunningApp;
let llm: FakeOpenAiServer;
let assignmentId: string;

beforeAll(async () => {
  llm = await startFakeOpenAiServer({ latencyMs: 50 });
  app = await startApp({
    DATABASE_URL: db.current.url,
    OPENAI_API_KEY: "test-key",
    OPENAI_BASE_URL: llm.url,
    OPENAI_MODEL: "gpt-4o-mini",
    GRADING_CONCURRENCY: "4",
  });
  assignmentId = (await createTestAssignment(db.current.sql)).id;
});
afterAll(async () => {
  await app?.stop();
  await llm?.close();
});

const isFinal = (event: ParsedSseEvent) => event.event === "graded" || event.event === "failed";

function post(path: string, body: unknown, key?: string) {
  return fetch(`${app.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(key === undefined ? {} : { "Idempotency-Key": key }) },
    body: JSON.stringify(body),
  });
}

function postSession(files: File[], key?: string) {
  const form = new FormData();
  form.set("assignmentId", assignmentId);
  form.set("title", "Period 4");
  for (const file of files) form.append("files", file, file.name);
  return fetch(`${app.url}/api/sessions`, { method: "POST", body: form, headers: key === undefined ? {} : { "Idempotency-Key": key } });
}

async function jobsOf(submissionId: string) {
  return db.current.sql<{ kind: string }[]>`
    select kind from grading_jobs where payload ->> 'submissionId' = ${submissionId} order by id
  `;
}

/** How often the fake LLM was asked to rate each of these lines. */
function timesRated(lines: string[]): number[] {
  const sent = llm.requests.filter((request) => request.kind === "rate_lines").flatMap((request) => request.lineTexts);
  return lines.map((line) => sent.filter((text) => text === line).length);
}

describe("Idempotency-Key on POST /api/grade/stream (#7)", () => {
  const key = randomUUID();
  const essay = makeEssay(12, "twice");
  const body = () => ({ assignmentId, studentName: "Ada", text: essay });
  let submissionId: string;

  it("two POSTs with one key at the same moment make one submission, one set of jobs and one set of LLM calls (#7)", async () => {
    const responses = await Promise.all([0, 1, 2].map(() => post("/api/grade/stream", body(), key)));
    expect(responses.map((response) => response.status)).toEqual([200, 200, 200]);
    const ids = new Set(responses.map((response) => response.headers.get("x-submission-id")));
    expect(ids.size).toBe(1);
    submissionId = [...ids][0]!;
    expect(responses.filter((response) => response.headers.get("idempotent-replayed") === "true")).toHaveLength(2);

    // Every stream is the same submission's, to the end.
    const streams = await Promise.all(responses.map((response) => readSse(response, isFinal)));
    for (const events of streams) {
      expect(events[0]).toMatchObject({ event: "submission", data: { id: submissionId, lineCount: 12 } });
      expect(events.filter((event) => event.event === "line")).toHaveLength(12);
      expect(events.at(-1)!.event).toBe("graded");
    }

    const [stored] = await db.current.sql<
      { count: number }[]
    >`select count(*)::int as count from submissions where idempotency_key = ${key}`;
    expect(stored!.count).toBe(1);
    expect((await jobsOf(submissionId)).map((job) => job.kind)).toEqual(["rate_lines", "rate_lines", "rate_lines", "grade_submission"]);
    expect(timesRated(essay.split("\n"))).toEqual(Array(12).fill(1));
    expect(llm.requests.filter((request) => request.kind === "grade_submission")).toHaveLength(1);
  });

  it("the same key again after grading streams the same submission and calls no LLM (#7)", async () => {
    const requestsBefore = llm.requests.length;
    const jobsBefore = await countRows(db.current.sql, "grading_jobs");
    const response = await post("/api/grade/stream", body(), key);
    expect(response.status).toBe(200);
    expect(response.headers.get("x-submission-id")).toBe(submissionId);
    expect(response.headers.get("idempotent-replayed")).toBe("true");
    const events = await readSse(response, isFinal);
    expect(events[0]).toMatchObject({ event: "submission", data: { id: submissionId, lineCount: 12, replayed: true } });
    expect(events.filter((event) => event.event === "line")).toHaveLength(12);
    expect(events.at(-1)!.event).toBe("graded");
    expect(llm.requests.length).toBe(requestsBefore);
    expect(await countRows(db.current.sql, "grading_jobs")).toBe(jobsBefore);
  });

  it("the same key with a different essay is refused with 422 and writes nothing (#7)", async () => {
    const before = { submissions: await countRows(db.current.sql, "submissions"), jobs: await countRows(db.current.sql, "grading_jobs") };
    for (const changed of [
      { ...body(), text: `${essay}\nOne more line.` },
      { ...body(), studentName: "Bo" },
    ]) {
      const response = await post("/api/grade/stream", changed, key);
      expect(response.status).toBe(422);
      expect(await response.json()).toEqual({
        error: {
          code: "unprocessable",
          message:
            "This Idempotency-Key was already used for a different submission. Send a new key with a new submission; reuse a key only to retry the very same request.",
        },
      });
    }
    expect({ submissions: await countRows(db.current.sql, "submissions"), jobs: await countRows(db.current.sql, "grading_jobs") }).toEqual(
      before,
    );
  });

  it("without a key, the same essay POSTed twice makes two submissions (#7)", async () => {
    const text = makeEssay(3, "nokey");
    const [first, second] = await Promise.all([0, 1].map(() => post("/api/grade/stream", { assignmentId, studentName: "Cy", text })));
    const ids = [first!, second!].map((response) => response.headers.get("x-submission-id"));
    expect(ids[0]).not.toBe(ids[1]);
    await Promise.all([first!, second!].map((response) => readSse(response, isFinal)));
    const rows = await db.current.sql`select id from submissions where id = any(${ids as string[]}::uuid[]) and idempotency_key is null`;
    expect(rows).toHaveLength(2);
  });

  it("a malformed key is a 400 that says what a key may be, and writes nothing (#7)", async () => {
    const before = await countRows(db.current.sql, "submissions");
    const cases: Array<[string, RegExp]> = [
      ["k".repeat(256), /at most 255 characters/],
      ["cl\u00e9-1", /printable ASCII/],
    ];
    for (const [badKey, message] of cases) {
      const response = await post("/api/grade/stream", { assignmentId, studentName: "Di", text: "Hello there." }, badKey);
      expect(response.status, badKey).toBe(400);
      expect((await response.json()).error.message).toMatch(message);
    }
    expect(await countRows(db.current.sql, "submissions")).toBe(before);
  });
});

describe("Idempotency-Key on POST /api/submissions (#7)", () => {
  it("a request whose key another transaction is inserting waits for it, then answers with that submission (#7)", async () => {
    const { sql } = db.current;
    const key = randomUUID();
    const body = { assignmentId, studentName: "Eve", text: "Schools should start later." };
    const fingerprint = fingerprintRequest(createSubmissionBodySchema.parse(body));
    // This transaction plays the first request, still in flight: its row holds the key, uncommitted.
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let insertedId!: string;
    let onInserted!: () => void;
    const inserted = new Promise<void>((resolve) => (onInserted = resolve));
    const committed = sql.begin(async (tx) => {
      const [row] = await tx<{ id: string }[]>`
        insert into submissions (assignment_id, student_name, body, line_count, idempotency_key, request_fingerprint)
        values (${assignmentId}, 'Eve', ${body.text}, 0, ${key}, ${fingerprint}) returning id
      `;
      insertedId = row!.id;
      onInserted();
      await released;
    });
    let response: Response;
    try {
      await inserted;
      const answer = post("/api/submissions", body, key);
      // A read-then-write check would not see the uncommitted row and would insert a second
      // submission (or fail on the constraint): the request must wait on the key instead.
      const early = await Promise.race([
        answer.then(() => "answered"),
        new Promise((resolve) => setTimeout(() => resolve("waiting"), 750)),
      ]);
      expect(early).toBe("waiting");
      release();
      await committed;
      response = await answer;
    } finally {
      release();
    }
    expect(response.status).toBe(201);
    expect(response.headers.get("idempotent-replayed")).toBe("true");
    expect((await response.json()).id).toBe(insertedId);
    expect(await jobsOf(insertedId)).toEqual([]);
  });

  it("two POSTs with one key at the same moment answer with one submission id (#7)", async () => {
    const key = randomUUID();
    const body = { assignmentId, studentName: "Flo", text: makeEssay(4, "form") };
    const responses = await Promise.all([0, 1].map(() => post("/api/submissions", body, key)));
    expect(responses.map((response) => response.status)).toEqual([201, 201]);
    const ids = await Promise.all(responses.map(async (response) => ((await response.json()) as { id: string }).id));
    expect(ids[0]).toBe(ids[1]);
    expect((await jobsOf(ids[0]!)).filter((job) => job.kind === "rate_lines")).toHaveLength(1); // 4 lines: one job, not two
  });
});

describe("Idempotency-Key on POST /api/sessions (#7)", () => {
  const files = () => [0, 1].map((i) => new File([makeEssay(3, `session-${i}`)], `student_${i}.txt`, { type: "text/plain" }));

  it("the same upload twice at once with one key starts one session; a different upload with it is refused (#7)", async () => {
    const { sql } = db.current;
    const key = randomUUID();
    const before = { sessions: await countRows(sql, "grading_sessions"), submissions: await countRows(sql, "submissions") };
    const responses = await Promise.all([postSession(files(), key), postSession(files(), key)]);
    expect(responses.map((response) => response.status)).toEqual([201, 201]);
    const bodies = await Promise.all(responses.map((response) => response.json() as Promise<{ id: string; students: number }>));
    expect(bodies[0]).toEqual(bodies[1]);
    expect(bodies[0]!.students).toBe(2);
    expect({ sessions: await countRows(sql, "grading_sessions"), submissions: await countRows(sql, "submissions") }).toEqual({
      sessions: before.sessions + 1,
      submissions: before.submissions + 2,
    });

    const other = await postSession([new File([makeEssay(3, "someone-else")], "student_9.txt", { type: "text/plain" })], key);
    expect(other.status).toBe(422);
    expect((await other.json()).error.message).toMatch(/already used for a different class session/);
    expect(await countRows(sql, "grading_sessions")).toBe(before.sessions + 1);
  });
});
