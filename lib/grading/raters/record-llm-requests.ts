import { coerceError } from "../../queue/errors";
import type { LlmCallLog, LlmRequestOutcome, LlmRequestStart, LlmUsage } from "./rater";

type Fetch = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;
type RequestRecord = Awaited<ReturnType<LlmCallLog["sending"]>>;

/** Roughly four characters per token, plus a few per message for the chat framing. */
export function estimatePromptTokens(messages: ReadonlyArray<{ content: string }>, responseFormat?: unknown): number {
  const chars =
    messages.reduce((sum, message) => sum + message.content.length, 0) + (responseFormat ? JSON.stringify(responseFormat).length : 0);
  return Math.ceil(chars / 4) + 4 * messages.length + 3;
}

/** A bookkeeping update that fails leaves its row 'sent' (still counted); it never fails the call. */
async function end(record: RequestRecord, outcome: LlmRequestOutcome): Promise<void> {
  try {
    await record.ended(outcome);
  } catch (error) {
    console.error(`[llm] could not record how a request ended (${outcome.status}); it stays on record as sent`, error);
  }
}

/**
 * A fetch for one rater call that puts every HTTP request on record before sending it
 * (the SDK's retries go through it too, each one a request the provider saw), and ends
 * the records of those that fail or get no answer. The record of the request that got a
 * 2xx is ended by `answered(usage)` once the body has been read, or by `unreadable(error)`.
 */
export function recordLlmRequests(fetch: Fetch, log: LlmCallLog, request: Omit<LlmRequestStart, "attempt">) {
  let answering: RequestRecord | null = null;
  return {
    fetch: async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
      const attempt = Number(new Headers(init?.headers).get("x-stainless-retry-count") ?? 0);
      const record = await log.sending({ ...request, attempt: Number.isInteger(attempt) && attempt >= 0 ? attempt : 0 });
      let response: Response;
      try {
        response = await fetch(input, init);
      } catch (error) {
        await end(record, { status: "no_answer", error: coerceError(error).message });
        throw error;
      }
      if (!response.ok) {
        await end(record, {
          status: "failed",
          httpStatus: response.status,
          error: `HTTP ${response.status} ${response.statusText}`.trim(),
        });
        return response;
      }
      answering = record;
      return response;
    },
    async answered(usage: LlmUsage): Promise<void> {
      const record = answering;
      answering = null;
      if (record) await end(record, { status: "answered", usage });
    },
    /** The call failed after a 2xx: its body could not be read or parsed by the SDK. */
    async unreadable(error: unknown): Promise<void> {
      const record = answering;
      answering = null;
      if (record)
        await end(record, { status: "failed", httpStatus: 200, error: `the answer could not be read: ${coerceError(error).message}` });
    },
  };
}
