/**
 * What went wrong, in the words the API answers with; lib/api/errors.ts maps each code to
 * an HTTP status. One lowercase snake_case word each, as the API's `error.code`.
 */
export type ErrorCode =
  | "bad_request"
  | "unauthorized"
  | "forbidden"
  | "not_found"
  | "misdirected"
  | "conflict"
  | "payload_too_large"
  | "unsupported_media_type"
  | "unprocessable"
  | "too_many_requests"
  | "misconfigured"
  | "unavailable"
  | "internal";

export const statusByCode: Record<ErrorCode, number> = {
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  misdirected: 421,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  unprocessable: 422,
  too_many_requests: 429,
  misconfigured: 503,
  unavailable: 503,
  internal: 500,
};

/**
 * An error whose message is written for the person who caused it (a teacher, a student, an
 * API client) and whose code says how to answer it. Each room's errors extend it, so
 * lib/api answers any of them without importing the room (#8). `details` are extra JSON
 * fields of the answer (e.g. the list of problems in an upload).
 */
export class DomainError extends Error {
  override name = "DomainError";
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }

  get status(): number {
    return statusByCode[this.code];
  }
}
