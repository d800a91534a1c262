import type { LineRating, Rubric, SubmissionGrade, SubmissionLine } from "../schemas";

export interface AssignmentContext {
  id: string;
  title: string;
  prompt: string;
  rubric: Rubric;
  rubricVersion: number;
}

/** One LLM call's bill, recorded in llm_calls. */
export interface LlmUsage {
  model: string;
  promptTokens: number;
  completionTokens: number;
  latencyMs: number;
  costUsd: number;
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

export interface Rater {
  /** Stored with every rating and shown in the UI: "openai:gpt-4o-mini", "local:retext". */
  readonly id: string;
  /** Part of the phrase-cache key: bump when prompts or heuristics change what a rating means. */
  readonly version: string;
  rateLines(lines: SubmissionLine[], context: { assignment: AssignmentContext; signal?: AbortSignal }): Promise<RateLinesResult>;
  gradeSubmission(input: GradeSubmissionInput, options?: { signal?: AbortSignal }): Promise<GradeSubmissionResult>;
}
