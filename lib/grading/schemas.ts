import { z } from "zod";

export const MAX_SUBMISSION_BYTES = 100 * 1024;
export const MAX_SUBMISSION_LINES = 400;
export const LINES_PER_JOB = 5;

export const rubricLevelSchema = z.object({
  score: z.number().finite(),
  label: z.string().trim().min(1).max(80),
  description: z.string().trim().max(1000).default(""),
});
export type RubricLevel = z.infer<typeof rubricLevelSchema>;

export const rubricCriterionSchema = z.object({
  id: z
    .string()
    .trim()
    .regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, "criterion ids are lowercase letters, digits, - and _"),
  name: z.string().trim().min(1).max(120),
  description: z.string().trim().max(2000).default(""),
  levels: z.array(rubricLevelSchema).min(2, "a criterion needs at least two levels").max(10),
});
export type RubricCriterion = z.infer<typeof rubricCriterionSchema>;

export const rubricSchema = z
  .object({
    scale: z.object({ min: z.number().finite(), max: z.number().finite() }),
    criteria: z.array(rubricCriterionSchema).min(1, "a rubric needs at least one criterion").max(20),
  })
  .refine((rubric) => rubric.scale.max > rubric.scale.min, "the scale's max must be above its min")
  .refine(
    (rubric) => new Set(rubric.criteria.map((criterion) => criterion.id)).size === rubric.criteria.length,
    "criterion ids must be unique",
  );
export type Rubric = z.infer<typeof rubricSchema>;

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

export const createSubmissionBodySchema = z.object({
  assignmentId: z.uuid("assignmentId must be a UUID"),
  studentName: z.string().trim().min(1, "studentName is required").max(120),
  studentId: z.uuid().optional(),
  text: z.string({ error: "text is required" }),
  /** The draft this one revises; defaults to the student's latest submission for the assignment. */
  previousSubmissionId: z.uuid().optional(),
});
export type CreateSubmissionBody = z.infer<typeof createSubmissionBodySchema>;
