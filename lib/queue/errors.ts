/** The job cannot succeed however often it is retried (bad payload, missing row): fail it now. */
export class NonRetriableJobError extends Error {
  override name = "NonRetriableJobError";
}

/** Retry after a given delay instead of the backoff schedule (an LLM's 429 Retry-After). */
export class RetryAfterJobError extends Error {
  override name = "RetryAfterJobError";
  constructor(
    message: string,
    readonly retryAfterMs: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** This worker no longer holds the job: its lease expired and was taken over, or it was cancelled. */
export class LeaseLostError extends Error {
  override name = "LeaseLostError";
  constructor(readonly jobId: number) {
    super(`job ${jobId} is no longer leased to this worker (lease expired or job cancelled)`);
  }
}

export function coerceError(value: unknown): Error {
  if (value instanceof Error) return value;
  if (typeof value === "string") return new Error(value);
  try {
    return new Error(JSON.stringify(value));
  } catch {
    return new Error(String(value));
  }
}

/** The message stored in last_error: the error and its causes, one per line. */
export function describeError(value: unknown): string {
  const lines: string[] = [];
  let current: unknown = value;
  for (let depth = 0; current !== undefined && current !== null && depth < 4; depth++) {
    const error = coerceError(current);
    lines.push(depth === 0 ? `${error.name}: ${error.message}` : `caused by ${error.name}: ${error.message}`);
    current = error.cause;
  }
  return lines.join("\n");
}
