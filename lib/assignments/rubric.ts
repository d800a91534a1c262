import { z } from "zod";
import { isStorableText, STORABLE_TEXT_MESSAGE } from "../submissions/control-characters";

/**
 * Scores are stored as numeric(6, 2) (line_ratings, overrides, submissions.overall_score):
 * at most 9999.99 either way, to the hundredth. A rubric outside that range could never
 * be graded (every rating overflowed its column and the job failed for good, #9), so it
 * is refused when saved; finer decimals are rounded to what the columns keep.
 */
export const MAX_RUBRIC_SCORE = 9999.99;

const roundToHundredths = (value: number) => Math.round(value * 100) / 100;

export const rubricScoreSchema = z
  .number()
  .finite()
  .min(-MAX_RUBRIC_SCORE, `scores go down to -${MAX_RUBRIC_SCORE}`)
  .max(MAX_RUBRIC_SCORE, `scores go up to ${MAX_RUBRIC_SCORE}`)
  .transform(roundToHundredths);

/** Rubrics are stored as jsonb, which cannot hold U+0000 or a lone surrogate: refused here instead of failing the insert. */
const noControlCharacters = [isStorableText, STORABLE_TEXT_MESSAGE] as const;

/** A teacher's rubric: a score scale and criteria with their levels. */
export const rubricLevelSchema = z.object({
  score: rubricScoreSchema,
  label: z
    .string()
    .trim()
    .min(1)
    .max(80)
    .refine(...noControlCharacters),
  description: z
    .string()
    .trim()
    .max(1000)
    .refine(...noControlCharacters)
    .default(""),
});
export type RubricLevel = z.infer<typeof rubricLevelSchema>;

export const rubricCriterionSchema = z.object({
  id: z
    .string()
    .trim()
    .regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, "criterion ids are lowercase letters, digits, - and _"),
  name: z
    .string()
    .trim()
    .min(1)
    .max(120)
    .refine(...noControlCharacters),
  description: z
    .string()
    .trim()
    .max(2000)
    .refine(...noControlCharacters)
    .default(""),
  levels: z.array(rubricLevelSchema).min(2, "a criterion needs at least two levels").max(10),
});
export type RubricCriterion = z.infer<typeof rubricCriterionSchema>;

export const rubricSchema = z
  .object({
    scale: z.object({ min: rubricScoreSchema, max: rubricScoreSchema }),
    criteria: z.array(rubricCriterionSchema).min(1, "a rubric needs at least one criterion").max(20),
  })
  .refine((rubric) => rubric.scale.max > rubric.scale.min, "the scale's max must be above its min")
  .refine(
    (rubric) => new Set(rubric.criteria.map((criterion) => criterion.id)).size === rubric.criteria.length,
    "criterion ids must be unique",
  );
export type Rubric = z.infer<typeof rubricSchema>;
