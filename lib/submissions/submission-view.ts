import type { LineRatingView } from "../grading/line-ratings";
import type { CriterionScore } from "../grading/schemas";

// What the submission page, the session table and the browser's stream reducer share.
// No value imports: the browser bundles this file.

export type { LineRatingView };

export type SubmissionStatus = "pending" | "grading" | "graded" | "failed";

/** Shown when grading stopped with no failed job left to show (cancelled, or cleaned up after the retention window). */
export const STALLED_ERROR = {
  jobId: 0,
  kind: "rate_lines",
  error: "Grading stopped before it finished (its jobs were cancelled or cleaned up). Retry to grade the rest.",
} as const;

export interface RatedLineView {
  index: number;
  text: string;
  start: number;
  end: number;
  changedSincePrevious: boolean;
  rating: LineRatingView | null;
  /** A teacher's rating, shown beside the rater's. */
  override: { score: number; label: string | null; comment: string; updatedAt: Date } | null;
}

export interface CriterionOverrideView {
  criterionId: string;
  score: number;
  comment: string;
  updatedAt: Date;
}

/** Set when a line looked like an instruction to the grader (#9): the teacher should read it. */
export interface SubmissionFlag {
  flaggedAt: Date;
  /** A sentence naming the line and what it said. */
  reason: string;
}

export interface SubmissionState {
  id: string;
  assignmentId: string;
  studentName: string;
  createdAt: Date;
  status: SubmissionStatus;
  progress: { rated: number; total: number };
  lines: RatedLineView[];
  grade: { criteria: CriterionScore[]; overallScore: number; feedback: string; rater: string; gradedAt: Date; seq: number } | null;
  criterionOverrides: CriterionOverrideView[];
  /** The grade with teachers' criterion overrides applied (null until graded). */
  effectiveOverallScore: number | null;
  /** Errors of the jobs that failed for good (status failed). */
  errors: Array<{ jobId: number; kind: string; error: string }>;
  previousSubmissionId: string | null;
  eventSeq: number;
  /** Always present from getSubmissionState; optional so a snapshot made elsewhere may leave it out. */
  flag?: SubmissionFlag | null;
}

/**
 * pending → grading → graded; failed once nothing is queued or running any more and
 * the grade is still missing: a job failed for good (until the others finish, their
 * lines keep arriving), or the jobs were cancelled or cleaned away.
 */
export function deriveSubmissionStatus(input: {
  graded: boolean;
  failedJobs: number;
  rated: number;
  processingJobs: number;
  /** Jobs still pending or processing. */
  openJobs: number;
}): SubmissionStatus {
  if (input.graded) return "graded";
  // Every job is enqueued in the transaction that makes it necessary, so an ungraded
  // submission with no open job will never finish by itself.
  if (input.openJobs === 0) return "failed";
  if (input.rated > 0 || input.processingJobs > 0 || input.failedJobs > 0) return "grading";
  return "pending";
}

/**
 * The overall score people see: the rater's own overall score, or, once a teacher has
 * overridden a criterion, the mean of the criterion scores with the overrides in place.
 * One rule for the submission page, the session table and the CSV export.
 */
export function effectiveOverallScore(
  grade: { overallScore: number; criteria: ReadonlyArray<{ criterionId: string; score: number }> },
  overrides: ReadonlyArray<{ criterionId: string; score: number }>,
): number {
  if (overrides.length === 0 || grade.criteria.length === 0) return grade.overallScore;
  const overridden = new Map(overrides.map((override) => [override.criterionId, override.score]));
  const total = grade.criteria.reduce((sum, criterion) => sum + (overridden.get(criterion.criterionId) ?? criterion.score), 0);
  return Math.round((total / grade.criteria.length) * 100) / 100;
}
