import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import type { Sql } from "../db/sql";
import { DEFAULT_LEASE_MS } from "./claim-jobs";
import { coerceError } from "./errors";
import { registerWorker, releaseExpiredLeases, unregisterWorker } from "./job-leases";
import type { TaskRegistry } from "./job-kinds";
import { JobRunner, type JobEvent, type RunnerStats } from "./job-runner";

export const DEFAULT_CONCURRENCY = 10;
export const DEFAULT_POLL_INTERVAL_MS = 1_000;
/** How often a worker looks for dead workers' jobs; bounds recovery time after a crash. */
export const DEFAULT_RELEASE_INTERVAL_MS = 1_000;
export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 20_000;
export const NOTIFY_CHANNEL = "grading_jobs";

export interface RunWorkerOptions {
  /** A pool whose connections carry `application_name` = workerApplicationName(workerId); see createWorkerSql. */
  sql: Sql;
  tasks: TaskRegistry;
  workerId?: string;
  concurrency?: number;
  pollIntervalMs?: number;
  leaseMs?: number;
  releaseIntervalMs?: number;
  shutdownTimeoutMs?: number;
  /**
   * Register so that others notice at once when this worker dies (default true). Only on
   * a direct or session-mode connection: behind a transaction pooler the sessions that
   * prove a worker alive are not its own.
   */
  register?: boolean;
  onEvent?: (event: JobEvent) => void;
}

export interface Worker {
  readonly workerId: string;
  readonly stats: RunnerStats;
  readonly runningCount: number;
  /** Stops claiming, gives back unstarted jobs, waits for running ones (up to the shutdown timeout). */
  stop(): Promise<void>;
  /** Resolves once the worker has stopped. */
  readonly stopped: Promise<void>;
}

export function createWorkerId(): string {
  return `${hostname().slice(0, 24)}-${process.pid}-${randomBytes(3).toString("hex")}`;
}

/** The application_name a worker's sessions carry: how release_grading_leases() sees it alive. */
export function workerApplicationName(workerId: string): string {
  return `gradeline-worker ${workerId}`.slice(0, 63);
}

/**
 * Runs jobs until stopped: claims when woken by NOTIFY or every poll interval,
 * heartbeats its leases, and every second releases the jobs of workers that died.
 */
export async function runWorker(options: RunWorkerOptions): Promise<Worker> {
  const workerId = options.workerId ?? createWorkerId();
  const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
  const pollIntervalMs = options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
  const { sql } = options;
  const emitError = (error: unknown, context: string) =>
    options.onEvent?.({ type: "error", error: coerceError(error), context: `${context} (worker ${workerId})` });

  let stopping = false;
  let mayHaveWork = true;
  let wakeCount = 0;
  let wakeUp: (() => void) | null = null;
  const wake = () => {
    wakeCount++;
    mayHaveWork = true;
    wakeUp?.();
  };

  const register = options.register ?? true;
  // Registrations in flight, so stop() can wait for them: one that committed after the
  // unregister left a stopped worker's row behind (seen when Ctrl-C came within a second).
  const registering = new Set<Promise<boolean>>();
  const registerNow = async (): Promise<boolean> => {
    if (stopping) return false;
    const attempt = registerWorker(sql, workerId, hostname()).catch((error) => {
      emitError(error, "registering");
      return false;
    });
    registering.add(attempt);
    try {
      return await attempt;
    } finally {
      registering.delete(attempt);
    }
  };
  // The listen callback also runs on every reconnect: register again then, since a long
  // enough outage gets a worker's row removed by the others.
  const listener = await sql.listen(NOTIFY_CHANNEL, wake, () => {
    wake();
    if (register) void registerNow();
  });
  if (register) await registerNow();

  // Created once listening, as its heartbeat timer starts with it: a failed listen leaves no timer behind.
  const runner = new JobRunner({
    sql,
    workerId,
    tasks: options.tasks,
    concurrency: options.concurrency ?? DEFAULT_CONCURRENCY,
    leaseMs,
    onEvent: options.onEvent,
    onHeartbeatError: (error) => emitError(error, "heartbeat"),
  });
  const timers = [
    setInterval(wake, pollIntervalMs),
    setInterval(
      () => releaseExpiredLeases(sql, register ? workerId : null).catch((error) => emitError(error, "releasing expired leases")),
      options.releaseIntervalMs ?? DEFAULT_RELEASE_INTERVAL_MS,
    ),
  ];

  const loop = async () => {
    while (!stopping) {
      const size = runner.claimSize();
      if (mayHaveWork && size > 0) {
        const wakesBefore = wakeCount;
        try {
          const claimed = await runner.claim(size);
          // A short claim means the queue is empty for now, unless a NOTIFY came in meanwhile.
          if (claimed < size && wakeCount === wakesBefore) mayHaveWork = false;
        } catch (error) {
          emitError(error, "claiming");
          mayHaveWork = false; // back off until the next poll
        }
        continue;
      }
      await new Promise<void>((resolve) => {
        wakeUp = resolve;
        // Also wake when a handler slot frees up while work remains.
        if (mayHaveWork && runner.claimSize() > 0) resolve();
        else void runner.whenSlotFrees().then(resolve);
      });
      wakeUp = null;
    }
  };

  let resolveStopped!: () => void;
  const stopped = new Promise<void>((resolve) => (resolveStopped = resolve));
  const loopDone = loop();

  const stop = async () => {
    if (stopping) return stopped;
    stopping = true;
    wakeUp?.();
    await loopDone;
    for (const timer of timers) clearInterval(timer);
    try {
      await runner.releaseBuffered();
      await runner.finishWithin(options.shutdownTimeoutMs ?? DEFAULT_SHUTDOWN_TIMEOUT_MS, "worker shut down before the job finished");
      // Only now: the heartbeat outlives the other timers, as a stopping worker still holds the leases of the jobs it waits for.
      runner.stopHeartbeat();
      if (register) {
        await Promise.all(registering);
        await unregisterWorker(sql, workerId);
      }
    } catch (error) {
      emitError(error, "shutting down");
    } finally {
      runner.stopHeartbeat();
      await listener.unlisten().catch(() => {});
      resolveStopped();
    }
    return stopped;
  };

  return {
    workerId,
    stats: runner.stats,
    get runningCount() {
      return runner.runningCount;
    },
    stop,
    stopped,
  };
}
