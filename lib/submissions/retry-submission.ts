import type { Sql } from "../db/sql";
import { enqueueJobs } from "../queue/enqueue-jobs";
import { rateLinesJobs } from "./create-submission";
import { assertSubmissionWorkMayRestart, getSubmissionJobs, retryFailedSubmissionJobs } from "./submission-jobs";
import { hasGrade } from "./submission-state";
import { gradingJobKinds } from "../grading/job-payloads";
import { gradeSubmissionDedupeKey } from "../grading/line-ratings";

export interface ResumeResult {
  /** Failed jobs given fresh attempts. */
  retried: number;
  /** New jobs for work whose jobs are gone (cancelled, or cleaned up after the retention window). */
  enqueued: number;
}

/**
 * The Retry button: every failed job of the submission runs again, and whatever is
 * still missing without a job to do it (unrated lines, the grade) gets new jobs, so a
 * stalled submission can always be finished, unless a job has used its manual retries
 * (SubmissionRetryLimitError, 409; nothing is changed then).
 */
export async function resumeSubmissionGrading(sql: Sql, submissionId: string): Promise<ResumeResult> {
  return sql.begin(async (tx) => {
    // Lock the submission: two Retry clicks must not both enqueue the missing work.
    const [submission] = await tx<{ graded_at: Date | null; scores: unknown }[]>`
      select graded_at, scores from submissions where id = ${submissionId} for update
    `;
    if (!submission || hasGrade(submission)) return { retried: 0, enqueued: 0 };
    const retried = await retryFailedSubmissionJobs(tx, submissionId);
    if ((await getSubmissionJobs(tx, submissionId)).open > 0) return { retried, enqueued: 0 };
    const unrated = await tx<{ line_index: number }[]>`
      select l.line_index from submission_lines l
      where l.submission_id = ${submissionId}
        and not exists (select 1 from line_ratings r where r.submission_id = l.submission_id and r.line_index = l.line_index)
      order by l.line_index
    `;
    const jobs =
      unrated.length > 0
        ? rateLinesJobs(
            submissionId,
            unrated.map((row) => row.line_index),
          )
        : [{ kind: "grade_submission" as const, payload: { submissionId }, dedupeKey: gradeSubmissionDedupeKey(submissionId) }];
    await assertSubmissionWorkMayRestart(tx, submissionId, jobs[0]!.kind);
    const enqueued = await enqueueJobs(tx, jobs, gradingJobKinds);
    return { retried, enqueued: enqueued.filter((job) => job.inserted).length };
  });
}
