import type { LineRating, SubmissionGrade, SubmissionLine } from "../schemas";
import type { AssignmentContext } from "../../assignments/assignments";

/** What a cached rating and an LLM-call record name the rater by. */
export interface RaterIdentity {
  /** Stored with every rating and shown in the UI: "openai:gpt-4o-mini", "local:retext". */
  readonly id: string;
  /** Part of the phrase-cache key: bump when prompts or heuristics change what a rating means. */
  readonly version: string;
  /**
   * True when a line's rating depends on its own text and the rubric only, never on the
   * lines rated with it: its comment cannot carry another line's words, so the phrase cache
   * keeps it without looking (#9). An LLM that sees the other lines is not such a rater.
   */
  readonly ratesLinesAlone?: boolean;
}

/** One LLM call's bill, recorded in llm_calls. */
export interface LlmUsage {
  model: string;
  promptTokens: number;
  completionTokens: number;
  latencyMs: number;
  costUsd: number;
}

/** One HTTP request to an LLM, as known before it is sent. */
export interface LlmRequestStart {
  model: string;
  /** The SDK's retry number within one rater call: 0 for the first request. */
  attempt: number;
  /** The prompt's tokens, estimated from its length (the answer says the real number). */
  promptTokensEstimate: number;
  /** What the estimated prompt costs at the model's input price. */
  costUsdEstimate: number;
}

/** How a sent request ended (see supabase/migrations/20261201120150_llm_calls_sent_before_answer.sql). */
export type LlmRequestOutcome =
  | { status: "answered"; usage: LlmUsage }
  | { status: "failed"; httpStatus: number; error: string }
  | { status: "no_answer"; error: string };

/**
 * Told about every request a rater sends, before it goes out: a request cut off by a
 * crash is still on record, and counted. `sending` resolves once the request is on
 * record; the rater sends nothing before (so a failure to record fails the call).
 */
export interface LlmCallLog {
  sending(request: LlmRequestStart): Promise<{ ended(outcome: LlmRequestOutcome): Promise<void> }>;
}

export interface RateLinesResult {
  /** One rating per input line, lineIndex matching the input's index. */
  ratings: LineRating[];
  usage: LlmUsage | null;
}

export interface GradeSubmissionInput {
  assignment: AssignmentContext;
  lines: SubmissionLine[];
  ratings: LineRating[];
}

export interface GradeSubmissionResult {
  grade: SubmissionGrade;
  usage: LlmUsage | null;
}

export interface Rater extends RaterIdentity {
  /** A rater that calls an LLM reports each request to `llmCalls`; one that does not ignores it. */
  rateLines(
    lines: SubmissionLine[],
    context: { assignment: AssignmentContext; signal?: AbortSignal; llmCalls?: LlmCallLog },
  ): Promise<RateLinesResult>;
  gradeSubmission(input: GradeSubmissionInput, options?: { signal?: AbortSignal; llmCalls?: LlmCallLog }): Promise<GradeSubmissionResult>;
}
