import type { SqlExecutor } from "../db/sql";
import { listRatingsSince } from "../grading/line-ratings";
import type { CriterionScore } from "../grading/schemas";
import { getSubmissionJobs, type SubmissionJobs } from "./submission-jobs";
import {
  deriveSubmissionStatus,
  effectiveOverallScore,
  STALLED_ERROR,
  type SubmissionState,
  type SubmissionStatus,
} from "./submission-view";

export * from "./submission-view";

/** A submission is graded once grade_submission wrote its scores; one rule for every view. */
export function hasGrade(row: { graded_at: Date | null; scores: unknown }): boolean {
  return row.graded_at !== null && row.scores !== null;
}

/** deriveSubmissionStatus for a submission row and its jobs (see submission-jobs.ts). */
export function submissionStatus(row: { graded_at: Date | null; scores: unknown; rated: number }, jobs: SubmissionJobs): SubmissionStatus {
  return deriveSubmissionStatus({
    graded: hasGrade(row),
    failedJobs: jobs.failed.length,
    rated: row.rated,
    processingJobs: jobs.processing,
    openJobs: jobs.open,
  });
}

interface SubmissionRow {
  id: string;
  assignment_id: string;
  student_name: string;
  created_at: Date;
  line_count: number;
  scores: CriterionScore[] | null;
  overall_score: string | null;
  feedback: string | null;
  rater: string | null;
  graded_at: Date | null;
  graded_seq: number | null;
  event_seq: number;
  previous_submission_id: string | null;
  flagged_at: Date | null;
  flag_reason: string | null;
  rated: number;
}

/** Status, progress and failures only: what the stream polls and the session page lists. */
export async function getSubmissionSummary(sql: SqlExecutor, submissionId: string) {
  const [row] = await sql<SubmissionRow[]>`
    select s.id, s.assignment_id, s.student_name, s.created_at, s.line_count, s.scores, s.overall_score, s.feedback,
           s.rater, s.graded_at, s.graded_seq, s.event_seq, s.previous_submission_id, s.flagged_at, s.flag_reason,
           (select count(*)::int from line_ratings r where r.submission_id = s.id) as rated
    from submissions s where s.id = ${submissionId}
  `;
  if (!row) return null;
  const jobs = await getSubmissionJobs(sql, submissionId);
  const graded = hasGrade(row);
  return {
    row,
    errors: !graded && jobs.open === 0 && jobs.failed.length === 0 ? [STALLED_ERROR] : jobs.failed,
    status: submissionStatus(row, jobs),
    grade: graded
      ? {
          criteria: row.scores!,
          overallScore: Number(row.overall_score),
          feedback: row.feedback ?? "",
          rater: row.rater ?? "",
          gradedAt: row.graded_at!,
          seq: row.graded_seq ?? row.event_seq,
        }
      : null,
  };
}

/** Everything the submission page needs: lines with their ratings, status, grade, errors. */
export async function getSubmissionState(sql: SqlExecutor, submissionId: string): Promise<SubmissionState | null> {
  const summary = await getSubmissionSummary(sql, submissionId);
  if (!summary) return null;
  const [lines, ratings, lineOverrides, criterionOverrides] = await Promise.all([
    sql<{ line_index: number; body: string; start_offset: number; end_offset: number; changed_since_previous: boolean }[]>`
      select line_index, body, start_offset, end_offset, changed_since_previous
      from submission_lines where submission_id = ${submissionId} order by line_index
    `,
    listRatingsSince(sql, submissionId, 0),
    sql<{ line_index: number; score: string; label: string | null; comment: string; updated_at: Date }[]>`
      select line_index, score, label, comment, updated_at from rating_overrides where submission_id = ${submissionId}
    `,
    sql<{ criterion_id: string; score: string; comment: string; updated_at: Date }[]>`
      select criterion_id, score, comment, updated_at from criterion_overrides where submission_id = ${submissionId} order by criterion_id
    `,
  ]);
  const overrideByLine = new Map(lineOverrides.map((row) => [row.line_index, row]));
  const criterionOverrideViews = criterionOverrides.map((row) => ({
    criterionId: row.criterion_id,
    score: Number(row.score),
    comment: row.comment,
    updatedAt: row.updated_at,
  }));
  const ratingByLine = new Map(ratings.map((rating) => [rating.lineIndex, rating]));
  const { row } = summary;
  return {
    id: row.id,
    assignmentId: row.assignment_id,
    studentName: row.student_name,
    createdAt: row.created_at,
    status: summary.status,
    progress: { rated: row.rated, total: row.line_count },
    lines: lines.map((line) => ({
      index: line.line_index,
      text: line.body,
      start: line.start_offset,
      end: line.end_offset,
      changedSincePrevious: line.changed_since_previous,
      rating: ratingByLine.get(line.line_index) ?? null,
      override: overrideByLine.has(line.line_index)
        ? (({ score, label, comment, updated_at }) => ({ score: Number(score), label, comment, updatedAt: updated_at }))(
            overrideByLine.get(line.line_index)!,
          )
        : null,
    })),
    grade: summary.grade,
    criterionOverrides: criterionOverrideViews,
    effectiveOverallScore: summary.grade ? effectiveOverallScore(summary.grade, criterionOverrideViews) : null,
    errors: summary.errors,
    previousSubmissionId: row.previous_submission_id,
    eventSeq: row.event_seq,
    flag: row.flagged_at && row.flag_reason ? { flaggedAt: row.flagged_at, reason: row.flag_reason } : null,
  };
}
