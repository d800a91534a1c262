import OpenAI from "openai";
import { coerceError } from "../../queue/errors";
import type { SubmissionLine } from "../schemas";
import { estimateCostUsd, findModelPricing, type ModelPricing } from "./llm-pricing";
import { parseLineRatingsAnswer, parseSubmissionGradeAnswer } from "./openai-answers";
import { retryAfterMsFromHeaders, toJobError } from "./openai-errors";
import {
  buildGradeSubmissionMessages,
  buildRateLinesMessages,
  gradeSubmissionMaxCompletionTokens,
  lineRatingsResponseFormat,
  OPENAI_PROMPT_VERSION,
  rateLinesMaxCompletionTokens,
  submissionGradeResponseFormat,
  type ChatMessage,
} from "./openai-prompts";
import type { LlmCallLog, LlmUsage, Rater } from "./rater";
import { estimatePromptTokens, recordLlmRequests } from "./record-llm-requests";

export const DEFAULT_OPENAI_BASE_URL = "https://api.openai.com/v1";
/** Per HTTP attempt. The SDK's own default is 10 minutes, far past any sane job. */
export const DEFAULT_OPENAI_TIMEOUT_MS = 60_000;
export const DEFAULT_OPENAI_MAX_RETRIES = 2;
/** A 429 asking for a longer wait goes back to the queue at once instead of holding a worker slot. */
export const DEFAULT_MAX_INLINE_RETRY_AFTER_MS = 10_000;

export interface OpenAiRaterOptions {
  apiKey: string;
  /** Any OpenAI-compatible endpoint: Gemini's, Ollama's (http://localhost:11434/v1), vLLM's. */
  baseURL?: string;
  model: string;
  /** The SDK's retries within one job attempt (429, 5xx, 408/409, timeouts), honouring Retry-After. */
  maxRetries?: number;
  timeoutMs?: number;
  /** Overrides the price table for this model (local models cost 0 by default). */
  pricing?: ModelPricing;
  maxInlineRetryAfterMs?: number;
}

