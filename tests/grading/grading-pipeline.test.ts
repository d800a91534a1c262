import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { updateAssignmentRubric } from "../../lib/assignments/assignments";
import { createSubmission } from "../../lib/submissions/create-submission";
import { createOpenAiRater } from "../../lib/grading/raters/openai-rater";
import type { Rater } from "../../lib/grading/raters/rater";
import { getSubmissionState } from "../../lib/submissions/submission-state";
import { createAppTasks } from "../../lib/tasks";
import { freshDatabasePerFile } from "../helpers/db";
import { createTestAssignment, drainUntilSettled, makeEssay, testRubric } from "../helpers/grading";
import { startFakeOpenAiServer, type FakeOpenAiServer } from "../support/fake-openai-server";

const db = freshDatabasePerFile();
let llm: FakeOpenAiServer;
let rater: Rater;

beforeAll(async () => {
  llm = await startFakeOpenAiServer({ latencyMs: 5 });
  rater = createOpenAiRater({ apiKey: "test-key", baseURL: llm.url, model: "gpt-4o-mini", maxRetries: 2 });
});
afterAll(async () => {
  await llm.close();
});
beforeEach(() => {
  llm.setFaults(null);
  llm.resetStats();
});

function rateRequests() {
  return llm.requests.filter((request) => request.kind === "rate_lines" && request.status === 200);
}

