import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSubmission } from "../../lib/submissions/create-submission";
import { OverrideError, setCriterionOverride, setLineOverride } from "../../lib/submissions/overrides";
import { normalizePhrase } from "../../lib/grading/phrase-cache";
import { createOpenAiRater } from "../../lib/grading/raters/openai-rater";
import type { Rater } from "../../lib/grading/raters/rater";
import { getSubmissionState } from "../../lib/submissions/submission-state";
import { createAppTasks } from "../../lib/tasks";
import { freshDatabasePerFile } from "../helpers/db";
import { createTestAssignment, drainUntilSettled, makeEssay } from "../helpers/grading";
import { startFakeOpenAiServer, type FakeOpenAiServer } from "../support/fake-openai-server";

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

describe("teacher overrides", () => {
  it("keeps a line override beside the model's rating, and the next essay with that line gets the teacher's rating from the cache", async () => {
    const sql = db.current.sql;
    const assignment = await createTestAssignment(sql);
    const essay = makeEssay(6, "override");
    const first = await createSubmission(sql, { assignmentId: assignment.id, studentName: "Ann", text: essay }, { rater });
    await drainUntilSettled(sql, createAppTasks(rater), [first.id]);
    const modelRating = (await getSubmissionState(sql, first.id))!.lines[2]!.rating!;

    await setLineOverride(sql, { submissionId: first.id, lineIndex: 2, score: 1, comment: "This claim needs evidence." }, { rater });
    const state = (await getSubmissionState(sql, first.id))!;
    expect(state.lines[2]!.rating).toEqual(modelRating); // the model's rating is untouched
    expect(state.lines[2]!.override).toMatchObject({ score: 1, comment: "This claim needs evidence.", label: "weak" });

    const second = await createSubmission(sql, { assignmentId: assignment.id, studentName: "Ben", text: essay.split("\n")[2]! }, { rater });
    const secondState = (await getSubmissionState(sql, second.id))!;
    expect(secondState.lines[0]!.rating).toMatchObject({
      score: 1,
      comment: "This claim needs evidence.",
      rater: "teacher",
      fromCache: true,
    });
  });

  it("a rater's rating that lands after the teacher's override never replaces it in the phrase cache (#7)", async () => {
    const sql = db.current.sql;
    const tasks = createAppTasks(rater);
    const assignment = await createTestAssignment(sql);
    const shared = "Later starts give teenagers the sleep their growing bodies need.";
    // Two essays sharing a line, submitted before either is graded: both jobs ask the LLM about it.
    const ann = await createSubmission(
      sql,
      { assignmentId: assignment.id, studentName: "Ann", text: `${shared}\nAnn argues that buses cost money.` },
      { rater },
    );
    const ben = await createSubmission(
      sql,
      { assignmentId: assignment.id, studentName: "Ben", text: `${shared}\nBen says sports practice moves later.` },
      { rater },
    );
    expect([ann.cachedLines, ben.cachedLines]).toEqual([0, 0]);

    llm.resetStats();
    const releaseAnn = llm.holdAnswers(({ lineTexts }) => lineTexts.some((text) => text.startsWith("Ann argues")));
    const releaseBen = llm.holdAnswers(({ lineTexts }) => lineTexts.some((text) => text.startsWith("Ben says")));
    const draining = drainUntilSettled(sql, tasks, [ann.id, ben.id]);
    try {
      // Both jobs looked the shared line up before either stored it: both ask the LLM about it.
      await expect.poll(() => llm.heldCount, { timeout: 30_000 }).toBe(2);
      expect(llm.requests.filter((request) => request.kind === "rate_lines").map((request) => request.lineTexts.includes(shared))).toEqual([
        true,
        true,
      ]);
      // Ann's answer lands first, her essay is graded, and the teacher overrides the shared line;
      // Ben's call is still at the LLM.
      releaseAnn();
      await expect.poll(async () => (await getSubmissionState(sql, ann.id))!.status, { timeout: 30_000 }).toBe("graded");
      await setLineOverride(sql, { submissionId: ann.id, lineIndex: 0, score: 2, comment: "Cite the sleep study." }, { rater });
    } finally {
      releaseAnn();
      releaseBen();
    }
    await draining;

    // Ben's job stored its rater's rating of the shared line through storePhrases after the override.
    const benLine = (await getSubmissionState(sql, ben.id))!.lines[0]!.rating!;
    expect(benLine).toMatchObject({ rater: "openai:gpt-4o-mini", fromCache: false });
    const [entry] = await sql<{ source: string; rating: { score: number; comment: string } }[]>`
      select source, rating from phrase_cache where normalized_text = ${normalizePhrase(shared)}
    `;
    expect(entry).toMatchObject({ source: "teacher", rating: { score: 2, comment: "Cite the sleep study." } });
    // The next essay with that line gets the teacher's verdict, credited to the teacher.
    const cal = await createSubmission(sql, { assignmentId: assignment.id, studentName: "Cal", text: shared }, { rater });
    expect((await getSubmissionState(sql, cal.id))!.lines[0]!.rating).toMatchObject({
      score: 2,
      comment: "Cite the sleep study.",
      rater: "teacher",
      fromCache: true,
    });
  });

  it("criterion overrides sit beside the model's scores and change the effective overall score", async () => {
    const sql = db.current.sql;
    const assignment = await createTestAssignment(sql);
    const created = await createSubmission(
      sql,
      { assignmentId: assignment.id, studentName: "Cal", text: makeEssay(5, "criteria") },
      { rater },
    );
    await drainUntilSettled(sql, createAppTasks(rater), [created.id]);
    const before = (await getSubmissionState(sql, created.id))!;
    const ideas = before.grade!.criteria.find((c) => c.criterionId === "ideas")!;
    const conventions = before.grade!.criteria.find((c) => c.criterionId === "conventions")!;

    await setCriterionOverride(sql, { submissionId: created.id, criterionId: "ideas", score: 5, comment: "Strong thesis." });
    const after = (await getSubmissionState(sql, created.id))!;
    expect(after.grade!.criteria.find((c) => c.criterionId === "ideas")!.score).toBe(ideas.score);
    expect(after.criterionOverrides).toEqual([expect.objectContaining({ criterionId: "ideas", score: 5, comment: "Strong thesis." })]);
    expect(after.effectiveOverallScore).toBeCloseTo((5 + conventions.score) / 2, 2);
  });

  it("refuses scores off the rubric's scale and unknown lines or criteria, writing nothing", async () => {
    const sql = db.current.sql;
    const assignment = await createTestAssignment(sql);
    const created = await createSubmission(
      sql,
      { assignmentId: assignment.id, studentName: "Dee", text: makeEssay(3, "refuse") },
      { rater },
    );
    await expect(setLineOverride(sql, { submissionId: created.id, lineIndex: 0, score: 9, comment: "" }, { rater })).rejects.toThrow(
      /between 1 and 5/,
    );
    await expect(
      setLineOverride(sql, { submissionId: created.id, lineIndex: 99, score: 3, comment: "" }, { rater }),
    ).rejects.toBeInstanceOf(OverrideError);
    await expect(setCriterionOverride(sql, { submissionId: created.id, criterionId: "style", score: 3, comment: "" })).rejects.toThrow(
      /no criterion "style"/,
    );
    const [row] = await sql<{ count: number }[]>`
      select (select count(*) from rating_overrides where submission_id = ${created.id}) + (select count(*) from criterion_overrides where submission_id = ${created.id}) as count
    `;
    expect(Number(row!.count)).toBe(0);
  });
});
