import { hostname } from "node:os";
import type { Sql } from "../db/sql";
import { DEFAULT_LEASE_MS } from "./claim-jobs";
import { coerceError } from "./errors";
import { registerWorker, releaseExpiredLeases, unregisterWorker } from "./job-leases";
import type { TaskRegistry } from "./job-kinds";
import { JobRunner, type JobEvent } from "./job-runner";
import { createWorkerId } from "./run-worker";
import { countRunnableJobs } from "./manage-jobs";

/** After an abort, how long the jobs already running may take before they are handed back. */
export const DEFAULT_DRAIN_SHUTDOWN_GRACE_MS = 10_000;
/** How often a registered drain marks itself seen (and recovers dead workers' jobs), as runWorker does. */
const DRAIN_SEEN_INTERVAL_MS = 1_000;
/** Never start a claim with less than this left: a claimed job needs time to run. */
const MIN_CLAIM_HEADROOM_MS = 1_000;

export interface DrainQueueOptions {
  sql: Sql;
  tasks: TaskRegistry;
  /** Stop claiming before this much time has passed since the call. */
  timeBudgetMs: number;
  /** Handlers at once: the caller decides (GRADING_CONCURRENCY via lib/env.ts for the app). */
  concurrency: number;
  leaseMs?: number;
  /**
   * Register this drain under the application_name its pool's sessions carry, so that if
   * the process dies mid-drain (a killed `next start`) the others release its jobs at once
   * instead of after their leases (#7). Only on a direct or session-mode connection whose
   * pool names its sessions (createSql's applicationName); never behind a transaction pooler.
   */
  register?: boolean;
  /**
   * Stop early (the server or CLI is shutting down): no more claims, unstarted jobs go back
   * at once, running ones get `shutdownGraceMs` to finish and are then handed back.
   */
  signal?: AbortSignal;
  shutdownGraceMs?: number;
  onEvent?: (event: JobEvent) => void;
}

export interface DrainSummary {
  claimed: number;
  completed: number;
  /** Attempts that failed (retried later or failed for good). */
  failed: number;
  /** Runnable jobs left in the queue when the drain stopped. */
  remaining: number;
  /** Jobs of dead workers or expired leases put back before draining. */
  released: number;
  /** Jobs this drain claimed but handed back unfinished because it was stopped. */
  handedBack: number;
  ms: number;
}

/** The time left to start new work: the budget minus the slowest job seen so far (at least a second). */
export function remainingClaimBudgetMs(startedAt: number, now: number, timeBudgetMs: number, slowestJobMs: number): number {
  return timeBudgetMs - (now - startedAt) - Math.max(MIN_CLAIM_HEADROOM_MS, slowestJobMs);
}

/**
 * Runs jobs until the queue is empty or the time budget is nearly spent, then waits
 * for the jobs it started. For serverless callers: the cron route, after() in the
 * route that enqueued work, and the Edge Function.
 */
export async function drainQueue(options: DrainQueueOptions): Promise<DrainSummary> {
  const startedAt = Date.now();
  const workerId = `drain-${createWorkerId()}`;
  let slowestJobMs = 0;
  const emitError = (error: unknown, context: string) => options.onEvent?.({ type: "error", error: coerceError(error), context });
  const runner = new JobRunner({
    sql: options.sql,
    workerId,
    tasks: options.tasks,
    concurrency: options.concurrency,
    leaseMs: options.leaseMs ?? DEFAULT_LEASE_MS,
    onEvent: (event) => {
      if (event.type === "job:complete") slowestJobMs = Math.max(slowestJobMs, event.durationMs);
      options.onEvent?.(event);
    },
    onHeartbeatError: (error) => emitError(error, "heartbeat"),
  });

  const { signal } = options;
  // Resolves when the drain is aborted, so no wait outlives a shutdown request.
  const aborted = new Promise<void>((resolve) => {
    if (signal?.aborted) resolve();
    else signal?.addEventListener("abort", () => resolve(), { once: true });
  });
  let released = 0;
  let registered = false;
  let seenTimer: NodeJS.Timeout | undefined;
  try {
    if (options.register) registered = await registerWorker(options.sql, workerId, hostname());
    if (registered) {
      seenTimer = setInterval(
        () => releaseExpiredLeases(options.sql, workerId).catch((error) => emitError(error, "marking the drain seen")),
        DRAIN_SEEN_INTERVAL_MS,
      );
    }
    released = await releaseExpiredLeases(options.sql, registered ? workerId : null);
    let queueEmpty = false;
    while (!queueEmpty && !signal?.aborted && remainingClaimBudgetMs(startedAt, Date.now(), options.timeBudgetMs, slowestJobMs) > 0) {
      const size = runner.claimSize();
      if (size === 0) {
        await Promise.race([runner.whenSlotFrees(), aborted]);
        continue;
      }
      const claimed = await runner.claim(size);
      if (claimed < size) {
        // Nothing more right now; let what runs finish, it may enqueue follow-up jobs.
        if (runner.runningCount === 0 && runner.bufferedCount === 0) queueEmpty = claimed === 0;
        else await Promise.race([runner.whenSlotFrees(), aborted]);
      }
    }
    await runner.releaseBuffered();
    if (signal?.aborted) {
      await runner.finishWithin(
        options.shutdownGraceMs ?? DEFAULT_DRAIN_SHUTDOWN_GRACE_MS,
        "the drain was stopped before the job finished",
      );
    } else {
      await runner.whenIdle();
    }
  } finally {
    runner.stopHeartbeat();
    clearInterval(seenTimer);
    if (registered) await unregisterWorker(options.sql, workerId).catch((error) => emitError(error, "unregistering the drain"));
  }

  const remaining = await countRunnableJobs(options.sql);
  return {
    claimed: runner.stats.claimed,
    completed: runner.stats.completed,
    failed: runner.stats.failed + runner.stats.retried,
    remaining,
    released,
    handedBack: runner.stats.released,
    ms: Date.now() - startedAt,
  };
}
