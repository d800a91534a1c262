import { ApiError, DATABASE_RETRY_AFTER_SECONDS, MISCONFIGURED_RETRY_AFTER_SECONDS } from "../api/errors";
import { classifyDatabaseUnavailable } from "../db/database-unavailable";

/**
 * Turns "the database is down or misconfigured" into a 503 whose message an operator
 * can act on; any other error is returned unchanged for toErrorResponse. The message
 * names the error code but not the host, which the route must not leak. (The other API
 * routes get the same 503 with a sentence for students and teachers from toErrorResponse.)
 */
export function explainDatabaseError(error: unknown): unknown {
  if (error instanceof Error && error.message.startsWith("DATABASE_URL")) {
    return new ApiError("misconfigured", error.message, MISCONFIGURED_RETRY_AFTER_SECONDS);
  }
  const unavailable = classifyDatabaseUnavailable(error);
  if (unavailable) {
    return new ApiError(
      unavailable.transient ? "unavailable" : "misconfigured",
      `The database could not be reached (${unavailable.code}). Check that Postgres is running and that DATABASE_URL points at it; the numbers come back by themselves once it answers.`,
      unavailable.transient ? DATABASE_RETRY_AFTER_SECONDS : MISCONFIGURED_RETRY_AFTER_SECONDS,
    );
  }
  return error;
}