/** A well-formed call whose answer failed validation: the attempt fails, but its tokens were billed. */
export class InvalidLlmAnswerError extends Error {
  override name = "InvalidLlmAnswerError";
  constructor(
    message: string,
    readonly usage: LlmUsage,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

type ResponseFormat = ReturnType<typeof lineRatingsResponseFormat>;

export function createOpenAiRater(options: OpenAiRaterOptions): Rater {
  const id = `openai:${options.model}`;
  const baseURL = options.baseURL ?? DEFAULT_OPENAI_BASE_URL;
  const pricing = options.pricing ?? findModelPricing(options.model);
  const fetch = handBackLongRateLimits(options.maxInlineRetryAfterMs ?? DEFAULT_MAX_INLINE_RETRY_AFTER_MS);
  const client = new OpenAI({
    apiKey: options.apiKey,
    baseURL,
    maxRetries: options.maxRetries ?? DEFAULT_OPENAI_MAX_RETRIES,
    timeout: options.timeoutMs ?? DEFAULT_OPENAI_TIMEOUT_MS,
    fetch,
  });

  async function complete<T>(
    messages: ChatMessage[],
    responseFormat: ResponseFormat,
    maxCompletionTokens: number,
    parse: (content: string) => T,
    { signal, llmCalls }: { signal?: AbortSignal; llmCalls?: LlmCallLog },
  ): Promise<{ value: T; usage: LlmUsage }> {
    const startedAt = performance.now();
    // With a call log, each HTTP request is on record before it is sent: a client of its own
    // for this call (withOptions shares the configuration) whose fetch records first.
    const promptTokensEstimate = estimatePromptTokens(messages, responseFormat);
    const requests = llmCalls
      ? recordLlmRequests(fetch, llmCalls, {
          model: options.model,
          promptTokensEstimate,
          costUsdEstimate: estimateCostUsd(pricing, promptTokensEstimate, 0),
        })
      : null;
    const callClient = requests ? client.withOptions({ fetch: requests.fetch }) : client;
    let completion: OpenAI.Chat.Completions.ChatCompletion;
    try {
      completion = await callClient.chat.completions.create(
        // The bound (openai-prompts.ts) caps what one call can bill; without it a runaway answer ran to the model's limit.
        { model: options.model, messages, response_format: responseFormat, max_completion_tokens: maxCompletionTokens },
        { signal },
      );
    } catch (error) {
      await requests?.unreadable(error);
      throw toJobError(error, { raterId: id, model: options.model, baseURL });
    }
    const promptTokens = completion.usage?.prompt_tokens ?? 0;
    const completionTokens = completion.usage?.completion_tokens ?? 0;
    const usage: LlmUsage = {
      model: options.model,
      promptTokens,
      completionTokens,
      latencyMs: Math.round(performance.now() - startedAt),
      costUsd: estimateCostUsd(pricing, promptTokens, completionTokens),
    };
    // Billed before the answer is checked: a malformed answer was paid for too.
    await requests?.answered(usage);
    try {
      return { value: parse(answerContent(completion, id)), usage };
    } catch (error) {
      throw new InvalidLlmAnswerError(coerceError(error).message, usage, { cause: error });
    }
  }

  return {
    id,
    version: OPENAI_PROMPT_VERSION,

    // `essay` is optional context beyond the Rater interface: when given, the model sees the
    // text around the lines (a bounded window, see ESSAY_CONTEXT_MAX_CHARS).
    async rateLines(lines: SubmissionLine[], context: Parameters<Rater["rateLines"]>[1] & { essay?: string }) {
      if (lines.length === 0) return { ratings: [], usage: null };
      const { rubric } = context.assignment;
      const { value, usage } = await complete(
        buildRateLinesMessages(lines, context.assignment, context.essay),
        lineRatingsResponseFormat(rubric),
        rateLinesMaxCompletionTokens(lines.length),
        (content) => parseLineRatingsAnswer(content, lines, rubric, id),
        context,
      );
      return { ratings: value, usage };
    },

    async gradeSubmission(input, callOptions) {
      const { rubric } = input.assignment;
      const { value, usage } = await complete(
        buildGradeSubmissionMessages(input),
        submissionGradeResponseFormat(rubric),
        gradeSubmissionMaxCompletionTokens(rubric),
        (content) => parseSubmissionGradeAnswer(content, rubric, id),
        callOptions ?? {},
      );
      return { grade: value, usage };
    },
  };
}

function answerContent(completion: OpenAI.Chat.Completions.ChatCompletion, source: string): string {
  const choice = completion.choices?.[0];
  if (!choice) throw new Error(`${source} answered with no choices`);
  if (choice.message.refusal) throw new Error(`${source} refused to answer: ${choice.message.refusal}`);
  if (choice.finish_reason === "length") throw new Error(`${source}'s answer was cut off at its token limit`);
  if (choice.finish_reason === "content_filter") throw new Error(`${source}'s answer was withheld by its content filter`);
  const content = choice.message.content;
  if (!content || content.trim() === "") throw new Error(`${source} answered with no content`);
  return content;
}

/**
 * The SDK sleeps for whatever Retry-After a 429 asks (openai v6 has no cap), holding the
 * worker slot and the job's lease. Past `maxInlineMs`, mark the response `x-should-retry: false`
 * (a header the SDK obeys) so it throws at once and toJobError hands the wait to the queue.
 */
function handBackLongRateLimits(maxInlineMs: number) {
  return async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const response = await fetch(input, init);
    if (response.status !== 429) return response;
    const retryAfterMs = retryAfterMsFromHeaders(response.headers);
    if (retryAfterMs === null || retryAfterMs <= maxInlineMs) return response;
    const headers = new Headers(response.headers);
    headers.set("x-should-retry", "false");
    return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
  };
}
