import { z } from "zod";

// The JSON shape of GET /api/monitoring/stats. Timestamps are ISO strings and every
// number is a plain JSON number (counts, tokens, dollars), so the page and the tests
// read the same thing the route sends.

const isoTimestamp = z.iso.datetime({ offset: true });

export const jobCountsSchema = z.object({
  /** Pending and due now: a free worker would claim these. */
  runnable: z.number().int(),
  /** Pending with run_at in the future (backing off after a failure, or scheduled). */
  delayed: z.number().int(),
  processing: z.number().int(),
  failed: z.number().int(),
  completed: z.number().int(),
  cancelled: z.number().int(),
});
export type JobCounts = z.infer<typeof jobCountsSchema>;

export const queueDepthSchema = z.object({
  byStatus: jobCountsSchema,
  byKind: z.array(jobCountsSchema.extend({ kind: z.string() })),
  /** Seconds the longest-waiting runnable job has been due; null when none is. */
  oldestPendingAgeSeconds: z.number().nullable(),
});
export type QueueDepth = z.infer<typeof queueDepthSchema>;

export const throughputBucketSchema = z.object({
  /** Start of the minute. */
  minute: isoTimestamp,
  completed: z.number().int(),
  failed: z.number().int(),
});
export type ThroughputBucket = z.infer<typeof throughputBucketSchema>;

export const recentFailureSchema = z.object({
  id: z.number().int(),
  kind: z.string(),
  attempts: z.number().int(),
  maxAttempts: z.number().int(),
  lastError: z.string().nullable(),
  finishedAt: isoTimestamp.nullable(),
  submissionId: z.string().nullable(),
});
export type RecentFailure = z.infer<typeof recentFailureSchema>;

export const cacheStatsSchema = z.object({
  last24h: z.object({
    ratings: z.number().int(),
    fromCache: z.number().int(),
    /** fromCache / ratings, 0–1; null when nothing was rated. */
    hitRate: z.number().nullable(),
  }),
  phraseCache: z.object({
    entries: z.number().int(),
    totalHits: z.number().int(),
  }),
});
export type CacheStats = z.infer<typeof cacheStatsSchema>;

export const llmTotalsSchema = z.object({
  /** Every request sent, answered or not. */
  calls: z.number().int(),
  /** Tokens and cost the answers reported. */
  promptTokens: z.number().int(),
  completionTokens: z.number().int(),
  costUsd: z.number(),
  /** Requests sent that got no answer: still in flight, cut off (timeout, abort) or lost with a crashed process. */
  unanswered: z.number().int(),
  /** Their prompts' tokens and input cost, estimated from the prompt's length: the provider may have billed them. */
  estimatedPromptTokens: z.number().int(),
  estimatedCostUsd: z.number(),
});
export type LlmTotals = z.infer<typeof llmTotalsSchema>;

export const llmUsageSchema = z.object({
  last24h: llmTotalsSchema,
  allTime: llmTotalsSchema,
  byModel: z.array(z.object({ model: z.string(), last24h: llmTotalsSchema, allTime: llmTotalsSchema })),
});
export type LlmUsage = z.infer<typeof llmUsageSchema>;

export const workerStatsSchema = z.object({
  /** Registered long-running workers, plus lease owners holding jobs without a registration (drains from routes and cron). */
  workers: z.array(
    z.object({
      /** Without the host name: see shortWorkerId. */
      workerId: z.string(),
      startedAt: isoTimestamp.nullable(),
      lastSeenAt: isoTimestamp.nullable(),
      registered: z.boolean(),
      processingJobs: z.number().int(),
    }),
  ),
});
export type WorkerStats = z.infer<typeof workerStatsSchema>;

export const monitoringStatsSchema = z.object({
  /** The database's clock when the numbers were read. */
  generatedAt: isoTimestamp,
  queue: queueDepthSchema,
  throughput: z.array(throughputBucketSchema),
  recentFailures: z.array(recentFailureSchema),
  cache: cacheStatsSchema,
  llm: llmUsageSchema,
  workers: workerStatsSchema.shape.workers,
});
export type MonitoringStats = z.infer<typeof monitoringStatsSchema>;
