import type { Sql } from "../db/sql";
import { NonRetriableJobError } from "./errors";
import type { GradingJobRow } from "./grading-job-row";
import type { TaskRegistry } from "./job-kinds";

/** A handler that has not settled by then is aborted and its attempt fails (retried with backoff). */
export const DEFAULT_JOB_TIMEOUT_MS = 10 * 60 * 1000;

export class JobTimeoutError extends Error {
  override name = "JobTimeoutError";
}

export interface JobHandlerContext {
  sql: Sql;
  workerId: string;
  /** Aborted on timeout here, and by the runner when the lease is lost or the worker shuts down. */
  controller: AbortController;
}

/**
 * Runs one attempt: checks that this worker has the kind and that the payload parses
 * (neither is fixed by a retry: NonRetriableJobError), then calls the handler with a
 * timeout. Those checks throw synchronously; the caller awaits it inside its try.
 */
export function runJobHandler(tasks: TaskRegistry, job: GradingJobRow, context: JobHandlerContext): Promise<unknown> {
  const task = tasks[job.kind];
  if (!task) throw new NonRetriableJobError(`this worker has no handler for job kind "${job.kind}"`);
  const parsed = task.payload.safeParse(job.payload);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? ` at ${issue.path.join(".")}` : "";
    throw new NonRetriableJobError(`invalid payload for "${job.kind}"${where}: ${issue?.message ?? "invalid"}`);
  }
  const { controller } = context;
  const handled = task.handle(parsed.data, { job, workerId: context.workerId, signal: controller.signal, sql: context.sql });
  return settleWithin(handled, task.timeoutMs ?? DEFAULT_JOB_TIMEOUT_MS, controller);
}

/**
 * The handler's result, or a JobTimeoutError after timeoutMs (its signal is aborted then),
 * so no job holds its lease, and its heartbeat, forever. A handler that ignores the
 * signal runs on, but its outcome is no longer this attempt's.
 */
function settleWithin<T>(handled: Promise<T> | T, timeoutMs: number, controller: AbortController): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new JobTimeoutError(`the handler did not finish within ${Math.round(timeoutMs / 1000)} s`);
      controller.abort(error);
      reject(error);
    }, timeoutMs);
    timer.unref?.();
  });
  return Promise.race([Promise.resolve(handled), timeout]).finally(() => clearTimeout(timer));
}
