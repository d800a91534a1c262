import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAssignment, updateAssignment } from "../../lib/assignments/assignments";
import type { Sql } from "../../lib/db/sql";
import { createOpenAiRater } from "../../lib/grading/raters/openai-rater";
import type { Rater } from "../../lib/grading/raters/rater";
import { createSubmission } from "../../lib/submissions/create-submission";
import { setLineOverride } from "../../lib/submissions/overrides";
import { getSubmissionState } from "../../lib/submissions/submission-state";
import { createAppTasks } from "../../lib/tasks";
import { freshDatabasePerFile } from "../helpers/db";
import { drainUntilSettled, makeEssay, testRubric } from "../helpers/grading";
import { startFakeOpenAiServer, type FakeOpenAiServer } from "../support/fake-openai-server";

// Finding 2 of #9: the phrase cache was shared by every assignment with the same rubric,
// and a teacher's override replaced the shared entry.
const db = freshDatabasePerFile();
let llm: FakeOpenAiServer;
let rater: Rater;

beforeAll(async () => {
  llm = await startFakeOpenAiServer({ latencyMs: 1 });
  rater = createOpenAiRater({ apiKey: "test-key", baseURL: llm.url, model: "gpt-4o-mini" });
});
afterAll(async () => {
  await llm.close();
});

/** An assignment of its own teacher, with the shared test rubric. */
async function assignmentOfNewTeacher(sql: Sql, title: string) {
  const teacherId = randomUUID();
  await sql`insert into auth.users (id, email) values (${teacherId}, ${`${teacherId}@school.example`})`;
  return createAssignment(sql, { title, prompt: "Should school start later?", rubric: testRubric, teacherId });
}

const rateCallsFor = (text: string) => llm.requests.filter((request) => request.kind === "rate_lines" && request.lineTexts.includes(text));

describe("the phrase cache is scoped to one assignment (#9)", () => {
  it("a teacher's override on assignment A is not shown on assignment B with the same rubric, and is on A", async () => {
    const sql = db.current.sql;
    const tasks = createAppTasks(rater);
    const [a, b] = [await assignmentOfNewTeacher(sql, "Period 1"), await assignmentOfNewTeacher(sql, "Period 2")];
    const essay = makeEssay(4, "override-scope");
    const shared = essay.split("\n")[1]!;
    const ann = await createSubmission(sql, { assignmentId: a.id, studentName: "Ann", text: essay }, { rater });
    await drainUntilSettled(sql, tasks, [ann.id]);
    await setLineOverride(sql, { submissionId: ann.id, lineIndex: 1, score: 1, comment: "Ann, see me about this." }, { rater });

    const ben = await createSubmission(sql, { assignmentId: b.id, studentName: "Ben", text: shared }, { rater });
    expect(ben.cachedLines).toBe(0);
    await drainUntilSettled(sql, tasks, [ben.id]);
    const benLine = (await getSubmissionState(sql, ben.id))!.lines[0]!.rating!;
    expect(benLine).toMatchObject({ rater: "openai:gpt-4o-mini", fromCache: false });
    expect(benLine.comment).not.toContain("Ann");

    // Within A the teacher's verdict still answers the next essay with that sentence.
    const cal = await createSubmission(sql, { assignmentId: a.id, studentName: "Cal", text: shared }, { rater });
    expect((await getSubmissionState(sql, cal.id))!.lines[0]!.rating).toMatchObject({
      rater: "teacher",
      comment: "Ann, see me about this.",
      fromCache: true,
    });
  });

  it("the same essay under two assignments with the same rubric misses the cache across them and is graded afresh", async () => {
    const sql = db.current.sql;
    const tasks = createAppTasks(rater);
    const [a, b] = [await assignmentOfNewTeacher(sql, "Period 3"), await assignmentOfNewTeacher(sql, "Period 4")];
    const essay = makeEssay(6, "two-assignments");
    const first = await createSubmission(sql, { assignmentId: a.id, studentName: "Dee", text: essay }, { rater });
    await drainUntilSettled(sql, tasks, [first.id]);

    llm.resetStats();
    const second = await createSubmission(sql, { assignmentId: b.id, studentName: "Eve", text: essay }, { rater });
    expect(second.cachedLines).toBe(0);
    await drainUntilSettled(sql, tasks, [second.id]);
    const state = (await getSubmissionState(sql, second.id))!;
    expect(state.status).toBe("graded");
    expect(state.lines.every((line) => line.rating!.fromCache === false)).toBe(true);
    // Every line went to the LLM again, and so did the whole-essay grade (no reuse of A's grade).
    for (const text of essay.split("\n")) expect(rateCallsFor(text)).toHaveLength(1);
    expect(llm.requests.filter((request) => request.kind === "grade_submission")).toHaveLength(1);

    // The same essay again under A is still answered by A's cache and A's grade.
    llm.resetStats();
    const third = await createSubmission(sql, { assignmentId: a.id, studentName: "Fay", text: essay }, { rater });
    expect(third.cachedLines).toBe(6);
    await drainUntilSettled(sql, tasks, [third.id]);
    expect(llm.requests).toHaveLength(0);
  });

  it("after the assignment's prompt changes, a cached sentence and an identical essay's grade are not reused", async () => {
    const sql = db.current.sql;
    const tasks = createAppTasks(rater);
    const assignment = await assignmentOfNewTeacher(sql, "Period 5");
    const essay = makeEssay(3, "prompt-change");
    const before = await createSubmission(sql, { assignmentId: assignment.id, studentName: "Gus", text: essay }, { rater });
    await drainUntilSettled(sql, tasks, [before.id]);

    await updateAssignment(sql, assignment.id, { title: assignment.title, prompt: "Should school start earlier?", rubric: testRubric });
    llm.resetStats();
    const after = await createSubmission(sql, { assignmentId: assignment.id, studentName: "Hal", text: essay }, { rater });
    expect(after.cachedLines).toBe(0);
    await drainUntilSettled(sql, tasks, [after.id]);
    expect(llm.requests.filter((request) => request.kind === "grade_submission")).toHaveLength(1);
    expect(llm.requests.filter((request) => request.kind === "rate_lines")).toHaveLength(1);
  });
});
