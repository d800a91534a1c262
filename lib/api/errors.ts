import { NextResponse } from "next/server";
import { ZodError } from "zod";
import { DocumentTextError } from "../documents/extract-text";
import { AssignmentNotFoundError } from "../grading/create-submission";
import { IdempotencyKeyReusedError } from "../grading/idempotency";
import { OverrideError } from "../grading/overrides";
import { SessionInputError } from "../sessions/create-grading-session";
import { SubmissionTextError } from "../grading/split-lines";
import { UnknownJobKindError } from "../queue/enqueue-jobs";
import { classifyDatabaseUnavailable } from "../db/database-unavailable";

export type ApiErrorCode =
  | "bad_request"
  | "unauthorized"
  | "not_found"
  | "conflict"
  | "payload_too_large"
  | "unsupported_media_type"
  | "unprocessable"
  | "misconfigured"
  | "unavailable"
  | "internal";

const statusByCode: Record<ApiErrorCode, number> = {
  bad_request: 400,
  unauthorized: 401,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  unprocessable: 422,
  misconfigured: 503,
  unavailable: 503,
  internal: 500,
};

export class ApiError extends Error {
  override name = "ApiError";
  constructor(
    readonly code: ApiErrorCode,
    message: string,
    /** Sent as Retry-After: when asking again is worth it. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
  get status(): number {
    return statusByCode[this.code];
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

/** What a person may be told about a failure: an ApiError's own sentence, else nothing internal. */
export function publicErrorMessage(error: unknown): string {
  if (error instanceof ApiError) return error.message;
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

/** Maps any thrown value to a JSON error response; unknown errors are logged, not leaked. */
export function toErrorResponse(error: unknown): NextResponse {
  if (error instanceof ApiError) {
    const headers = error.retryAfterSeconds === undefined ? undefined : { "Retry-After": String(error.retryAfterSeconds) };
    return NextResponse.json({ error: { code: error.code, message: error.message } }, { status: error.status, headers });
  }
  if (error instanceof ZodError) {
    return NextResponse.json({ error: { code: "bad_request", message: describeZodError(error) } }, { status: 400 });
  }
  if (error instanceof SubmissionTextError) {
    const code: ApiErrorCode = /too long/.test(error.message) ? "payload_too_large" : "unprocessable";
    return NextResponse.json({ error: { code, message: error.message } }, { status: statusByCode[code] });
  }
  if (error instanceof AssignmentNotFoundError) {
    return NextResponse.json({ error: { code: "not_found", message: error.message } }, { status: 404 });
  }
  if (error instanceof OverrideError) {
    const code: ApiErrorCode = error.kind === "not_found" ? "not_found" : "unprocessable";
    return NextResponse.json({ error: { code, message: error.message } }, { status: statusByCode[code] });
  }
  if (error instanceof SessionInputError) {
    return NextResponse.json({ error: { code: "unprocessable", message: error.message, problems: error.problems } }, { status: 422 });
  }
  if (error instanceof DocumentTextError) {
    return NextResponse.json({ error: { code: "unprocessable", message: error.message } }, { status: 422 });
  }
  if (error instanceof IdempotencyKeyReusedError) {
    return NextResponse.json({ error: { code: "unprocessable", message: error.message } }, { status: 422 });
  }
  if (error instanceof UnknownJobKindError) {
    return NextResponse.json({ error: { code: "bad_request", message: error.message } }, { status: 400 });
  }
  const unavailable = databaseUnavailableError(error);
  if (unavailable) return toErrorResponse(unavailable);
  console.error("[api] unexpected error", error);
  return NextResponse.json({ error: { code: "internal", message: INTERNAL_ERROR_MESSAGE } }, { status: 500 });
}

/**
 * Reads a JSON body strictly: bytes must be UTF-8 (a Latin-1 or UTF-16 file pasted as
 * bytes gets a clear 400 instead of mojibake), and the size is capped before parsing.
 */
export async function readJsonBody(request: Request, maxBytes: number): Promise<unknown> {
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > maxBytes) throw new ApiError("payload_too_large", `The request is too large: the limit is ${Math.round(maxBytes / 1024)} KB.`);
  const bytes = new Uint8Array(await request.arrayBuffer());
  if (bytes.byteLength > maxBytes) throw new ApiError("payload_too_large", `The request is too large: the limit is ${Math.round(maxBytes / 1024)} KB.`);
  if (bytes.byteLength === 0) throw new ApiError("bad_request", "The request body is empty; send JSON.");
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new ApiError("bad_request", "The request body is not valid UTF-8 text. Save the essay as UTF-8 and try again.");
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new ApiError("bad_request", "The request body is not valid JSON.");
  }
}
