import { publicErrorMessage } from "../api/errors";
import { createRefreshingEventStream, type SseEvent, type StreamWakeups } from "../api/event-stream";
import { ANY_KEY, type NotificationListener } from "../db/notification-listener";
import type { Sql, SqlExecutor } from "../db/sql";
import { liveStreamsEnv } from "../env";
import { listRatingsSince } from "../grading/line-ratings";
import { publicJobError } from "../queue/public-job-error";
import { getSubmissionSummary } from "./submission-state";

/** The database NOTIFYs this channel, with the submission's id, on each rating, grade, failure and override. */
export const SUBMISSION_EVENTS_CHANNEL = "submission_events";

/** Subscribe with this id to hear about every submission (a class session's stream). */
export const ANY_SUBMISSION = ANY_KEY;

/**
 * Wake-ups for a stream from the process's one LISTEN connection: `onNotify` gets the
 * submission id of each notification that concerns `submissionId` (every one, for
 * ANY_SUBMISSION); `accept` can still turn one down (a session stream wants only its own).
 */
export function submissionWakeups(
  listener: NotificationListener,
  submissionId: string,
  accept: (notifiedSubmissionId: string) => boolean = () => true,
): StreamWakeups {
  return {
    listening: () => listener.listening,
    subscribe: (wake) =>
      listener.subscribe(SUBMISSION_EVENTS_CHANNEL, submissionId, {
        onNotify: (payload) => {
          if (accept(payload)) wake("notify");
        },
        onListeningChange: (listening) => wake(listening ? "listening" : "not_listening"),
      }),
  };
}

/** Whether the submission exists: the one cheap read a stream route makes before it streams. */
export async function submissionExists(sql: SqlExecutor, submissionId: string): Promise<boolean> {
  const rows = await sql`select 1 from submissions where id = ${submissionId}`;
  return rows.length > 0;
}

export interface StreamSubmissionEventsOptions {
  sql: Sql;
  listener: NotificationListener;
  submissionId: string;
  /** Events up to this id were delivered before (Last-Event-ID); 0 sends everything. */
  afterSeq: number;
  /** Sent first, e.g. the submission's lines on a new submission. */
  initialEvents?: SseEvent[];
  signal?: AbortSignal;
  safetyPollMs?: number;
  fallbackPollMs?: number;
  /** Called once when the stream ends (frees its slot). */
  onClose?: () => void;
}

/**
 * Server-Sent Events for one submission: `line` per rating (id = its event number),
 * `progress` after each batch, and a final `graded` or `failed`. Reads the database when
 * NOTIFY says the submission changed (and on a slow safety poll); polls only while LISTEN
 * is down. A client that reconnects with Last-Event-ID gets only what it missed.
 */
export function streamSubmissionEvents(options: StreamSubmissionEventsOptions): ReadableStream<Uint8Array> {
  let delivered = options.afterSeq;
  const { sql, submissionId } = options;
  return createRefreshingEventStream({
    initialEvents: options.initialEvents,
    safetyPollMs: options.safetyPollMs ?? liveStreamsEnv().LIVE_STREAM_SAFETY_POLL_MS,
    fallbackPollMs: options.fallbackPollMs,
    signal: options.signal,
    onClose: options.onClose,
    wakeups: submissionWakeups(options.listener, submissionId),
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
