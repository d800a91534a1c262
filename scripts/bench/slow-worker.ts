/**
 * Benchmark fixture (not part of the app): a long-running worker exactly like
 * scripts/process-grading-jobs.ts — same lib/queue code (runWorker, JobRunner,
 * leases, dead-worker detection), same defaults, same pool setup — except that its
 * `noop` handler holds the job when payload.label === "hold", so that
 * scripts/bench-queue.ts can SIGKILL a worker in the middle of a job and time the
 * recovery. Other noop jobs complete at once, as in the real worker.
 *
 *   DATABASE_URL=… node --import tsx scripts/bench/slow-worker.ts
 *
 * Prints `ready <workerId> <pid>` on stdout once it is listening and registered, and
 * `start <jobId> <attempts>` when a handler starts. Stops cleanly on SIGINT/SIGTERM, and
 * when its stdin closes (the benchmark died without killing it: no orphaned workers).
 */
import { setTimeout as sleep } from "node:timers/promises";
import { createSql } from "../../lib/db/sql";
import {
  createWorkerId,
  DEFAULT_CONCURRENCY,
  defineTask,
  queueJobKinds,
  runWorker,
  workerApplicationName,
  type TaskRegistry,
} from "../../lib/queue";

const HOLD_MS = 10 * 60_000;

async function main(): Promise<number> {
  const url = process.env.DATABASE_URL;
  if (!url) {
    process.stderr.write("slow-worker: DATABASE_URL is required\n");
    return 2;
  }
  const workerId = createWorkerId();
  // The same pool the CLI builds for its default concurrency.
  const sql = createSql(url, { max: Math.min(20, DEFAULT_CONCURRENCY + 3), applicationName: workerApplicationName(workerId) });
  const tasks: TaskRegistry = {
    noop: defineTask({
      ...queueJobKinds.noop,
      handle: async (payload, { job, signal }) => {
        process.stdout.write(`start ${job.id} ${job.attempts}\n`);
        if (payload.label === "hold") await sleep(HOLD_MS, undefined, { signal }).catch(() => {});
        return undefined;
      },
    }),
  };
  try {
    const worker = await runWorker({
      sql,
      tasks,
      workerId,
      onEvent: (event) => {
        if (event.type === "error") process.stderr.write(`slow-worker ${process.pid}: ${event.context}: ${event.error.message}\n`);
      },
    });
    process.stdout.write(`ready ${workerId} ${process.pid}\n`);
    await new Promise<void>((resolve) => {
      process.once("SIGINT", () => resolve());
      process.once("SIGTERM", () => resolve());
      process.stdin.once("close", () => resolve()).resume();
    });
    // Held jobs would keep stop() waiting for the shutdown timeout; the bench only
    // stops this fixture at the end, so give up quickly instead.
    await Promise.race([worker.stop(), sleep(2_000)]);
    return 0;
  } finally {
    await sql.end({ timeout: 2 });
  }
}

main().then(
  (code) => process.exit(code),
  (error) => {
    process.stderr.write(`slow-worker: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
