import { after } from "next/server";
import { drainsCanRegister, getSql } from "../db/server-sql";
import { ensureDraining } from "../queue/ensure-draining";
import { appTasks } from "../tasks";
import { drainEnv } from "../env";
import { STREAM_DRAIN_BUDGET_MS } from "./route-config";
import { serverStoppingSignal } from "./server-stopping";

/**
 * Starts draining now, in this instance, and keeps it alive until the drain ends (after()
 * waits for the promise). Off when GRADELINE_INLINE_DRAIN=0, e.g. when dedicated workers
 * should do all the work.
 */
export function drainAfterResponse(): void {
  const { GRADELINE_INLINE_DRAIN: inlineDrain, GRADING_CONCURRENCY: concurrency } = drainEnv();
  if (!inlineDrain) return;
  after(
    ensureDraining({
      sql: getSql(),
      tasks: appTasks(),
      timeBudgetMs: STREAM_DRAIN_BUDGET_MS,
      concurrency,
      register: drainsCanRegister(),
      signal: serverStoppingSignal(),
    }),
  );
}
