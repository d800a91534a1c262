import type { SqlExecutor } from "../db/sql";
import type { CacheStats } from "./monitoring-stats-schema";

/**
 * How often line ratings came from the phrase cache in the last 24 hours, and the
 * cache's size and lifetime hits. The hit rate is null, not NaN, when nothing was rated.
 */
export async function getCacheStats(sql: SqlExecutor): Promise<CacheStats> {
  const [[ratings], [cache]] = await Promise.all([
    sql<{ ratings: number; from_cache: number }[]>`
      select count(*)::int as ratings, count(*) filter (where from_cache)::int as from_cache
      from line_ratings
      where created_at >= now() - interval '24 hours'
    `,
    sql<{ entries: number; total_hits: number }[]>`
      select count(*)::int as entries, coalesce(sum(hit_count), 0)::bigint as total_hits
      from phrase_cache
    `,
  ]);
  const rated = ratings?.ratings ?? 0;
  const fromCache = ratings?.from_cache ?? 0;
  return {
    last24h: { ratings: rated, fromCache, hitRate: rated === 0 ? null : fromCache / rated },
    phraseCache: { entries: cache?.entries ?? 0, totalHits: cache?.total_hits ?? 0 },
  };
}
