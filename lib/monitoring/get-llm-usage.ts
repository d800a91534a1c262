import type { SqlExecutor } from "../db/sql";
import type { LlmTotals, LlmUsage } from "./monitoring-stats-schema";

interface UsageRow {
  /** null on the grand-total row of the grouping sets. */
  model: string | null;
  calls_24h: number;
  prompt_tokens_24h: number;
  completion_tokens_24h: number;
  cost_usd_24h: number;
  calls: number;
  prompt_tokens: number;
  completion_tokens: number;
  cost_usd: number;
  unanswered_24h: number;
  estimated_prompt_tokens_24h: number;
  estimated_cost_usd_24h: number;
  unanswered: number;
  estimated_prompt_tokens: number;
  estimated_cost_usd: number;
}

const emptyTotals: LlmTotals = {
  calls: 0,
  promptTokens: 0,
  completionTokens: 0,
  costUsd: 0,
  unanswered: 0,
  estimatedPromptTokens: 0,
  estimatedCostUsd: 0,
};

function last24h(row: UsageRow): LlmTotals {
  return {
    calls: row.calls_24h,
    promptTokens: row.prompt_tokens_24h,
    completionTokens: row.completion_tokens_24h,
    costUsd: row.cost_usd_24h,
    unanswered: row.unanswered_24h,
    estimatedPromptTokens: row.estimated_prompt_tokens_24h,
    estimatedCostUsd: row.estimated_cost_usd_24h,
  };
}

function allTime(row: UsageRow): LlmTotals {
  return {
    calls: row.calls,
    promptTokens: row.prompt_tokens,
    completionTokens: row.completion_tokens,
    costUsd: row.cost_usd,
    unanswered: row.unanswered,
    estimatedPromptTokens: row.estimated_prompt_tokens,
    estimatedCostUsd: row.estimated_cost_usd,
  };
}

/**
 * LLM calls, tokens and cost over the last 24 hours and all time, in total and per
 * model. One scan with grouping sets, so the totals are summed exactly by Postgres
 * (numeric cost) rather than by adding floats per model here. Every request sent counts
 * as a call; those without an answer (status sent or no_answer) also add up their
 * prompts' estimated tokens and cost, kept apart from what answers reported.
 */
export async function getLlmUsage(sql: SqlExecutor): Promise<LlmUsage> {
  const rows = await sql<UsageRow[]>`
    select
      model,
      count(*) filter (where recent)::int as calls_24h,
      coalesce(sum(prompt_tokens) filter (where recent), 0)::bigint as prompt_tokens_24h,
      coalesce(sum(completion_tokens) filter (where recent), 0)::bigint as completion_tokens_24h,
      coalesce(sum(cost_usd) filter (where recent), 0)::float8 as cost_usd_24h,
      count(*)::int as calls,
      coalesce(sum(prompt_tokens), 0)::bigint as prompt_tokens,
      coalesce(sum(completion_tokens), 0)::bigint as completion_tokens,
      coalesce(sum(cost_usd), 0)::float8 as cost_usd,
      count(*) filter (where recent and unanswered)::int as unanswered_24h,
      coalesce(sum(prompt_tokens_estimate) filter (where recent and unanswered), 0)::bigint as estimated_prompt_tokens_24h,
      coalesce(sum(cost_usd_estimate) filter (where recent and unanswered), 0)::float8 as estimated_cost_usd_24h,
      count(*) filter (where unanswered)::int as unanswered,
      coalesce(sum(prompt_tokens_estimate) filter (where unanswered), 0)::bigint as estimated_prompt_tokens,
      coalesce(sum(cost_usd_estimate) filter (where unanswered), 0)::float8 as estimated_cost_usd
    from (
      select *, created_at >= now() - interval '24 hours' as recent, status in ('sent', 'no_answer') as unanswered from llm_calls
    ) calls
    group by grouping sets ((model), ())
    order by model nulls first
  `;
  const total = rows.find((row) => row.model === null);
  return {
    last24h: total ? last24h(total) : emptyTotals,
    allTime: total ? allTime(total) : emptyTotals,
    byModel: rows
      .filter((row): row is UsageRow & { model: string } => row.model !== null)
      .map((row) => ({ model: row.model, last24h: last24h(row), allTime: allTime(row) })),
  };
}
