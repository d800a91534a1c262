import type { Sql } from "../db/sql";
import { claimJobs } from "./claim-jobs";
import { completeJobs } from "./complete-jobs";
import { coerceError, describeError, NonRetriableJobError, RetryAfterJobError } from "./errors";
import { failJob } from "./fail-job";
import type { GradingJobRow } from "./grading-job-row";
import { heartbeatJobs, releaseJobs } from "./job-leases";
import type { TaskRegistry } from "./job-kinds";

/** A handler that has not settled by then is aborted and its attempt fails (retried with backoff). */
export const DEFAULT_JOB_TIMEOUT_MS = 10 * 60 * 1000;
/** Claim enough to cover this much work at the observed rate, so fast jobs never wait on a round-trip. */
const PREFETCH_WINDOW_MS = 50;
const MAX_CLAIM_BATCH = 500;
const MAX_COMPLETION_BATCH = 1000;

export type JobEvent =
  | { type: "job:start"; job: GradingJobRow }
  | { type: "job:complete"; job: GradingJobRow; durationMs: number }
  | { type: "job:retry"; job: GradingJobRow; error: string; runAt: Date }
  | { type: "job:failed"; job: GradingJobRow; error: string }
  | { type: "job:lost"; jobId: number; kind?: string }
  | { type: "error"; error: Error; context: string };

export interface RunnerStats {
  claimed: number;
  completed: number;
  /** Attempts that failed and were scheduled to run again. */
  retried: number;
  /** Jobs that ended as failed (no attempts left, or not retriable). */
  failed: number;
  /** Jobs this runner lost the lease of before finishing them. */
  lost: number;
  /** Jobs handed back to pending at shutdown (unstarted, or still running when the grace ran out). */
  released: number;
}

export interface JobRunnerOptions {
  sql: Sql;
  workerId: string;
  tasks: TaskRegistry;
  concurrency: number;
  leaseMs: number;
  onEvent?: (event: JobEvent) => void;
}

interface HeldJob {
  job: GradingJobRow;
  controller: AbortController;
  started: boolean;
  /** Its handler finished and the completion is being written: the completion reports a lost lease. */
  completing: boolean;
}

/**
 * Claims, runs and settles jobs for one worker or one drain: a local buffer of
 * claimed jobs, at most `concurrency` handlers at once, completions batched into one
 * statement while the previous batch is in flight, and heartbeats for every held lease.
 */
export class JobRunner {
  readonly stats: RunnerStats = { claimed: 0, completed: 0, retried: 0, failed: 0, lost: 0, released: 0 };
  private readonly held = new Map<number, HeldJob>();
  private readonly buffer: GradingJobRow[] = [];
  private running = 0;
  private completionQueue: Array<{ job: GradingJobRow; result: unknown; startedAt: number }> = [];
  private completionFlush: Promise<void> | null = null;
  private idleWaiters: Array<() => void> = [];
  private slotWaiters: Array<() => void> = [];
  private readonly completionRate = new CompletionRate();
  private readonly kinds: string[];

  constructor(private readonly options: JobRunnerOptions) {
    this.kinds = Object.keys(options.tasks);
  }

  get runningCount(): number {
    return this.running;
  }

  get heldCount(): number {
    return this.held.size;
  }

  get bufferedCount(): number {
    return this.buffer.length;
  }

  /** How many jobs a claim should ask for now: free handler slots plus a prefetch sized by throughput. */
  claimSize(): number {
    const free = this.options.concurrency - this.running - this.buffer.length;
    const prefetch = Math.ceil(this.completionRate.perSecond(Date.now()) * (PREFETCH_WINDOW_MS / 1000));
    return Math.min(MAX_CLAIM_BATCH, Math.max(0, free + prefetch));
  }

  /** Claims up to `size` jobs into the buffer and starts what fits. Returns how many were claimed. */
  async claim(size: number): Promise<number> {
    if (size <= 0) return 0;
    const jobs = await claimJobs(this.options.sql, {
      workerId: this.options.workerId,
      batchSize: size,
      leaseMs: this.options.leaseMs,
      kinds: this.kinds,
    });
    this.stats.claimed += jobs.length;
    for (const job of jobs) {
      // This worker may claim again a job whose lease it let expire while an older attempt
      // still runs here: the old attempt is superseded, and its outcome is dropped (see isCurrent).
      this.held.get(job.id)?.controller.abort(new Error("superseded by a newer attempt"));
      this.held.set(job.id, { job, controller: new AbortController(), started: false, completing: false });
      this.buffer.push(job);
    }
    this.pump();
    return jobs.length;
  }

