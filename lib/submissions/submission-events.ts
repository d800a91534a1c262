import { publicErrorMessage } from "../api/errors";
import { createRefreshingEventStream, type SseEvent } from "../api/event-stream";
import type { Sql } from "../db/sql";
import { listRatingsSince } from "../grading/line-ratings";
import { publicJobError } from "./public-job-error";
import { getSubmissionSummary } from "./submission-state";

export const SUBMISSION_EVENTS_CHANNEL = "submission_events";
const DEFAULT_POLL_INTERVAL_MS = 2_000;

/** Subscribe with this id to hear about every submission (a class session's stream). */
export const ANY_SUBMISSION = "*";
type SubmissionListener = (submissionId?: string) => void;

// One LISTEN connection per pool, fanned out to the streams of each submission.
const listenersByPool = new WeakMap<Sql, { bySubmission: Map<string, Set<SubmissionListener>>; ready: Promise<unknown> }>();

export function subscribeToSubmissionEvents(
  sql: Sql,
  submissionId: string,
  onChange: SubmissionListener,
): { ready: Promise<unknown>; unsubscribe: () => void } {
  let entry = listenersByPool.get(sql);
  if (!entry) {
    const bySubmission = new Map<string, Set<SubmissionListener>>();
    const ready = sql
      .listen(SUBMISSION_EVENTS_CHANNEL, (payload) => {
        for (const listener of bySubmission.get(payload) ?? []) listener();
        for (const listener of bySubmission.get(ANY_SUBMISSION) ?? []) listener(payload);
      })
      .catch(() => undefined); // streams still poll
    entry = { bySubmission, ready };
    listenersByPool.set(sql, entry);
  }
  const listeners = entry.bySubmission.get(submissionId) ?? new Set();
  listeners.add(onChange);
  entry.bySubmission.set(submissionId, listeners);
  const { bySubmission } = entry;
  return {
    ready: entry.ready,
    unsubscribe: () => {
      listeners.delete(onChange);
      if (listeners.size === 0) bySubmission.delete(submissionId);
    },
  };
}

export interface StreamSubmissionEventsOptions {
  sql: Sql;
  submissionId: string;
  /** Events up to this id were delivered before (Last-Event-ID); 0 sends everything. */
  afterSeq: number;
  /** Sent first, e.g. the submission's lines on a new submission. */
  initialEvents?: SseEvent[];
  signal?: AbortSignal;
  pollIntervalMs?: number;
}

/**
 * Server-Sent Events for one submission: `line` per rating (id = its event number),
 * `progress` after each batch, and a final `graded` or `failed`. Woken by NOTIFY, with
 * a poll as the fallback; a client that reconnects with Last-Event-ID gets only what
 * it missed.
 */
export function streamSubmissionEvents(options: StreamSubmissionEventsOptions): ReadableStream<Uint8Array> {
  let delivered = options.afterSeq;
  const { sql, submissionId } = options;
  return createRefreshingEventStream({
    initialEvents: options.initialEvents,
    pollIntervalMs: options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS,
    signal: options.signal,
    subscribe: (wake) => subscribeToSubmissionEvents(sql, submissionId, wake),
    describeError: (error) => `Could not read the submission's events: ${publicErrorMessage(error)}`,
    refresh: async (send) => {
      const ratings = await listRatingsSince(sql, submissionId, delivered);
      for (const rating of ratings) {
        send({ event: "line", id: rating.seq, data: rating });
        delivered = Math.max(delivered, rating.seq);
      }
      const summary = await getSubmissionSummary(sql, submissionId);
      if (!summary) {
        send({ event: "error", data: { message: "The submission no longer exists." } });
        return true;
      }
      const progress = { rated: summary.row.rated, total: summary.row.line_count, status: summary.status };
      if (ratings.length > 0 || delivered === options.afterSeq) send({ event: "progress", data: progress });
      if (summary.grade) {
        if (summary.grade.seq > delivered) send({ event: "graded", id: summary.grade.seq, data: summary.grade });
        return true;
      }
      if (summary.status === "failed") {
        // The jobs' errors as a student may read them: no addresses, names or stacks (#9).
        const errors = summary.errors.map((failure) => ({ ...failure, error: publicJobError(failure.error) }));
        send({ event: "failed", data: { errors, progress } });
        return true;
      }
      return false;
    },
  });
}
