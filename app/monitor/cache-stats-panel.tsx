import type { CacheStats } from "@/lib/monitoring/monitoring-stats-schema";
import { formatCount, formatPercent } from "./format-stats";

/** How much of the grading the phrase cache answered without an LLM call. */
export function CacheStatsPanel({ cache }: { cache: CacheStats }) {
  const { last24h, phraseCache } = cache;
  return (
    <dl className="stat-grid">
      <div className="stat">
        <dt>Line ratings from cache, last 24 h</dt>
        <dd>{formatPercent(last24h.hitRate)}</dd>
        <dd className="stat-hint">
          {last24h.ratings === 0 ? "no lines rated" : `${formatCount(last24h.fromCache)} of ${formatCount(last24h.ratings)} lines`}
        </dd>
      </div>
      <div className="stat">
        <dt>Phrase cache entries</dt>
        <dd>{formatCount(phraseCache.entries)}</dd>
      </div>
      <div className="stat">
        <dt>Cache hits, all time</dt>
        <dd>{formatCount(phraseCache.totalHits)}</dd>
      </div>
    </dl>
  );
}
