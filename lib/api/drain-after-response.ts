import { after } from "next/server";
import { drainsCanRegister, getSql } from "../db/server-sql";
import { ensureDraining } from "../queue/ensure-draining";
import { appTasks } from "../tasks";
import { gradingConcurrency, STREAM_DRAIN_BUDGET_MS } from "./route-config";
import { serverStoppingSignal } from "./server-stopping";

/**
 * Starts draining now, in this instance, and keeps it alive until the drain ends (after()
 * waits for the promise). Off when GRADELINE_INLINE_DRAIN=0, e.g. when dedicated workers
 * should do all the work.
 */
export function drainAfterResponse(): void {
  if (process.env.GRADELINE_INLINE_DRAIN === "0") return;
  after(ensureDraining({ sql: getSql(), tasks: appTasks(), timeBudgetMs: STREAM_DRAIN_BUDGET_MS, concurrency: gradingConcurrency(), register: drainsCanRegister(), signal: serverStoppingSignal() }));
}
