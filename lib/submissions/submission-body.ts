import { z } from "zod";

/** What POST /api/submissions and /api/grade/stream accept. */
export const createSubmissionBodySchema = z.object({
  assignmentId: z.uuid("assignmentId must be a UUID"),
  studentName: z.string().trim().min(1, "studentName is required").max(120),
  studentId: z.uuid().optional(),
  text: z.string({ error: "text is required" }),
  /** The draft this one revises; defaults to the student's latest submission for the assignment. */
  previousSubmissionId: z.uuid().optional(),
});
export type CreateSubmissionBody = z.infer<typeof createSubmissionBodySchema>;
