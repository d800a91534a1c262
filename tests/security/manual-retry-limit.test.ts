import { beforeEach, describe, expect, it } from "vitest";
import type { Sql } from "../../lib/db/sql";
import { claimJobs, enqueueJobs, failJob } from "../../lib/queue";
import { changeJobStatus } from "../../lib/queue/change-job-status";
import { cancelJob, ManualRetryLimitError, retryJob } from "../../lib/queue/manage-jobs";
import { createSubmission } from "../../lib/submissions/create-submission";
import { resumeSubmissionGrading } from "../../lib/submissions/retry-submission";
import { SubmissionRetryLimitError } from "../../lib/submissions/submission-jobs";
import { freshDatabasePerFile, getJobRow } from "../helpers/db";
import { createTestAssignment, identityOnlyRater, makeEssay } from "../helpers/grading";

const db = freshDatabasePerFile();
const MAX_MANUAL_RETRIES = 3; // the column default of grading_jobs.max_manual_retries

beforeEach(async () => {
  await db.current.sql`delete from grading_jobs`;
});

/** Runs every runnable job of these kinds once and fails it for good, as a rater with a rejected key would. */
async function failRunnableJobs(sql: Sql, kinds: string[]): Promise<number> {
  const claimed = await claimJobs(sql, { workerId: "failing-worker", batchSize: 100, kinds });
  for (const job of claimed) {
    await failJob(sql, { jobId: Number(job.id), workerId: "failing-worker", error: "OPENAI_API_KEY was rejected (401)", permanent: true });
  }
  return claimed.length;
}

async function failedNoop(sql: Sql): Promise<number> {
  const [job] = await enqueueJobs(sql, [{ kind: "noop", payload: {} }]);
  expect(await failRunnableJobs(sql, ["noop"])).toBe(1);
  return job!.jobId;
}

describe("manual retries are capped per job (#9)", () => {
  it(`a failed job can be retried by hand ${MAX_MANUAL_RETRIES} times; the next retry is refused with a sentence and changes nothing`, async () => {
    const { sql } = db.current;
    const id = await failedNoop(sql);
    for (let retry = 1; retry <= MAX_MANUAL_RETRIES; retry++) {
      expect(await retryJob(sql, id)).toBe("pending");
      expect(await getJobRow(sql, id)).toMatchObject({ status: "pending", attempts: 0, manual_retries: retry });
      expect(await failRunnableJobs(sql, ["noop"])).toBe(1);
    }
    const before = await getJobRow(sql, id);

    const refused = await retryJob(sql, id).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ManualRetryLimitError);
    expect((refused as ManualRetryLimitError).status).toBe(409);
    expect((refused as ManualRetryLimitError).message).toMatch(/already been retried by hand 3 times, the limit.*401/);
    // Before the cap, this retry went through: attempts back to 0 and more paid LLM calls.
    expect(await getJobRow(sql, id)).toEqual(before);
    expect(before).toMatchObject({ status: "failed", attempts: 1, manual_retries: MAX_MANUAL_RETRIES });
  });

  it("retry and cancel in turn count against the same cap: cancelling does not buy fresh retries", async () => {
    const { sql } = db.current;
    const id = await failedNoop(sql);
    for (let retry = 1; retry <= MAX_MANUAL_RETRIES; retry++) {
      expect(await retryJob(sql, id)).toBe("pending");
      expect(await cancelJob(sql, id)).toBe("cancelled");
    }
    await expect(retryJob(sql, id)).rejects.toBeInstanceOf(ManualRetryLimitError);
    expect(await getJobRow(sql, id)).toMatchObject({ status: "cancelled", manual_retries: MAX_MANUAL_RETRIES });
  });

  it("the job API's retry (changeJobStatus) answers the cap with a 409 sentence", async () => {
    const { sql } = db.current;
    const id = await failedNoop(sql);
    await sql`update grading_jobs set manual_retries = max_manual_retries where id = ${id}`;
    await expect(changeJobStatus(sql, id, "retry")).rejects.toMatchObject({ code: "conflict", status: 409 });
  });

  it("the SQL function itself refuses past the cap, so every caller (worker, cron, edge function) is bound by it", async () => {
    const { sql } = db.current;
    const id = await failedNoop(sql);
    await sql`update grading_jobs set manual_retries = max_manual_retries where id = ${id}`;
    const [row] = await sql<{ status: string }[]>`select retry_grading_job(${id}) as status`;
    expect(row!.status).toBe("failed");
    expect(await getJobRow(sql, id)).toMatchObject({ status: "failed", attempts: 1 });
  });
});

