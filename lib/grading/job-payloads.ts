import { z } from "zod";
import type { JobKindRegistry } from "../queue/job-kinds";
import { LINES_PER_JOB } from "./schemas";

export const rateLinesPayloadSchema = z.object({
  submissionId: z.uuid(),
  lineIndexes: z.array(z.number().int().min(0)).min(1).max(LINES_PER_JOB),
});
export type RateLinesPayload = z.infer<typeof rateLinesPayloadSchema>;

export const gradeSubmissionPayloadSchema = z.object({ submissionId: z.uuid() });
export type GradeSubmissionPayload = z.infer<typeof gradeSubmissionPayloadSchema>;

export const gradingJobKinds = {
  // LLM outages are the usual failure: enough attempts to ride out a few minutes of them.
  rate_lines: { payload: rateLinesPayloadSchema, maxAttempts: 8 },
  grade_submission: { payload: gradeSubmissionPayloadSchema, maxAttempts: 8 },
} as const satisfies JobKindRegistry;
