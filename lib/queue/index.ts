export { claimJobs, DEFAULT_LEASE_MS, type ClaimJobsOptions } from "./claim-jobs";
export { completeJobs } from "./complete-jobs";
export { drainQueue, type DrainQueueOptions, type DrainSummary } from "./drain-queue";
export { ensureDraining } from "./ensure-draining";
export { enqueueJobs, type EnqueueJobInput, type EnqueuedJob, UnknownJobKindError } from "./enqueue-jobs";
export { coerceError, describeError, LeaseLostError, NonRetriableJobError, RetryAfterJobError } from "./errors";
export { failJob, type FailJobOptions } from "./fail-job";
export { jobStatusSchema, type GradingJobRow, type JobStatus } from "./grading-job-row";
export { heartbeatJobs, releaseExpiredLeases, releaseJobs } from "./job-leases";
export { defineTask, queueJobKinds, type JobContext, type JobKindRegistry, type JobTask, type TaskRegistry } from "./job-kinds";
export type { JobEvent, RunnerStats } from "./job-runner";
export { cancelJob, cleanupJobs, countJobs, countRunnableJobs, getJob, retryJob, type QueueCounts } from "./manage-jobs";
export {
  createWorkerId,
  DEFAULT_CONCURRENCY,
  DEFAULT_POLL_INTERVAL_MS,
  DEFAULT_SHUTDOWN_TIMEOUT_MS,
  runWorker,
  workerApplicationName,
  type RunWorkerOptions,
  type Worker,
} from "./run-worker";
