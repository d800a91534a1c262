import { z } from "zod";
import type { GradingJobRow } from "./grading-job-row";
import type { Sql } from "../db/sql";

export interface JobContext {
  job: GradingJobRow;
  workerId: string;
  /** Aborted when the worker lost the job's lease or is shutting down hard. */
  signal: AbortSignal;
  sql: Sql;
}

export interface JobKindDefinition<P = unknown> {
  payload: z.ZodType<P>;
  maxAttempts: number;
  /** An attempt still running after this long is aborted and failed (default 10 minutes). */
  timeoutMs?: number;
}

export interface JobTask<P = unknown> extends JobKindDefinition<P> {
  handle(payload: P, context: JobContext): Promise<unknown> | unknown;
}

// A registry maps a kind to its definition; `any` lets one map hold tasks of different payloads.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type JobKindRegistry = Record<string, JobKindDefinition<any>>;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type TaskRegistry = Record<string, JobTask<any>>;

export function defineTask<P>(task: JobTask<P>): JobTask<P> {
  return task;
}

export const noopPayloadSchema = z.object({ label: z.string().max(200).optional() }).strict();
export type NoopPayload = z.infer<typeof noopPayloadSchema>;

/**
 * The queue's own kinds: `noop` does nothing (health checks, the queue benchmark). The
 * domain's kinds are not known here: the composition root (lib/tasks.ts) hands the queue
 * the registry it runs, and each room passes its own kinds to enqueueJobs (#8). Payload
 * schemas type enqueueJobs and are re-checked when a job is claimed, because a row can
 * outlive the code that wrote it.
 */
export const queueJobKinds = {
  noop: { payload: noopPayloadSchema, maxAttempts: 3 },
} as const satisfies JobKindRegistry;