  /** Starts buffered jobs while handler slots are free. */
  pump(): void {
    while (this.running < this.options.concurrency && this.buffer.length > 0) {
      const job = this.buffer.shift()!;
      const held = this.held.get(job.id);
      if (!held) continue; // lost while buffered
      held.started = true;
      this.running++;
      void this.runJob(held).finally(() => {
        this.running--;
        this.pump();
        for (const resolve of this.slotWaiters.splice(0)) resolve();
        this.notifyIfIdle();
      });
    }
  }

  private async runJob(held: HeldJob): Promise<void> {
    const { job, controller } = held;
    const startedAt = Date.now();
    this.emit({ type: "job:start", job });
    let result: unknown;
    try {
      const task = this.options.tasks[job.kind];
      if (!task) throw new NonRetriableJobError(`this worker has no handler for job kind "${job.kind}"`);
      const parsed = task.payload.safeParse(job.payload);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        const where = issue?.path.length ? ` at ${issue.path.join(".")}` : "";
        throw new NonRetriableJobError(`invalid payload for "${job.kind}"${where}: ${issue?.message ?? "invalid"}`);
      }
      const handled = task.handle(parsed.data, {
        job,
        workerId: this.options.workerId,
        signal: controller.signal,
        sql: this.options.sql,
      });
      result = await settleWithin(handled, task.timeoutMs ?? DEFAULT_JOB_TIMEOUT_MS, controller);
    } catch (error) {
      await this.recordFailure(job, error);
      return;
    }
    this.completionRate.record(Date.now());
    await this.enqueueCompletion(job, result, startedAt);
  }

  /** False for an attempt superseded by a newer claim of the same job by this worker. */
  private isCurrent(job: GradingJobRow): boolean {
    return this.held.get(job.id)?.job === job;
  }

  /** Stops holding this attempt (a newer claim of the same job, if any, stays held). */
  private forget(job: GradingJobRow): void {
    if (this.isCurrent(job)) this.held.delete(job.id);
  }

  private dropSuperseded(job: GradingJobRow): void {
    this.stats.lost++;
    this.emit({ type: "job:lost", jobId: job.id, kind: job.kind });
  }

  private async recordFailure(job: GradingJobRow, error: unknown): Promise<void> {
    if (!this.isCurrent(job)) return this.dropSuperseded(job);
    const message = describeError(error);
    try {
      const outcome = await failJob(this.options.sql, {
        jobId: job.id,
        workerId: this.options.workerId,
        error: message,
        retryInMs: error instanceof RetryAfterJobError ? error.retryAfterMs : undefined,
        permanent: error instanceof NonRetriableJobError,
      });
      this.forget(job);
      if (!outcome) {
        this.stats.lost++;
        this.emit({ type: "job:lost", jobId: job.id, kind: job.kind });
      } else if (outcome.status === "failed") {
        this.stats.failed++;
        this.emit({ type: "job:failed", job, error: message });
      } else {
        this.stats.retried++;
        this.emit({ type: "job:retry", job, error: message, runAt: outcome.runAt });
      }
    } catch (dbError) {
      // The lease will run out and the job will be retried; nothing is lost.
      this.forget(job);
      this.emit({ type: "error", error: coerceError(dbError), context: `recording failure of job ${job.id} (${job.kind})` });
    }
  }

  private enqueueCompletion(job: GradingJobRow, result: unknown, startedAt: number): Promise<void> {
    if (!this.isCurrent(job)) {
      this.dropSuperseded(job);
      return Promise.resolve();
    }
    this.held.get(job.id)!.completing = true;
    this.completionQueue.push({ job, result, startedAt });
    if (!this.completionFlush) {
      this.completionFlush = this.flushCompletions().finally(() => {
        this.completionFlush = null;
        this.notifyIfIdle();
      });
    }
    return Promise.resolve();
  }

  // Group commit: whatever finished while the previous batch was being written goes in the next one.
  private async flushCompletions(): Promise<void> {
    await Promise.resolve(); // let completions from the same tick join this batch
    while (this.completionQueue.length > 0) {
      const batch = this.completionQueue.splice(0, MAX_COMPLETION_BATCH);
      let completed: Set<number>;
      try {
        completed = await completeJobs(
          this.options.sql,
          this.options.workerId,
          batch.map(({ job, result }) => ({ jobId: job.id, result })),
        );
      } catch (error) {
        // Unknown outcome: leave them held-less; expired leases will rerun them if the write was lost.
        for (const { job } of batch) this.forget(job);
        this.emit({ type: "error", error: coerceError(error), context: `completing ${batch.length} jobs` });
        continue;
      }
      const now = Date.now();
      for (const { job, startedAt } of batch) {
        this.forget(job);
        if (completed.has(job.id)) {
          this.stats.completed++;
          this.emit({ type: "job:complete", job, durationMs: now - startedAt });
        } else {
          this.stats.lost++;
          this.emit({ type: "job:lost", jobId: job.id, kind: job.kind });
        }
      }
    }
  }

  /** Extends every held lease; jobs whose lease was lost are aborted and dropped. */
  async heartbeat(): Promise<void> {
    const ids = [...this.held.keys()];
    if (ids.length === 0) return;
    const stillHeld = await heartbeatJobs(this.options.sql, this.options.workerId, ids, this.options.leaseMs);
    for (const id of ids) {
      if (stillHeld.has(id)) continue;
      const held = this.held.get(id);
      if (!held || held.completing) continue; // settled meanwhile, or its completion will say

      this.held.delete(id);
      held.controller.abort(new Error("lease lost"));
      const index = this.buffer.findIndex((job) => job.id === id);
      if (index >= 0) this.buffer.splice(index, 1);
      this.stats.lost++;
      this.emit({ type: "job:lost", jobId: id, kind: held.job.kind });
    }
  }

  /** Gives buffered (never started) jobs back to the queue without counting an attempt. */
  async releaseBuffered(): Promise<number> {
    const ids = this.buffer.splice(0).map((job) => job.id);
    for (const id of ids) this.held.delete(id);
    const released = await releaseJobs(this.options.sql, this.options.workerId, ids, false);
    this.stats.released += released;
    return released;
  }

  /**
   * Shutdown's last step: lets the running handlers finish for up to `graceMs`, then aborts
   * those still running and gives their jobs back (`reason` as their last error).
   */
  async finishWithin(graceMs: number, reason: string): Promise<void> {
    const finished = await Promise.race([
      this.whenIdle().then(() => true),
      new Promise<boolean>((resolve) => setTimeout(() => resolve(false), graceMs).unref()),
    ]);
    if (!finished) await this.releaseRunning(reason);
  }

  /** Aborts running handlers and gives their jobs back (attempt counted). */
  async releaseRunning(reason: string): Promise<number> {
    const ids: number[] = [];
    for (const [id, held] of this.held) {
      if (!held.started) continue;
      held.controller.abort(new Error(reason));
      ids.push(id);
    }
    for (const id of ids) this.held.delete(id);
    const released = await releaseJobs(this.options.sql, this.options.workerId, ids, true);
    this.stats.released += released;
    return released;
  }

  /** Resolves when a running handler finishes. */
  whenSlotFrees(): Promise<void> {
    if (this.running === 0) return new Promise(() => {}); // nothing running: only a wake-up helps
    return new Promise((resolve) => this.slotWaiters.push(resolve));
  }

  /** Resolves when no handler runs and no completion is being written. */
  whenIdle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private isIdle(): boolean {
    return this.running === 0 && this.completionFlush === null && this.completionQueue.length === 0;
  }

  private notifyIfIdle(): void {
    if (!this.isIdle()) return;
    const waiters = this.idleWaiters.splice(0);
    for (const resolve of waiters) resolve();
  }

  private emit(event: JobEvent): void {
    try {
      this.options.onEvent?.(event);
    } catch {
      // A broken listener must not break job processing.
    }
  }
}

/**
 * Completions per second over the last second, or over the time since the first one
 * when that is shorter: dividing a fresh worker's first burst by a whole second
 * underestimated its rate tenfold and kept its claims small (bench: 13.5k → 24k jobs/s).
 */
class CompletionRate {
  private times: number[] = [];
  private head = 0;

  record(now: number): void {
    this.times.push(now);
  }

  perSecond(now: number): number {
    while (this.head < this.times.length && now - this.times[this.head]! >= 1000) this.head++;
    if (this.head > 4096) {
      this.times = this.times.slice(this.head);
      this.head = 0;
    }
    const count = this.times.length - this.head;
    if (count === 0) return 0;
    const windowMs = Math.min(1000, Math.max(PREFETCH_WINDOW_MS, now - this.times[this.head]!));
    return (count * 1000) / windowMs;
  }
}

export class JobTimeoutError extends Error {
  override name = "JobTimeoutError";
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
