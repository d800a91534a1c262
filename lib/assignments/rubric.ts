import { z } from "zod";

/** A teacher's rubric: a score scale and criteria with their levels. */
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
