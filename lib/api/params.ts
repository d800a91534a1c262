import { z } from "zod";
import { ApiError, describeZodError } from "./errors";

const submissionIdSchema = z.uuid("The submission id must be a UUID.");
const jobIdSchema = z.coerce.number({ error: "The job id must be a number." }).int().positive("The job id must be a positive whole number.");

export function parseSubmissionId(value: string): string {
  const parsed = submissionIdSchema.safeParse(value);
  if (!parsed.success) throw new ApiError("bad_request", describeZodError(parsed.error));
  return parsed.data;
}

export function parseJobId(value: string): number {
  const parsed = jobIdSchema.safeParse(value);
  if (!parsed.success) throw new ApiError("bad_request", describeZodError(parsed.error));
  return parsed.data;
}
