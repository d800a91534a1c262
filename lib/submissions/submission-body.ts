import { z } from "zod";
import { isStorableText, STORABLE_TEXT_MESSAGE } from "./control-characters";

/** What POST /api/submissions and /api/grade/stream accept. */
export const createSubmissionBodySchema = z.object({
  assignmentId: z.uuid("assignmentId must be a UUID"),
  studentName: z
    .string()
    .trim()
    .min(1, "studentName is required")
    .max(120)
    // A NUL cannot be stored at all; the essay's own text is checked by splitLines (a 422, like an empty essay).
    .refine(isStorableText, `the name ${STORABLE_TEXT_MESSAGE}`),
  studentId: z.uuid().optional(),
  text: z.string({ error: "text is required" }),
  /** The draft this one revises; defaults to the student's latest submission for the assignment. */
  previousSubmissionId: z.uuid().optional(),
});
export type CreateSubmissionBody = z.infer<typeof createSubmissionBodySchema>;
