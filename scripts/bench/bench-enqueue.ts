import { enqueueJobs } from "../../lib/queue";
import type { BenchRun } from "./bench-run";
import { log } from "./log";
import { clientNowMs } from "./measure";
import { monitorCpu } from "./monitor-cpu";
import { resetQueue } from "./queue-state";

/** N noop jobs in one enqueueJobs() call, no worker running; returns jobs per second. */
export async function benchEnqueue(run: BenchRun): Promise<number> {
  const { sql, sizes } = run;
  log(`\n== enqueue: ${sizes.jobs} noop jobs in one enqueueJobs() call`);
  await resetQueue(sql);
  const jobs = Array.from({ length: sizes.jobs }, () => ({ kind: "noop" as const, payload: {} }));
  const cpu = await monitorCpu(run, []);
  const startedAt = clientNowMs();
  const enqueued = await enqueueJobs(sql, jobs);
  const seconds = (clientNowMs() - startedAt) / 1000;
  await cpu();
  if (enqueued.length !== sizes.jobs || enqueued.some((job) => !job.inserted)) {
    throw new Error(`enqueue returned ${enqueued.length} jobs, expected ${sizes.jobs} inserted`);
  }
  const rate = sizes.jobs / seconds;
  log(`enqueued ${sizes.jobs} in ${(seconds * 1000).toFixed(0)} ms: ${rate.toFixed(0)} jobs/s`);
  return rate;
}
