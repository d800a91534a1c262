import type { SqlExecutor } from "../db/sql";
import type { LlmUsage } from "./raters/rater";

interface LlmCallContext {
  raterId: string;
  purpose: "rate_lines" | "grade_submission";
  jobId: number;
  submissionId: string;
}

export async function recordLlmCall(sql: SqlExecutor, call: LlmCallContext & { usage: LlmUsage }): Promise<void> {
  await sql`
    insert into llm_calls (job_id, submission_id, purpose, rater, model, prompt_tokens, completion_tokens, latency_ms, cost_usd)
    values (${call.jobId}, ${call.submissionId}, ${call.purpose}, ${call.raterId}, ${call.usage.model},
            ${call.usage.promptTokens}, ${call.usage.completionTokens}, ${Math.round(call.usage.latencyMs)}, ${call.usage.costUsd})
  `;
}

/**
 * Runs a rater call and records its bill in llm_calls, also when the answer was
 * unusable: a malformed answer (InvalidLlmAnswerError carries `usage`) was still paid for.
 */
export async function billLlmCall<T extends { usage: LlmUsage | null }>(sql: SqlExecutor, context: LlmCallContext, call: () => Promise<T>): Promise<T> {
  let result: T;
  try {
    result = await call();
  } catch (error) {
    const usage = (error as { usage?: LlmUsage }).usage;
    if (usage) await recordLlmCall(sql, { ...context, usage }).catch(() => undefined); // the rater's error matters more
    throw error;
  }
  if (result.usage) await recordLlmCall(sql, { ...context, usage: result.usage });
  return result;
}