describe("a submission's Retry is capped with its jobs (#9)", () => {
  async function failedSubmission(sql: Sql) {
    const assignment = await createTestAssignment(sql);
    const created = await createSubmission(
      sql,
      { assignmentId: assignment.id, studentName: "Flo", text: makeEssay(7, `cap-${Math.random()}`) },
      { rater: identityOnlyRater },
    );
    expect(await failRunnableJobs(sql, ["rate_lines"])).toBe(2);
    return created.id;
  }

  const jobsOf = (sql: Sql, submissionId: string) =>
    sql`select id, status, attempts, manual_retries from grading_jobs where payload ->> 'submissionId' = ${submissionId} order by id`;

  it(`Retry works ${MAX_MANUAL_RETRIES} times, then answers 409 with a sentence and retries nothing`, async () => {
    const { sql } = db.current;
    const submissionId = await failedSubmission(sql);
    for (let retry = 1; retry <= MAX_MANUAL_RETRIES; retry++) {
      expect(await resumeSubmissionGrading(sql, submissionId)).toEqual({ retried: 2, enqueued: 0 });
      expect(await failRunnableJobs(sql, ["rate_lines"])).toBe(2);
    }
    const before = await jobsOf(sql, submissionId);

    const refused = await resumeSubmissionGrading(sql, submissionId).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(SubmissionRetryLimitError);
    expect((refused as SubmissionRetryLimitError).status).toBe(409);
    expect((refused as SubmissionRetryLimitError).message).toMatch(
      /^Grading this essay has already been retried 3 times, the limit, and job \d+ still fails: OPENAI_API_KEY was rejected \(401\)\. Nothing was retried/,
    );
    // Before the cap, each Retry gave every failed job fresh attempts, forever.
    expect(await jobsOf(sql, submissionId)).toEqual(before);
  });

  it("retrying to the cap and then cancelling does not make Retry enqueue fresh jobs for the same lines", async () => {
    const { sql } = db.current;
    const submissionId = await failedSubmission(sql);
    for (let retry = 1; retry <= MAX_MANUAL_RETRIES; retry++) {
      await resumeSubmissionGrading(sql, submissionId);
      if (retry < MAX_MANUAL_RETRIES) await failRunnableJobs(sql, ["rate_lines"]);
    }
    for (const job of await jobsOf(sql, submissionId)) await cancelJob(sql, Number(job.id));
    const before = await jobsOf(sql, submissionId);

    // Before, with nothing failed and nothing open, Retry enqueued new jobs with no retries used.
    await expect(resumeSubmissionGrading(sql, submissionId)).rejects.toBeInstanceOf(SubmissionRetryLimitError);
    expect(await jobsOf(sql, submissionId)).toEqual(before);
  });

  it("cancelled work that was never retried to the cap still gets new jobs from Retry", async () => {
    const { sql } = db.current;
    const submissionId = await failedSubmission(sql);
    await resumeSubmissionGrading(sql, submissionId);
    for (const job of await jobsOf(sql, submissionId)) await cancelJob(sql, Number(job.id));
    expect(await resumeSubmissionGrading(sql, submissionId)).toEqual({ retried: 0, enqueued: 2 });
  });
});
