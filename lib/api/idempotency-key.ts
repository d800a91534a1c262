import { createHash } from "node:crypto";
import { z } from "zod";
import { ApiError, describeZodError } from "./errors";

export const IDEMPOTENCY_KEY_HEADER = "Idempotency-Key";
/** Sent on an answer that repeats what an earlier request with the same key created. */
export const IDEMPOTENT_REPLAYED_HEADER = "Idempotent-Replayed";
export const MAX_IDEMPOTENCY_KEY_LENGTH = 255;

// Printable ASCII (space to tilde): what an HTTP header carries safely and a log shows as is.
export const idempotencyKeySchema = z
  .string()
  .min(1, `${IDEMPOTENCY_KEY_HEADER} is empty; send a new random value (a UUID) per submission, or leave the header out.`)
  .max(
    MAX_IDEMPOTENCY_KEY_LENGTH,
    `${IDEMPOTENCY_KEY_HEADER} is too long: at most ${MAX_IDEMPOTENCY_KEY_LENGTH} characters (a UUID has 36).`,
  )
  .regex(/^[\x20-\x7e]+$/, `${IDEMPOTENCY_KEY_HEADER} may hold only printable ASCII characters; a UUID is a good choice.`);

/** The request's Idempotency-Key, or null when it has none; a malformed one is a 400 with a sentence. */
export function readIdempotencyKey(request: Request): string | null {
  const value = request.headers.get(IDEMPOTENCY_KEY_HEADER);
  if (value === null) return null;
  const parsed = idempotencyKeySchema.safeParse(value);
  if (!parsed.success) throw new ApiError("bad_request", describeZodError(parsed.error));
  return parsed.data;
}

/** JSON with object keys sorted, so equal values always serialise alike. */
function stableStringify(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, field]) => field !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, field]) => `${JSON.stringify(key)}:${stableStringify(field)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

/** sha256 of the parsed request: a retry of the same request has the same fingerprint. */
export function fingerprintRequest(value: unknown): string {
  return createHash("sha256").update(stableStringify(value)).digest("hex");
}
