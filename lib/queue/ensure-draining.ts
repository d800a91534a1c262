import type { Sql } from "../db/sql";
import { drainQueue, type DrainSummary } from "./drain-queue";
import type { TaskRegistry } from "./job-kinds";

let running: Promise<void> | null = null;
let moreWork = false;
let deadline = 0;

/**
 * Drains the queue in this server process, one drain at a time: a request that enqueues
 * work while a drain runs tells it to go round once more and pushes its deadline out to
 * this request's own budget (otherwise a request arriving near the end of a drain had its
 * jobs left pending). So a class of thirty submitting at once shares one drain (and one
 * LLM concurrency limit) per instance.
 */
export function ensureDraining(options: {
  sql: Sql;
  tasks: TaskRegistry;
  timeBudgetMs: number;
  concurrency: number;
  /** See DrainQueueOptions.register. */
  register?: boolean;
  /** Aborted when the server stops: the drain hands its jobs back and no new round starts. */
  signal?: AbortSignal;
  onSummary?: (summary: DrainSummary) => void;
}): Promise<void> {
  moreWork = true;
  deadline = Math.max(deadline, Date.now() + options.timeBudgetMs);
  if (running) return running;
  running = (async () => {
    while (moreWork && !options.signal?.aborted) {
      moreWork = false;
      const timeBudgetMs = deadline - Date.now();
      if (timeBudgetMs <= 1_000) break;
      const summary = await drainQueue({
        sql: options.sql,
        tasks: options.tasks,
        timeBudgetMs,
        concurrency: options.concurrency,
        register: options.register,
        signal: options.signal,
      });
      options.onSummary?.(summary);
    }
  })()
    .catch((error) => console.error("[drain] stopped early; the worker or cron will pick up the rest", error))
    .finally(() => {
      running = null;
      deadline = 0;
    });
  return running;
}