describe("grading pipeline through the OpenAI client and a fake LLM server", () => {
  it("rates every line once, then grades each criterion and records the LLM calls", async () => {
    const sql = db.current.sql;
    const assignment = await createTestAssignment(sql);
    const created = await createSubmission(
      sql,
      { assignmentId: assignment.id, studentName: "Ada", text: makeEssay(12, "happy") },
      { rater },
    );
    expect(created.jobIds).toHaveLength(3); // 12 lines, five per job
    await drainUntilSettled(sql, createAppTasks(rater), [created.id]);

    const state = (await getSubmissionState(sql, created.id))!;
    expect(state.status).toBe("graded");
    expect(state.progress).toEqual({ rated: 12, total: 12 });
    expect(state.lines.every((line) => line.rating?.rater === "openai:gpt-4o-mini")).toBe(true);
    expect(state.grade!.criteria.map((criterion) => criterion.criterionId).sort()).toEqual(["conventions", "ideas"]);
    expect(rateRequests()).toHaveLength(3);
    const calls = await sql<{ purpose: string; prompt_tokens: number; cost_usd: string }[]>`
      select purpose, prompt_tokens, cost_usd from llm_calls where submission_id = ${created.id}
    `;
    expect(calls.filter((call) => call.purpose === "rate_lines")).toHaveLength(3);
    expect(calls.filter((call) => call.purpose === "grade_submission")).toHaveLength(1);
    expect(calls.every((call) => call.prompt_tokens > 0 && Number(call.cost_usd) > 0)).toBe(true);
  });

  it("with 20% 500s, 10% 429s and 5% malformed answers every line is still rated exactly once", async () => {
    const sql = db.current.sql;
    const assignment = await createTestAssignment(sql);
    // One of each fault first, so every kind is exercised whatever the dice say; then the rates.
    llm.setFaults({
      schedule: ["malformed_json", null, "server_error", null, "rate_limit"],
      rates: { server_error: 0.2, rate_limit: 0.1, malformed_json: 0.05 },
      seed: 7,
      retryAfterMs: 20,
      retryAfterSeconds: 1,
    });
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) {
      const created = await createSubmission(
        sql,
        { assignmentId: assignment.id, studentName: `Student ${i}`, text: makeEssay(20, `faulty${i}`) },
        { rater },
      );
      ids.push(created.id);
    }
    await drainUntilSettled(sql, createAppTasks(rater), ids, 90_000);

    const faults = llm.requests.filter((request) => request.fault !== null);
    expect(faults.length).toBeGreaterThan(0); // the faults really happened
    const [counts] = await sql<{ ratings: number; distinct_lines: number }[]>`
      select count(*)::int as ratings, count(distinct (submission_id, line_index))::int as distinct_lines
      from line_ratings where submission_id = any(${ids}::uuid[])
    `;
    expect(counts).toEqual({ ratings: 80, distinct_lines: 80 });
    for (const id of ids) expect((await getSubmissionState(sql, id))!.status).toBe("graded");
    // Every request sent is on record (#7): the answered ones billed with their tokens, the
    // malformed ones too; the 500s and 429s as failed, with their status and no tokens.
    const calls = await sql<{ status: string; http_status: number | null; prompt_tokens: number; prompt_tokens_estimate: number }[]>`
      select status, http_status, prompt_tokens, prompt_tokens_estimate from llm_calls where submission_id = any(${ids}::uuid[])
    `;
    expect(calls).toHaveLength(llm.requests.length);
    const answered = llm.requests.filter((request) => request.status === 200);
    expect(
      calls
        .filter((call) => call.status === "answered")
        .map((call) => call.prompt_tokens)
        .sort(),
    ).toEqual(answered.map((request) => request.promptTokens).sort());
    const refused = llm.requests.filter((request) => request.status !== 200).map((request) => request.status);
    expect(
      calls
        .filter((call) => call.status === "failed")
        .map((call) => call.http_status)
        .sort(),
    ).toEqual(refused.sort());
    expect(calls.every((call) => call.prompt_tokens_estimate > 0)).toBe(true);
    expect(llm.requests.some((request) => request.fault === "malformed_json")).toBe(true);
  });

  it("a resubmitted identical essay makes zero LLM calls", async () => {
    const sql = db.current.sql;
    const assignment = await createTestAssignment(sql);
    const essay = makeEssay(10, "identical");
    const first = await createSubmission(sql, { assignmentId: assignment.id, studentName: "Bo", text: essay }, { rater });
    await drainUntilSettled(sql, createAppTasks(rater), [first.id]);
    const requestsBefore = llm.requests.length;

    const again = await createSubmission(sql, { assignmentId: assignment.id, studentName: "Bo", text: essay }, { rater });
    expect(again.cachedLines).toBe(10);
    expect(again.changedLines).toBe(0);
    expect(again.previousSubmissionId).toBe(first.id);
    await drainUntilSettled(sql, createAppTasks(rater), [again.id]);
    expect(llm.requests.length).toBe(requestsBefore);
    const state = (await getSubmissionState(sql, again.id))!;
    expect(state.status).toBe("graded");
    expect(state.lines.every((line) => line.rating?.fromCache)).toBe(true);
  });

  it("a revision that changes 3 lines sends only those lines to the LLM and records which changed", async () => {
    const sql = db.current.sql;
    const assignment = await createTestAssignment(sql);
    const original = makeEssay(15, "draft").split("\n");
    const first = await createSubmission(sql, { assignmentId: assignment.id, studentName: "Cy", text: original.join("\n") }, { rater });
    await drainUntilSettled(sql, createAppTasks(rater), [first.id]);
    llm.resetStats();

    const revised = [...original];
    for (const index of [2, 7, 11]) revised[index] = `Revised sentence ${index}: later starts cut tardiness by a third.`;
    const second = await createSubmission(sql, { assignmentId: assignment.id, studentName: "Cy", text: revised.join("\n") }, { rater });
    expect(second.changedLines).toBe(3);
    await drainUntilSettled(sql, createAppTasks(rater), [second.id]);

    const sentTexts = rateRequests().flatMap((request) => request.lineTexts);
    expect(sentTexts.sort()).toEqual([2, 7, 11].map((index) => revised[index]).sort());
    const state = (await getSubmissionState(sql, second.id))!;
    expect(state.lines.filter((line) => line.changedSincePrevious).map((line) => line.index)).toEqual([2, 7, 11]);
    expect(state.status).toBe("graded");
  });

  it("a changed rubric version misses the cache", async () => {
    const sql = db.current.sql;
    const assignment = await createTestAssignment(sql);
    const essay = makeEssay(6, "rubric");
    const first = await createSubmission(sql, { assignmentId: assignment.id, studentName: "Di", text: essay }, { rater });
    await drainUntilSettled(sql, createAppTasks(rater), [first.id]);
    await updateAssignmentRubric(sql, assignment.id, {
      ...testRubric,
      criteria: testRubric.criteria.map((c) => ({ ...c, description: `${c.description} (clarified)` })),
    });
    llm.resetStats();

    const second = await createSubmission(sql, { assignmentId: assignment.id, studentName: "Di", text: essay }, { rater });
    expect(second.cachedLines).toBe(0);
    await drainUntilSettled(sql, createAppTasks(rater), [second.id]);
    expect(rateRequests().flatMap((request) => request.lineTexts)).toHaveLength(6);
  });

  it("re-running a rate_lines job never duplicates a rating", async () => {
    const sql = db.current.sql;
    const assignment = await createTestAssignment(sql);
    const created = await createSubmission(sql, { assignmentId: assignment.id, studentName: "Ed", text: makeEssay(5, "rerun") }, { rater });
    await drainUntilSettled(sql, createAppTasks(rater), [created.id]);
    await sql`select retry_grading_job(${created.jobIds[0]!})`; // completed jobs are not retriable…
    await sql`update grading_jobs set status = 'pending', finished_at = null, attempts = 0 where id = ${created.jobIds[0]!}`; // …so force a re-run
    await drainUntilSettled(sql, createAppTasks(rater), [created.id]);
    const [row] = await sql<{ count: number }[]>`select count(*)::int as count from line_ratings where submission_id = ${created.id}`;
    expect(row!.count).toBe(5);
    const [graded] = await sql<
      { count: number }[]
    >`select count(*)::int as count from grading_jobs where kind = 'grade_submission' and payload ->> 'submissionId' = ${created.id}`;
    expect(graded!.count).toBe(1);
  });
});
