import { ApiError } from "../api/errors";

// Node socket errors and postgres.js's own connection errors.
const UNREACHABLE_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ENOTFOUND",
  "EHOSTUNREACH",
  "ETIMEDOUT",
  "EAI_AGAIN",
  "CONNECT_TIMEOUT",
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
]);

// SQLSTATEs that mean "no usable connection": class 08 (connection exception), the
// server shutting down or starting up (57P01–57P03), too many connections (53300),
// a database that does not exist (3D000) and failed authentication (28000, 28P01).
function isUnavailableSqlState(code: string): boolean {
  return code.startsWith("08") || ["57P01", "57P02", "57P03", "53300", "3D000", "28000", "28P01"].includes(code);
}

function errorCode(error: unknown): string | null {
  if (typeof error !== "object" || error === null) return null;
  const code = (error as { code?: unknown }).code;
  return typeof code === "string" ? code : null;
}

/**
 * Turns "the database is down or misconfigured" into a 503 whose message an operator
 * can act on; any other error is returned unchanged for toErrorResponse. The message
 * names the error code but not the host, which the route must not leak.
 */
export function explainDatabaseError(error: unknown): unknown {
  if (error instanceof Error && error.message.startsWith("DATABASE_URL")) {
    return new ApiError("misconfigured", error.message);
  }
  const code = errorCode(error);
  if (code && (UNREACHABLE_CODES.has(code) || isUnavailableSqlState(code))) {
    return new ApiError(
      "misconfigured",
      `The database could not be reached (${code}). Check that Postgres is running and that DATABASE_URL points at it; the numbers come back by themselves once it answers.`,
    );
  }
  return error;
}
