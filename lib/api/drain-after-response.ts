import { after } from "next/server";
import { drainsCanRegister, getSql } from "../db/server-sql";
import { runHousekeepingIfDue } from "../grading/process-grading-queue";
import { ensureDraining } from "../queue/ensure-draining";
import { appTasks } from "../tasks";
import { drainEnv } from "../env";
import { STREAM_DRAIN_BUDGET_MS } from "./route-config";
import { serverStoppingSignal } from "./server-stopping";

/**
 * Starts draining now, in this instance, and keeps it alive until the drain ends (after()
 * waits for the promise); cleans up too, at most every CLEANUP_INTERVAL_MS, so `npm start`
 * or a deployment without cron still deletes old jobs and expired submissions (#9). Off
 * when GRADELINE_INLINE_DRAIN=0, e.g. when dedicated workers should do all the work.
 */
export function drainAfterResponse(): void {
  const { GRADELINE_INLINE_DRAIN: inlineDrain, GRADING_CONCURRENCY: concurrency } = drainEnv();
  if (!inlineDrain) return;
  const sql = getSql();
  after(runHousekeepingIfDue(sql));
  after(
    ensureDraining({
      sql,
      tasks: appTasks(),
      timeBudgetMs: STREAM_DRAIN_BUDGET_MS,
      concurrency,
      register: drainsCanRegister(),
      signal: serverStoppingSignal(),
    }),
  );
}
