import { NextResponse } from "next/server";
import { ZodError } from "zod";
import { classifyDatabaseUnavailable } from "../db/database-unavailable";
import { DomainError, type ErrorCode } from "../domain-error";
import { InvalidEnvironmentError } from "../env";

export type ApiErrorCode = ErrorCode;

/** An error raised at the HTTP edge itself (bad body, bad header, database unreachable). */
export class ApiError extends DomainError {
  override name = "ApiError";
  constructor(
    code: ApiErrorCode,
    message: string,
    /** Sent as Retry-After: when asking again is worth it. */
    readonly retryAfterSeconds?: number,
  ) {
    super(code, message);
  }
}

/** A database that is down or restarting usually answers again within seconds. */
export const DATABASE_RETRY_AFTER_SECONDS = 5;
/** A misconfigured one needs a person; asking again every few seconds would not help. */
export const MISCONFIGURED_RETRY_AFTER_SECONDS = 60;

/**
 * The 503 for an error that means "no database connection", or null for any other error.
 * The sentence is for the person using the app; the host, port and driver message stay
 * in the server's log.
 */
export function databaseUnavailableError(error: unknown): ApiError | null {
  const unavailable = classifyDatabaseUnavailable(error);
  if (!unavailable) return null;
  console.error(`[api] database unavailable (${unavailable.code}): ${error instanceof Error ? error.message : String(error)}`);
  return unavailable.transient
    ? new ApiError("unavailable", "The database is not answering right now; try again in a few seconds.", DATABASE_RETRY_AFTER_SECONDS)
    : new ApiError(
        "misconfigured",
        "The app cannot use its database right now: its connection settings are wrong. The error has been logged for the operator; try again later.",
        MISCONFIGURED_RETRY_AFTER_SECONDS,
      );
}

const INTERNAL_ERROR_MESSAGE = "Something went wrong on our side; it has been logged.";

/** What a person may be told about a failure: a domain error's own sentence, else nothing internal. */
export function publicErrorMessage(error: unknown): string {
  if (error instanceof DomainError) return error.message;
  const unavailable = databaseUnavailableError(error);
  if (unavailable) return unavailable.message;
  console.error("[api] unexpected error", error);
  return INTERNAL_ERROR_MESSAGE;
}

/** The first zod issue as a sentence a person can act on. */
export function describeZodError(error: ZodError): string {
  const issue = error.issues[0];
  if (!issue) return "The request is invalid.";
  const where = issue.path.length > 0 ? `${issue.path.join(".")}: ` : "";
  return `${where}${issue.message}`;
}

/**
 * Maps any thrown value to a JSON error response: a DomainError (every room's errors are
 * one) answers with its own code, message and details; unknown errors are logged, not leaked.
 */
export function toErrorResponse(error: unknown): NextResponse {
  if (error instanceof DomainError) {
    const retryAfter = error instanceof ApiError ? error.retryAfterSeconds : undefined;
    const headers = retryAfter === undefined ? undefined : { "Retry-After": String(retryAfter) };
    return NextResponse.json({ error: { ...error.details, code: error.code, message: error.message } }, { status: error.status, headers });
  }
  if (error instanceof ZodError) {
    return NextResponse.json({ error: { code: "bad_request", message: describeZodError(error) } }, { status: 400 });
  }
  const unavailable = databaseUnavailableError(error);
  if (unavailable) return toErrorResponse(unavailable);
  if (error instanceof InvalidEnvironmentError) {
    console.error(`[api] misconfigured: ${error.message}`);
    return toErrorResponse(
      new ApiError(
        "misconfigured",
        "The app is misconfigured; the error has been logged for the operator.",
        MISCONFIGURED_RETRY_AFTER_SECONDS,
      ),
    );
  }
  console.error("[api] unexpected error", error);
  return NextResponse.json({ error: { code: "internal", message: INTERNAL_ERROR_MESSAGE } }, { status: 500 });
}
