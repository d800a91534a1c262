import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from "openai";
import { coerceError, NonRetriableJobError, RetryAfterJobError } from "../../queue/errors";

export interface OpenAiErrorContext {
  raterId: string;
  model: string;
  baseURL: string;
}

/**
 * What the queue should do with an error the SDK threw once its own retries were spent:
 * - 429 with a Retry-After (or retry-after-ms) → RetryAfterJobError, so the job runs again exactly then;
 * - 429 "insufficient_quota", and 400/401/403/404/422 → NonRetriableJobError: a retry cannot fix them;
 * - 5xx, 408, 409, timeouts, connection errors, a 429 without Retry-After → a plain Error (queue backoff).
 */
export function toJobError(error: unknown, context: OpenAiErrorContext): Error {
  if (!(error instanceof APIError)) return coerceError(error);
  const where = `${context.raterId} at ${context.baseURL}`;
  if (error instanceof APIUserAbortError) {
    return new Error(`${where}: the request was cancelled (the job's lease was lost or the worker is stopping)`, { cause: error });
  }
  if (error instanceof APIConnectionTimeoutError) {
    return new Error(`${where} timed out; the job will be retried`, { cause: error });
  }
  if (error instanceof APIConnectionError) {
    return new Error(
      `${where} could not be reached (${error.cause instanceof Error ? error.cause.message : error.message}); check OPENAI_BASE_URL`,
      {
        cause: error,
      },
    );
  }
  const status = error.status ?? 0;
  const detail = error.message;
  if (status === 429) {
    if (error.code === "insufficient_quota") {
      return new NonRetriableJobError(`${where}: the account is out of quota (${detail}); check its plan and billing`, { cause: error });
    }
    const retryAfterMs = retryAfterMsFromHeaders(error.headers);
    if (retryAfterMs !== null) {
      return new RetryAfterJobError(`${where} is rate limiting requests; retrying in ${retryAfterMs} ms (${detail})`, retryAfterMs, {
        cause: error,
      });
    }
    return new Error(`${where} is rate limiting requests (${detail})`, { cause: error });
  }
  if (status === 401) {
    return new NonRetriableJobError(
      `OPENAI_API_KEY was rejected by ${context.baseURL} (${detail}); set a valid key, or unset it to use the local rater`,
      {
        cause: error,
      },
    );
  }
  if (status === 403) {
    return new NonRetriableJobError(`OPENAI_API_KEY may not use model "${context.model}" at ${context.baseURL} (${detail})`, {
      cause: error,
    });
  }
  if (status === 404) {
    return new NonRetriableJobError(
      `model "${context.model}" was not found at ${context.baseURL} (${detail}); check OPENAI_MODEL and OPENAI_BASE_URL (which must end in /v1 or the provider's equivalent)`,
      { cause: error },
    );
  }
  if (status >= 400 && status < 500 && status !== 408 && status !== 409) {
    return new NonRetriableJobError(
      `${where} rejected the request (${detail}); the model must support chat.completions with response_format json_schema`,
      { cause: error },
    );
  }
  return new Error(`${where} failed (${detail}); the job will be retried`, { cause: error });
}

/** The wait a response asks for, in ms: retry-after-ms first, then Retry-After as seconds or an HTTP date (as the SDK reads them). */
export function retryAfterMsFromHeaders(headers: Headers | undefined, now = Date.now()): number | null {
  if (!headers) return null;
  const milliseconds = Number.parseFloat(headers.get("retry-after-ms") ?? "");
  if (Number.isFinite(milliseconds) && milliseconds >= 0) return Math.ceil(milliseconds);
  const retryAfter = headers.get("retry-after");
  if (retryAfter === null || retryAfter.trim() === "") return null;
  const seconds = Number.parseFloat(retryAfter);
  if (Number.isFinite(seconds)) return seconds >= 0 ? Math.ceil(seconds * 1000) : null;
  const date = Date.parse(retryAfter);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}
