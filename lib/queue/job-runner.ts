import type { Sql } from "../db/sql";
import { claimJobs } from "./claim-jobs";
import { CompletionBatcher } from "./completion-batcher";
import type { JobEvent, RunnerStats } from "./job-event";
import type { TaskRegistry } from "./job-kinds";
import { releaseJobs } from "./job-leases";
import { JobLedger, type HeldJob } from "./job-ledger";
import { startLeaseHeartbeat } from "./lease-heartbeat";
import { CompletionRate, planClaimSize } from "./plan-claim-size";
import { recordJobFailure } from "./record-job-failure";
import { runJobHandler } from "./run-job-handler";

export type { JobEvent, RunnerStats } from "./job-event";
export { DEFAULT_JOB_TIMEOUT_MS, JobTimeoutError } from "./run-job-handler";

export interface JobRunnerOptions {
  sql: Sql;
  workerId: string;
  tasks: TaskRegistry;
  concurrency: number;
  leaseMs: number;
  onEvent?: (event: JobEvent) => void;
  /** A heartbeat that failed (the next one tries again). */
  onHeartbeatError: (error: unknown) => void;
}

/**
 * Claims, runs and settles jobs for one worker or one drain: a local buffer of claimed
 * jobs (JobLedger), at most `concurrency` handlers at once, completions batched into one
 * statement while the previous batch is in flight (CompletionBatcher), and a heartbeat
 * for every held lease from construction until stopHeartbeat().
 */
export class JobRunner {
  readonly stats: RunnerStats;
  private readonly ledger: JobLedger;
  private readonly completions: CompletionBatcher;
  private readonly completionRate = new CompletionRate();
  private readonly kinds: string[];
  private readonly endHeartbeat: () => void;
  private running = 0;
  private idleWaiters: Array<() => void> = [];
  private slotWaiters: Array<() => void> = [];

  constructor(private readonly options: JobRunnerOptions) {
    const { sql, workerId, leaseMs } = options;
    this.kinds = Object.keys(options.tasks);
    this.ledger = new JobLedger(options.onEvent);
    this.stats = this.ledger.stats;
    this.completions = new CompletionBatcher({ sql, workerId, ledger: this.ledger, onFlushed: () => this.notifyIfIdle() });
    this.endHeartbeat = startLeaseHeartbeat({ sql, workerId, leaseMs, ledger: this.ledger, onError: options.onHeartbeatError });
  }

  get runningCount(): number {
    return this.running;
  }

  get bufferedCount(): number {
    return this.ledger.bufferedCount;
  }

  /** How many jobs a claim should ask for now: free handler slots plus a prefetch sized by throughput. */
  claimSize(): number {
    const freeSlots = this.options.concurrency - this.running - this.ledger.bufferedCount;
    return planClaimSize(freeSlots, this.completionRate.perSecond(Date.now()));
  }

  /** Claims up to `size` jobs into the buffer and starts what fits. Returns how many were claimed. */
  async claim(size: number): Promise<number> {
    if (size <= 0) return 0;
    const { sql, workerId, leaseMs } = this.options;
    const jobs = await claimJobs(sql, { workerId, batchSize: size, leaseMs, kinds: this.kinds });
    this.ledger.holdClaimed(jobs);
    this.startBuffered();
    return jobs.length;
  }

  /** Starts buffered jobs while handler slots are free. */
  private startBuffered(): void {
    while (this.running < this.options.concurrency) {
      const held = this.ledger.startNext();
      if (!held) return;
      this.running++;
      void this.runJob(held).finally(() => {
        this.running--;
        this.startBuffered();
        for (const resolve of this.slotWaiters.splice(0)) resolve();
        this.notifyIfIdle();
      });
    }
  }

  private async runJob({ job, controller }: HeldJob): Promise<void> {
    const { sql, workerId } = this.options;
    const startedAt = Date.now();
    this.ledger.recordStarted(job);
    let result: unknown;
    try {
      result = await runJobHandler(this.options.tasks, job, { sql, workerId, controller });
    } catch (error) {
      await recordJobFailure({ sql, workerId, ledger: this.ledger }, job, error);
      return;
    }
    this.completionRate.record(Date.now());
    if (!this.ledger.isCurrent(job)) return this.ledger.recordLost(job); // superseded: not this attempt's to complete
    await this.completions.add(job, result, startedAt);
  }

  /** Gives buffered (never started) jobs back to the queue without counting an attempt. */
  async releaseBuffered(): Promise<number> {
    const released = await releaseJobs(this.options.sql, this.options.workerId, this.ledger.takeBuffered(), false);
    this.ledger.recordReleased(released);
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
    const released = await releaseJobs(this.options.sql, this.options.workerId, this.ledger.takeStarted(reason), true);
    this.ledger.recordReleased(released);
    return released;
  }

  /** Ends the heartbeat. Only once nothing is held any more: until then it keeps the leases alive. */
  stopHeartbeat(): void {
    this.endHeartbeat();
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
    return this.running === 0 && this.completions.isIdle;
  }

  private notifyIfIdle(): void {
    if (!this.isIdle()) return;
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }
}
