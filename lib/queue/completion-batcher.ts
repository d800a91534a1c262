import type { Sql } from "../db/sql";
import { completeJobs } from "./complete-jobs";
import type { GradingJobRow } from "./grading-job-row";
import type { JobLedger } from "./job-ledger";

const MAX_COMPLETION_BATCH = 1000;

interface Completion {
  job: GradingJobRow;
  result: unknown;
  startedAt: number;
}

export interface CompletionBatcherOptions {
  sql: Sql;
  workerId: string;
  ledger: JobLedger;
  /** Called each time the queue has been written out (the runner may be idle now). */
  onFlushed: () => void;
}

/**
 * Group commit: completions queue up while the previous batch is being written, and go
 * out together in the next statement. Fenced by the lease: a job not completed is lost.
 */
export class CompletionBatcher {
  private queue: Completion[] = [];
  private flushing: Promise<void> | null = null;

  constructor(private readonly options: CompletionBatcherOptions) {}

  /** Nothing queued and nothing being written. */
  get isIdle(): boolean {
    return this.flushing === null && this.queue.length === 0;
  }

  /** Queues a current attempt's completion; resolves at once, the batch writes it. */
  add(job: GradingJobRow, result: unknown, startedAt: number): Promise<void> {
    this.options.ledger.markCompleting(job);
    this.queue.push({ job, result, startedAt });
    if (!this.flushing) {
      this.flushing = this.flush().finally(() => {
        this.flushing = null;
        this.options.onFlushed();
      });
    }
    return Promise.resolve();
  }

  private async flush(): Promise<void> {
    const { sql, workerId, ledger } = this.options;
    await Promise.resolve(); // let completions from the same tick join this batch
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, MAX_COMPLETION_BATCH);
      let completed: Set<number>;
      try {
        completed = await completeJobs(
          sql,
          workerId,
          batch.map(({ job, result }) => ({ jobId: job.id, result })),
        );
      } catch (error) {
        // Unknown outcome: leave them held-less; expired leases will rerun them if the write was lost.
        for (const { job } of batch) ledger.forget(job);
        ledger.reportError(error, `completing ${batch.length} jobs`);
        continue;
      }
      const now = Date.now();
      for (const { job, startedAt } of batch) {
        ledger.forget(job);
        if (completed.has(job.id)) ledger.recordCompleted(job, now - startedAt);
        else ledger.recordLost(job);
      }
    }
  }
}
