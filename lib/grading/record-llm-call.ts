import type { SqlExecutor } from "../db/sql";
import type { LlmCallLog, LlmRequestOutcome, LlmRequestStart, LlmUsage } from "./raters/rater";

interface LlmCallContext {
  raterId: string;
  purpose: "rate_lines" | "grade_submission";
  jobId: number;
  submissionId: string;
}

/** One answered call, written after the fact: for raters that report usage but no requests. */
export async function recordLlmCall(sql: SqlExecutor, call: LlmCallContext & { usage: LlmUsage }): Promise<void> {
  await sql`
    insert into llm_calls (job_id, submission_id, purpose, rater, model, prompt_tokens, completion_tokens, latency_ms, cost_usd, status, answered_at)
    values (${call.jobId}, ${call.submissionId}, ${call.purpose}, ${call.raterId}, ${call.usage.model},
            ${call.usage.promptTokens}, ${call.usage.completionTokens}, ${Math.round(call.usage.latencyMs)}, ${call.usage.costUsd}, 'answered', now())
  `;
}

/**
 * The llm_calls rows of one rater call: each request is inserted as 'sent' before it goes
 * out and updated when it ends (see 20261201120150_llm_calls_sent_before_answer.sql).
 * `used` says whether the rater reported any request. Give it the pool, not a
 * transaction: a 'sent' row must be committed before the request goes out, or a crash
 * would roll it back with everything else.
 */
export function createLlmCallLog(sql: SqlExecutor, context: LlmCallContext): LlmCallLog & { readonly used: boolean } {
  let used = false;
  return {
    get used() {
      return used;
    },
    async sending(request: LlmRequestStart) {
      used = true;
      const [row] = await sql<{ id: number }[]>`
        insert into llm_calls (job_id, submission_id, purpose, rater, model, status, attempt, prompt_tokens_estimate, cost_usd_estimate)
        values (${context.jobId}, ${context.submissionId}, ${context.purpose}, ${context.raterId}, ${request.model}, 'sent',
                ${request.attempt}, ${request.promptTokensEstimate}, ${request.costUsdEstimate})
        returning id
      `;
      const sentAt = performance.now();
      return {
        async ended(outcome: LlmRequestOutcome) {
          const latencyMs = Math.round(performance.now() - sentAt);
          if (outcome.status === "answered") {
            const { usage } = outcome;
            await sql`
              update llm_calls set status = 'answered', model = ${usage.model}, prompt_tokens = ${usage.promptTokens},
                completion_tokens = ${usage.completionTokens}, cost_usd = ${usage.costUsd}, latency_ms = ${latencyMs}, answered_at = now()
              where id = ${row!.id}
            `;
          } else {
            await sql`
              update llm_calls set status = ${outcome.status}, http_status = ${outcome.status === "failed" ? outcome.httpStatus : null},
                error = ${outcome.error.slice(0, 2000)}, latency_ms = ${latencyMs}, answered_at = now()
              where id = ${row!.id}
            `;
          }
        },
      };
    },
  };
}

/**
 * Runs a rater call with a call log, so every request it sends is in llm_calls before it
 * is sent, and completed with its tokens and cost when the answer comes, also when the
 * answer was unusable (a malformed answer was still paid for). A rater that reports usage
 * without reporting requests is billed after the fact, as before.
 */
export async function billLlmCall<T extends { usage: LlmUsage | null }>(
  sql: SqlExecutor,
  context: LlmCallContext,
  call: (llmCalls: LlmCallLog) => Promise<T>,
): Promise<T> {
  const log = createLlmCallLog(sql, context);
  let result: T;
  try {
    result = await call(log);
  } catch (error) {
    const usage = (error as { usage?: LlmUsage }).usage;
    if (usage && !log.used) await recordLlmCall(sql, { ...context, usage }).catch(() => undefined); // the rater's error matters more
    throw error;
  }
  if (result.usage && !log.used) await recordLlmCall(sql, { ...context, usage: result.usage });
  return result;
}
