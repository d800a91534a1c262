import { afterEach } from "vitest";
import { createSql, type Sql } from "../../lib/db/sql";
import { createWorkerId, runWorker, workerApplicationName, type RunWorkerOptions, type Worker } from "../../lib/queue";

export interface TestWorker extends Worker {
  /** The worker's own pool, whose sessions carry workerApplicationName(workerId). */
  readonly sql: Sql;
}

interface TrackedWorker {
  worker: Worker;
  sql: Sql;
  stopped: boolean;
}

/**
 * Starts in-process workers on the test database, each on a pool of its own named
 * for registration, as scripts/process-grading-jobs.ts does. An afterEach fails the
 * test that left a worker running (graphile's leak guard), after stopping it and
 * ending every pool, so one leak cannot break the tests after it.
 */
export function workersStoppedAfterEach(databaseUrl: () => string) {
  const tracked = new Set<TrackedWorker>();

  afterEach(async () => {
    const leaked: string[] = [];
    for (const entry of tracked) {
      if (!entry.stopped) {
        leaked.push(entry.worker.workerId);
        await entry.worker.stop();
      }
      await entry.sql.end({ timeout: 5 });
    }
    tracked.clear();
    if (leaked.length > 0) {
      throw new Error(`the test left worker(s) ${leaked.join(", ")} running; stop every worker it starts (in a finally)`);
    }
  });

  return {
    async start(options: Omit<RunWorkerOptions, "sql">): Promise<TestWorker> {
      const workerId = options.workerId ?? `test-${createWorkerId()}`;
      const sql = createSql(databaseUrl(), { max: 5, applicationName: workerApplicationName(workerId) });
      const worker = await runWorker({ ...options, workerId, sql });
      const entry: TrackedWorker = { worker, sql, stopped: false };
      void worker.stopped.then(() => (entry.stopped = true));
      tracked.add(entry);
      return {
        workerId,
        stats: worker.stats,
        get runningCount() {
          return worker.runningCount;
        },
        stop: () => worker.stop(),
        stopped: worker.stopped,
        sql,
      };
    },
  };
}

/** Polls `check` until it returns something truthy; fails with `what` after timeoutMs. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T> | T,
  { timeoutMs = 10_000, intervalMs = 25 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  for (;;) {
    last = await check();
    if (last) return last as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${JSON.stringify(last)})`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** A promise the test settles: lets a handler run exactly as long as the test wants, with no sleep. */
export interface Gate {
  readonly promise: Promise<void>;
  open(): void;
}

export function createGate(): Gate {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

/** Waits for the gate, or rejects with the signal's reason when the worker takes the job away. */
export function waitForGate(gate: Gate, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    signal.addEventListener("abort", () => reject(signal.reason), { once: true });
    gate.promise.then(resolve);
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
