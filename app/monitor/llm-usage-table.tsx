import type { LlmTotals, LlmUsage } from "@/lib/monitoring/monitoring-stats-schema";
import { formatCount, formatUsd } from "./format-stats";

const TOTALS_LABELS = ["Calls", "Prompt tokens", "Completion tokens", "Cost"];

function TotalsCells({ totals }: { totals: LlmTotals }) {
  return (
    <>
      <td className="num">{formatCount(totals.calls)}</td>
      <td className="num">{formatCount(totals.promptTokens)}</td>
      <td className="num">{formatCount(totals.completionTokens)}</td>
      <td className="num">{formatUsd(totals.costUsd)}</td>
    </>
  );
}

/** Requests that got no answer (cut off, or lost with a crashed worker): counted, their prompts estimated. */
function UnansweredHint({ totals }: { totals: LlmTotals }) {
  if (totals.unanswered === 0) return null;
  return (
    <dd className="stat-hint" data-testid="llm-unanswered">
      {formatCount(totals.unanswered)} without an answer: ≈{formatCount(totals.estimatedPromptTokens)} prompt tokens, ≈
      {formatUsd(totals.estimatedCostUsd)} (estimated, not in the cost)
    </dd>
  );
}

/** LLM calls, tokens and estimated cost, last 24 hours and all time, in total and per model. */
export function LlmUsageTable({ llm }: { llm: LlmUsage }) {
  return (
    <>
      <dl className="stat-grid">
        <div className="stat">
          <dt>LLM calls, last 24 h</dt>
          <dd>{formatCount(llm.last24h.calls)}</dd>
          <UnansweredHint totals={llm.last24h} />
        </div>
        <div className="stat">
          <dt>Tokens, last 24 h</dt>
          <dd>{formatCount(llm.last24h.promptTokens + llm.last24h.completionTokens)}</dd>
          <dd className="stat-hint">
            {formatCount(llm.last24h.promptTokens)} in, {formatCount(llm.last24h.completionTokens)} out
          </dd>
        </div>
        <div className="stat">
          <dt>Estimated cost, last 24 h</dt>
          <dd>{formatUsd(llm.last24h.costUsd)}</dd>
        </div>
        <div className="stat">
          <dt>Estimated cost, all time</dt>
          <dd>{formatUsd(llm.allTime.costUsd)}</dd>
          <dd className="stat-hint">{formatCount(llm.allTime.calls)} calls</dd>
          <UnansweredHint totals={llm.allTime} />
        </div>
      </dl>
      {llm.byModel.length === 0 ? (
        <p className="empty">No LLM calls recorded yet (the local rater makes none).</p>
      ) : (
        <div className="table-scroll" role="region" aria-labelledby="llm-caption" tabIndex={0}>
          <table className="data-table">
            <caption id="llm-caption">LLM usage by model</caption>
            <thead>
              <tr>
                <th scope="col" rowSpan={2}>
                  Model
                </th>
                <th scope="colgroup" colSpan={4} className="group">
                  Last 24 hours
                </th>
                <th scope="colgroup" colSpan={4} className="group">
                  All time
                </th>
              </tr>
              <tr>
                {[...TOTALS_LABELS, ...TOTALS_LABELS].map((label, i) => (
                  <th scope="col" className="num" key={i}>
                    {label}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {llm.byModel.map((row) => (
                <tr key={row.model}>
                  <th scope="row">
                    <code>{row.model}</code>
                  </th>
                  <TotalsCells totals={row.last24h} />
                  <TotalsCells totals={row.allTime} />
                </tr>
              ))}
            </tbody>
            {llm.byModel.length > 1 && (
              <tfoot>
                <tr>
                  <th scope="row">All models</th>
                  <TotalsCells totals={llm.last24h} />
                  <TotalsCells totals={llm.allTime} />
                </tr>
              </tfoot>
            )}
          </table>
        </div>
      )}
    </>
  );
}
