import { z } from "zod";
import { hasNoControlCharacters } from "./control-characters";

/** What POST /api/submissions and /api/grade/stream accept. */
export const createSubmissionBodySchema = z.object({
  assignmentId: z.uuid("assignmentId must be a UUID"),
  studentName: z
    .string()
    .trim()
    .min(1, "studentName is required")
    .max(120)
    // A NUL cannot be stored at all; the essay's own text is checked by splitLines (a 422, like an empty essay).
    .refine(hasNoControlCharacters, "the name contains a control character (such as a NUL byte); remove it"),
  studentId: z.uuid().optional(),
  text: z.string({ error: "text is required" }),
  /** The draft this one revises; defaults to the student's latest submission for the assignment. */
  previousSubmissionId: z.uuid().optional(),
});
export type CreateSubmissionBody = z.infer<typeof createSubmissionBodySchema>;
