import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSubmission } from "../../lib/submissions/create-submission";
import { createOpenAiRater } from "../../lib/grading/raters/openai-rater";
import type { Rater } from "../../lib/grading/raters/rater";
import { resumeSubmissionGrading } from "../../lib/submissions/retry-submission";
import { deriveSubmissionStatus, effectiveOverallScore, getSubmissionState } from "../../lib/submissions/submission-state";
import { createAppTasks } from "../../lib/tasks";
import { freshDatabasePerFile } from "../helpers/db";
import { createTestAssignment, drainUntilSettled, makeEssay } from "../helpers/grading";
import { startFakeOpenAiServer, type FakeOpenAiServer } from "../support/fake-openai-server";

const db = freshDatabasePerFile();
let llm: FakeOpenAiServer;
let rater: Rater;

beforeAll(async () => {
  llm = await startFakeOpenAiServer({ latencyMs: 1 });
  rater = createOpenAiRater({ apiKey: "test-key", baseURL: llm.url, model: "gpt-4o-mini", maxRetries: 0 });
});
afterAll(async () => {
  await llm.close();
});

describe("submission status and Retry", () => {
  it("derives the status from grade, open jobs and ratings (pure)", () => {
    const base = { graded: false, failedJobs: 0, rated: 0, processingJobs: 0, openJobs: 2 };
    expect(deriveSubmissionStatus(base)).toBe("pending");
    expect(deriveSubmissionStatus({ ...base, processingJobs: 1 })).toBe("grading");
    expect(deriveSubmissionStatus({ ...base, rated: 3 })).toBe("grading");
    expect(deriveSubmissionStatus({ ...base, failedJobs: 1, openJobs: 1 })).toBe("grading"); // the others still run
    expect(deriveSubmissionStatus({ ...base, failedJobs: 1, openJobs: 0 })).toBe("failed");
    expect(deriveSubmissionStatus({ ...base, rated: 3, openJobs: 0 })).toBe("failed"); // stalled: jobs gone
    expect(deriveSubmissionStatus({ ...base, graded: true, failedJobs: 1, openJobs: 0 })).toBe("graded");
  });

  it("a submission whose jobs failed for good is failed with their errors, and Retry grades it to the end", async () => {
    const sql = db.current.sql;
    const assignment = await createTestAssignment(sql);
    const created = await createSubmission(
      sql,
      { assignmentId: assignment.id, studentName: "Flo", text: makeEssay(7, "retry") },
      { rater },
    );
    llm.setFaults({ rates: { unauthorized: 1 } }); // a rejected key: not retriable
    await drainUntilSettled(sql, createAppTasks(rater), [created.id]);
    const failed = (await getSubmissionState(sql, created.id))!;
    expect(failed.status).toBe("failed");
    expect(failed.errors.length).toBeGreaterThan(0);
    expect(failed.errors[0]!.error).toMatch(/401|rejected|key/i);

    llm.setFaults(null);
    expect(await resumeSubmissionGrading(sql, created.id)).toMatchObject({ retried: 2, enqueued: 0 });
    await drainUntilSettled(sql, createAppTasks(rater), [created.id]);
    expect((await getSubmissionState(sql, created.id))!.status).toBe("graded");
  });

  it("a submission whose jobs were cleaned away is failed, and Retry enqueues the missing work", async () => {
    const sql = db.current.sql;
    const assignment = await createTestAssignment(sql);
    const created = await createSubmission(
      sql,
      { assignmentId: assignment.id, studentName: "Gus", text: makeEssay(8, "stalled") },
      { rater },
    );
    await sql`update grading_jobs set status = 'cancelled', finished_at = now() where payload ->> 'submissionId' = ${created.id}`;
    await sql`select cleanup_grading_jobs(interval '0 seconds')`;
    const stalled = (await getSubmissionState(sql, created.id))!;
    expect(stalled.status).toBe("failed");
    expect(stalled.errors[0]!.error).toMatch(/Retry to grade the rest/);

    const resumed = await resumeSubmissionGrading(sql, created.id);
    expect(resumed).toEqual({ retried: 0, enqueued: 2 }); // 8 lines → two rate_lines jobs
    expect(await resumeSubmissionGrading(sql, created.id)).toEqual({ retried: 0, enqueued: 0 }); // a second click adds nothing
    await drainUntilSettled(sql, createAppTasks(rater), [created.id]);
    const state = (await getSubmissionState(sql, created.id))!;
    expect(state.status).toBe("graded");
    expect(state.progress).toEqual({ rated: 8, total: 8 });
  });
});

describe("effectiveOverallScore (pure)", () => {
  const grade = {
    overallScore: 3,
    criteria: [
      { criterionId: "a", score: 3.5 },
      { criterionId: "b", score: 5 },
      { criterionId: "c", score: 1 },
    ],
  };
  it("is the rater's own overall score until a teacher overrides a criterion", () => {
    expect(effectiveOverallScore(grade, [])).toBe(3);
  });
  it("then is the mean of the criteria with the overrides in place", () => {
    expect(effectiveOverallScore(grade, [{ criterionId: "c", score: 4 }])).toBeCloseTo((3.5 + 5 + 4) / 3, 2);
  });
});
