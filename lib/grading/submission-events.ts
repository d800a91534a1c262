import type { Sql } from "../db/sql";
import { getSubmissionSummary, listRatingsSince } from "./submission-state";

export const SUBMISSION_EVENTS_CHANNEL = "submission_events";
const DEFAULT_POLL_INTERVAL_MS = 2_000;
const KEEP_ALIVE_MS = 15_000;

export interface SseEvent {
  event: string;
  data: unknown;
  /** Only events with an id move the client's Last-Event-ID. */
  id?: number;
}

export function formatSseEvent(event: SseEvent): string {
  const id = event.id === undefined ? "" : `id: ${event.id}\n`;
  return `${id}event: ${event.event}\ndata: ${JSON.stringify(event.data)}\n\n`;
}

/** Parses Last-Event-ID (header or ?lastEventId=): a non-negative integer, else 0 (from the start). */
export function parseLastEventId(value: string | null | undefined): number {
  if (!value) return 0;
  const parsed = Number(value);
  return Number.isInteger(parsed) && parsed >= 0 ? parsed : 0;
}

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
  const encoder = new TextEncoder();
  let delivered = options.afterSeq;
  let closed = false;
  let cleanup = () => {};

  return new ReadableStream<Uint8Array>({
    start(controller) {
      const send = (event: SseEvent) => controller.enqueue(encoder.encode(formatSseEvent(event)));
      const close = () => {
        if (closed) return;
        closed = true;
        cleanup();
        controller.close();
      };
      for (const event of options.initialEvents ?? []) send(event);

      let running = false;
      let again = false;
      // Sends what is new; true when the stream has reached its final event.
      const sendNewEvents = async (): Promise<boolean> => {
        const ratings = await listRatingsSince(options.sql, options.submissionId, delivered);
        for (const rating of ratings) {
          send({ event: "line", id: rating.seq, data: rating });
          delivered = Math.max(delivered, rating.seq);
        }
        const summary = await getSubmissionSummary(options.sql, options.submissionId);
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
          send({ event: "failed", data: { errors: summary.errors, progress } });
          return true;
        }
        return false;
      };
      const pump = async () => {
        if (closed) return;
        if (running) {
          again = true;
          return;
        }
        running = true;
        try {
          do {
            again = false;
            if (await sendNewEvents()) return close();
          } while (again && !closed);
        } catch (error) {
          send({ event: "error", data: { message: `Could not read the submission's events: ${(error as Error).message}` } });
          close();
        } finally {
          running = false;
        }
      };

      const subscription = subscribeToSubmissionEvents(options.sql, options.submissionId, () => void pump());
      const poll = setInterval(() => void pump(), options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS);
      const keepAlive = setInterval(() => !closed && controller.enqueue(encoder.encode(": keep-alive\n\n")), KEEP_ALIVE_MS);
      const onAbort = () => close();
      options.signal?.addEventListener("abort", onAbort);
      cleanup = () => {
        subscription.unsubscribe();
        clearInterval(poll);
        clearInterval(keepAlive);
        options.signal?.removeEventListener("abort", onAbort);
      };
      // Subscribe before the first read, so nothing lands unseen in between.
      void subscription.ready.then(pump);
    },
    cancel() {
      closed = true;
      cleanup();
    },
  });
}

export const SSE_HEADERS = {
  "Content-Type": "text/event-stream; charset=utf-8",
  "Cache-Control": "no-cache, no-transform",
  Connection: "keep-alive",
  "X-Accel-Buffering": "no",
} as const;
