import type postgres from "postgres";
import type { z } from "zod";
import type { SqlExecutor } from "../db/sql";
import { queueJobKinds, type JobKindRegistry } from "./job-kinds";

export interface EnqueueJobInput<K extends string = string, P = unknown> {
  kind: K;
  payload: P;
  /** Lower runs sooner; default 0. */
  priority?: number;
  runAt?: Date;
  maxAttempts?: number;
  /** While a pending or processing job holds this key, enqueueing it again is a no-op. */
  dedupeKey?: string;
}

export type EnqueueInputFor<R extends JobKindRegistry> = {
  [K in keyof R & string]: EnqueueJobInput<K, z.input<R[K]["payload"]>>;
}[keyof R & string];

export interface EnqueuedJob {
  jobId: number;
  /** False when a live job already held the dedupe key; jobId is then that job's. */
  inserted: boolean;
}

/** A caller enqueued a kind its registry does not hold: a bug in our code, never the user's input (500). */
export class UnknownJobKindError extends Error {
  override name = "UnknownJobKindError";
}

/**
 * Inserts jobs in one statement. Pass a transaction to enqueue together with the rows
 * the jobs belong to. Payloads are validated against the registry first; a ZodError
 * means nothing was inserted.
 */
export function enqueueJobs(sql: SqlExecutor, jobs: ReadonlyArray<EnqueueInputFor<typeof queueJobKinds>>): Promise<EnqueuedJob[]>;
/** Any other kinds come with their registry: the queue never guesses which one a caller meant. */
export function enqueueJobs<R extends JobKindRegistry>(
  sql: SqlExecutor,
  jobs: ReadonlyArray<EnqueueInputFor<R>>,
  registry: R,
): Promise<EnqueuedJob[]>;
export async function enqueueJobs(
  sql: SqlExecutor,
  jobs: ReadonlyArray<EnqueueInputFor<JobKindRegistry>>,
  registry: JobKindRegistry = queueJobKinds,
): Promise<EnqueuedJob[]> {
  if (jobs.length === 0) return [];
  const rows = jobs.map((job) => {
    const definition = registry[job.kind];
    if (!definition) throw new UnknownJobKindError(`unknown job kind "${job.kind}"`);
    return {
      kind: job.kind,
      payload: definition.payload.parse(job.payload),
      priority: job.priority ?? 0,
      run_at: job.runAt?.toISOString(),
      max_attempts: job.maxAttempts ?? definition.maxAttempts,
      dedupe_key: job.dedupeKey,
    };
  });
  const result = await sql<{ job_id: number; inserted: boolean }[]>`
    select job_id, inserted from enqueue_grading_jobs(${sql.json(rows as unknown as postgres.JSONValue)})
  `;
  return result.map((row) => ({ jobId: row.job_id, inserted: row.inserted }));
}
