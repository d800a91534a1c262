import { z } from "zod";

export const LINES_PER_JOB = 5;

/** One line as the raters see it. */
export interface SubmissionLine {
  index: number;
  text: string;
  start: number;
  end: number;
}

/** What a rater says about one line: validated in the rater, never trusted raw. */
export const lineRatingSchema = z.object({
  lineIndex: z.number().int().min(0),
  score: z.number().finite(),
  label: z.string().trim().min(1).max(40),
  comment: z.string().trim().max(600),
  suggestion: z.string().trim().max(600).nullable(),
  criterionId: z.string().max(64).nullable(),
});
export type LineRating = z.infer<typeof lineRatingSchema>;

export const criterionScoreSchema = z.object({
  criterionId: z.string().min(1).max(64),
  score: z.number().finite(),
  rationale: z.string().trim().max(1500),
});
export type CriterionScore = z.infer<typeof criterionScoreSchema>;

/** A whole submission's grade, written by the grade_submission job. */
export const submissionGradeSchema = z.object({
  criteria: z.array(criterionScoreSchema).min(1),
  overallScore: z.number().finite(),
  feedback: z.string().trim().min(1).max(4000),
});
export type SubmissionGrade = z.infer<typeof submissionGradeSchema>;
