import type { SqlExecutor } from "../db/sql";
import { getCacheStats } from "./get-cache-stats";
import { getLlmUsage } from "./get-llm-usage";
import { getQueueDepth } from "./get-queue-depth";
import { getThroughput } from "./get-throughput";
import { listRecentFailures } from "./list-recent-failures";
import { listWorkers } from "./list-workers";
import type { MonitoringStats } from "./monitoring-stats-schema";

export type { MonitoringStats } from "./monitoring-stats-schema";

/**
 * Everything /monitor shows, read in one go. The reads run side by side on the pool
 * (each is a single indexed or bounded query), so the numbers can be a few
 * milliseconds apart; an operator's dashboard does not need one snapshot, and
 * seven round trips in sequence would triple the latency on a remote database.
 */
export async function getMonitoringStats(sql: SqlExecutor): Promise<MonitoringStats> {
  const [[clock], queue, throughput, recentFailures, cache, llm, workers] = await Promise.all([
    sql<{ now: Date }[]>`select now()`,
    getQueueDepth(sql),
    getThroughput(sql),
    listRecentFailures(sql),
    getCacheStats(sql),
    getLlmUsage(sql),
    listWorkers(sql),
  ]);
  return { generatedAt: clock!.now.toISOString(), queue, throughput, recentFailures, cache, llm, workers };
}
