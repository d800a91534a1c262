import type { SqlExecutor } from "../db/sql";
import type { LlmUsage } from "./raters/rater";

export async function recordLlmCall(
  sql: SqlExecutor,
  call: { usage: LlmUsage; raterId: string; purpose: "rate_lines" | "grade_submission"; jobId: number; submissionId: string },
): Promise<void> {
  await sql`
    insert into llm_calls (job_id, submission_id, purpose, rater, model, prompt_tokens, completion_tokens, latency_ms, cost_usd)
    values (${call.jobId}, ${call.submissionId}, ${call.purpose}, ${call.raterId}, ${call.usage.model},
            ${call.usage.promptTokens}, ${call.usage.completionTokens}, ${Math.round(call.usage.latencyMs)}, ${call.usage.costUsd})
  `;
}
