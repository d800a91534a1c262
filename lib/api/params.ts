import { z } from "zod";
import { ApiError, describeZodError } from "./errors";

const uuidSchema = z.uuid("The id must be a UUID.");
const jobIdSchema = z.coerce
  .number({ error: "The job id must be a number." })
  .int()
  .positive("The job id must be a positive whole number.");
const lineIndexSchema = z.coerce.number({ error: "The line index must be a number." }).int().min(0, "The line index must be 0 or more.");

function parseWith<T>(schema: z.ZodType<T>, value: string): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new ApiError("bad_request", describeZodError(parsed.error));
  return parsed.data;
}

export const parseUuid = (value: string) => parseWith(uuidSchema, value);
export const parseSubmissionId = parseUuid;
export const parseJobId = (value: string) => parseWith(jobIdSchema, value);
export const parseLineIndex = (value: string) => parseWith(lineIndexSchema, value);
