import { coerceError } from "./errors";
import type { GradingJobRow } from "./grading-job-row";
import type { JobEvent, RunnerStats } from "./job-event";

export interface HeldJob {
  job: GradingJobRow;
  controller: AbortController;
  started: boolean;
  /** Its handler finished and the completion is being written: the completion reports a lost lease. */
  completing: boolean;
}

/**
 * What a runner holds and what became of it: every attempt it holds a lease for (buffered,
 * running, or being completed), its stats and its events. The runner's pieces change these
 * only through here, so each outcome is counted and reported in one place.
 */
export class JobLedger {
  readonly stats: RunnerStats = { claimed: 0, completed: 0, retried: 0, failed: 0, lost: 0, released: 0 };
  private readonly held = new Map<number, HeldJob>();
  /** Claimed, not started yet, in claim order. */
  private readonly buffer: GradingJobRow[] = [];

  constructor(private readonly onEvent?: (event: JobEvent) => void) {}

  get bufferedCount(): number {
    return this.buffer.length;
  }

  heldIds(): number[] {
    return [...this.held.keys()];
  }

  get(jobId: number): HeldJob | undefined {
    return this.held.get(jobId);
  }

  /** Holds newly claimed jobs in the buffer, unstarted. */
  holdClaimed(jobs: readonly GradingJobRow[]): void {
    this.stats.claimed += jobs.length;
    for (const job of jobs) {
      // This worker may claim again a job whose lease it let expire while an older attempt
      // still runs here: the old attempt is superseded, and its outcome is dropped (see isCurrent).
      this.held.get(job.id)?.controller.abort(new Error("superseded by a newer attempt"));
      this.held.set(job.id, { job, controller: new AbortController(), started: false, completing: false });
      this.buffer.push(job);
    }
  }

  /** Takes the oldest buffered job still held and marks it started; undefined when none is left. */
  startNext(): HeldJob | undefined {
    while (this.buffer.length > 0) {
      const held = this.held.get(this.buffer.shift()!.id);
      if (!held) continue; // lost while buffered
      held.started = true;
      return held;
    }
    return undefined;
  }

  /** False for an attempt superseded by a newer claim of the same job by this worker. */
  isCurrent(job: GradingJobRow): boolean {
    return this.held.get(job.id)?.job === job;
  }

  /** Stops holding this attempt (a newer claim of the same job, if any, stays held). */
  forget(job: GradingJobRow): void {
    if (this.isCurrent(job)) this.held.delete(job.id);
  }

  markCompleting(job: GradingJobRow): void {
    this.held.get(job.id)!.completing = true;
  }

  /**
   * This attempt's lease is gone: taken over after it expired, cancelled, or superseded by
   * this worker's own newer claim. If still held, it stops being held and its handler is
   * aborted. Every loss, whoever notices it, is counted and reported here.
   */
  recordLost(job: GradingJobRow): void {
    const held = this.held.get(job.id);
    if (held?.job === job) {
      this.held.delete(job.id);
      held.controller.abort(new Error("lease lost"));
      const index = this.buffer.findIndex((buffered) => buffered.id === job.id);
      if (index >= 0) this.buffer.splice(index, 1);
    }
    this.stats.lost++;
    this.emit({ type: "job:lost", jobId: job.id, kind: job.kind });
  }

  recordStarted(job: GradingJobRow): void {
    this.emit({ type: "job:start", job });
  }

  recordCompleted(job: GradingJobRow, durationMs: number): void {
    this.stats.completed++;
    this.emit({ type: "job:complete", job, durationMs });
  }

  recordRetried(job: GradingJobRow, error: string, runAt: Date): void {
    this.stats.retried++;
    this.emit({ type: "job:retry", job, error, runAt });
  }

  recordFailed(job: GradingJobRow, error: string): void {
    this.stats.failed++;
    this.emit({ type: "job:failed", job, error });
  }

  recordReleased(count: number): void {
    this.stats.released += count;
  }

  reportError(error: unknown, context: string): void {
    this.emit({ type: "error", error: coerceError(error), context });
  }

  /** Stops holding the buffered (never started) jobs; returns their ids to hand back. */
  takeBuffered(): number[] {
    const ids = this.buffer.splice(0).map((job) => job.id);
    for (const id of ids) this.held.delete(id);
    return ids;
  }

  /** Aborts the started handlers (`reason` as the abort reason) and stops holding them; returns their ids. */
  takeStarted(reason: string): number[] {
    const ids: number[] = [];
    for (const [id, held] of this.held) {
      if (!held.started) continue;
      held.controller.abort(new Error(reason));
      ids.push(id);
    }
    for (const id of ids) this.held.delete(id);
    return ids;
  }

  private emit(event: JobEvent): void {
    try {
      this.onEvent?.(event);
    } catch {
      // A broken listener must not break job processing.
    }
  }
}
