import postgres from "postgres";
import { describe, expect, it } from "vitest";
import { createSubmission } from "../../lib/submissions/create-submission";
import { getSubmissionJobs, listSubmissionJobs, retryFailedSubmissionJobs } from "../../lib/submissions/submission-jobs";
import { freshDatabasePerFile } from "../helpers/db";
import { createTestAssignment, identityOnlyRater, makeEssay } from "../helpers/grading";

const db = freshDatabasePerFile();

describe("a submission's jobs (lib/submissions/submission-jobs.ts)", () => {
  it("counts each submission's open, running and failed jobs apart, with the failures' errors in job order", async () => {
    const sql = db.current.sql;
    await sql`delete from grading_jobs`;
    const assignment = await createTestAssignment(sql);
    const create = (name: string, lines: number) =>
      createSubmission(sql, { assignmentId: assignment.id, studentName: name, text: makeEssay(lines, name) }, { rater: identityOnlyRater });
    const ann = await create("ann", 12); // three rate_lines jobs
    const ben = await create("ben", 4); // one
    const [first, second, third] = ann.jobIds;
    await sql`update grading_jobs set status = 'processing', lease_owner = 'w', lease_expires_at = now() + interval '1 minute' where id = ${first!}`;
    await sql`update grading_jobs set status = 'failed', last_error = 'LLM said 500' where id = ${third!}`;
    await sql`update grading_jobs set status = 'failed', last_error = null where id = ${second!}`;
    await sql`insert into grading_jobs (kind, payload) values ('noop', '{}')`; // names no submission

    const jobs = await listSubmissionJobs(sql, [ann.id, ben.id, "00000000-0000-4000-8000-00000000dead"]);
    expect(jobs.get(ann.id)).toEqual({
      processing: 1,
      open: 1,
      failed: [
        { jobId: second, kind: "rate_lines", error: "unknown error" },
        { jobId: third, kind: "rate_lines", error: "LLM said 500" },
      ],
    });
    expect(jobs.get(ben.id)).toEqual({ processing: 0, open: 1, failed: [] });
    expect(jobs.get("00000000-0000-4000-8000-00000000dead")).toEqual({ processing: 0, open: 0, failed: [] });

    expect(await retryFailedSubmissionJobs(sql, ann.id)).toBe(2);
    expect(await getSubmissionJobs(sql, ann.id)).toEqual({ processing: 1, open: 3, failed: [] });
    expect(await getSubmissionJobs(sql, ben.id)).toEqual({ processing: 0, open: 1, failed: [] });
  });

  it("finds a submission's jobs through grading_jobs_submission_id_idx, never by scanning the queue", async () => {
    // The index is partial (payload ? 'submissionId'): a query without that condition
    // cannot use it. Capture the module's own statements and ask the planner about them.
    const statements: Array<{ query: string; parameters: unknown[] }> = [];
    const capturing = postgres(db.current.url, {
      max: 1,
      onnotice: () => {},
      debug: (_connection, query, parameters) => statements.push({ query, parameters: [...parameters] }),
    });
    try {
      const id = "00000000-0000-4000-8000-000000000001";
      await listSubmissionJobs(capturing, [id]);
      await retryFailedSubmissionJobs(capturing, id);
      const jobStatements = statements.filter((statement) => /from grading_jobs/.test(statement.query));
      expect(jobStatements.length).toBeGreaterThanOrEqual(2);
      await capturing.begin(async (tx) => {
        await tx`set local enable_seqscan = off`;
        for (const { query, parameters } of jobStatements) {
          const [plan] = await tx.unsafe(`explain (format json) ${query}`, parameters as never[]);
          expect(JSON.stringify(plan)).toContain("grading_jobs_submission_id_idx");
        }
      });
    } finally {
      await capturing.end({ timeout: 5 });
    }
  });
});
