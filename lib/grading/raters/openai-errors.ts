import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from "openai";
import { coerceError, NonRetriableJobError, RetryAfterJobError } from "../../queue/errors";

export interface OpenAiErrorContext {
  raterId: string;
  model: string;
  /** For the server's log only: a job's error is shown to students, teachers and /monitor. */
  baseURL: string;
}

/** The provider's own error code when it is a plain identifier (model_not_found, insufficient_quota); never its free text. */
function providerCode(error: APIError): string {
  const code = typeof error.code === "string" ? error.code : typeof error.type === "string" ? error.type : null;
  return code !== null && /^[a-z][a-z0-9_]{0,63}$/.test(code) ? ` ${code}` : "";
}

/**
 * What the queue should do with an error the SDK threw once its own retries were spent:
 * - 429 with a Retry-After (or retry-after-ms) → RetryAfterJobError, so the job runs again exactly then;
 * - 429 "insufficient_quota", and 400/401/403/404/422 → NonRetriableJobError: a retry cannot fix them;
 * - 5xx, 408, 409, timeouts, connection errors, a 429 without Retry-After → a plain Error (queue backoff).
 *
 * The message becomes the job's error, which students, teachers and /monitor see: it says what
 * the provider answered (status and error code) and which setting to check, never the
 * provider's address (OPENAI_BASE_URL may name an internal host), the key, or the provider's
 * free text (OpenAI's echoes part of a rejected key). Those go to the server's log (#9), and
 * the SDK's error is not attached as `cause`: the queue stores an error's causes in last_error.
 */
export function toJobError(error: unknown, context: OpenAiErrorContext): Error {
  if (!(error instanceof APIError)) return coerceError(error);
  console.error(
    `[llm] ${context.raterId} at ${context.baseURL}: ${error.status ?? "no answer"} ${error.message}`,
    ...(error.cause ? [error.cause] : []),
  );
  const where = `the LLM provider (${context.raterId})`;
  if (error instanceof APIUserAbortError) {
    return new Error(`${where}: the request was cancelled (the job's lease was lost or the worker is stopping)`);
  }
  if (error instanceof APIConnectionTimeoutError) {
    return new Error(`${where} timed out; the job will be retried`);
  }
  if (error instanceof APIConnectionError) {
    return new Error(`${where} could not be reached; the job will be retried (the operator can check OPENAI_BASE_URL)`);
  }
  const status = error.status ?? 0;
  const answered = `${status}${providerCode(error)}`;
  if (status === 429) {
    if (error.code === "insufficient_quota") {
      return new NonRetriableJobError(`${where}: the account is out of quota (${answered}); check its plan and billing`);
    }
    const retryAfterMs = retryAfterMsFromHeaders(error.headers);
    if (retryAfterMs !== null) {
      return new RetryAfterJobError(`${where} is rate limiting requests (${answered}); retrying in ${retryAfterMs} ms`, retryAfterMs);
    }
    return new Error(`${where} is rate limiting requests (${answered})`);
  }
  if (status === 401) {
    return new NonRetriableJobError(
      `OPENAI_API_KEY was rejected by the LLM provider (${answered}); set a valid key, or unset it to use the local rater`,
    );
  }
  if (status === 403) {
    return new NonRetriableJobError(`OPENAI_API_KEY may not use model "${context.model}" (the LLM provider answered ${answered})`);
  }
  if (status === 404) {
    return new NonRetriableJobError(
      `model "${context.model}" was not found at the LLM provider (${answered}); check OPENAI_MODEL and OPENAI_BASE_URL (which must end in /v1 or the provider's equivalent)`,
    );
  }
  if (status >= 400 && status < 500 && status !== 408 && status !== 409) {
    return new NonRetriableJobError(
      `${where} rejected the request (${answered}); the model must support chat.completions with response_format json_schema`,
    );
  }
  return new Error(`${where} answered ${answered}; the job will be retried`);
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
