import type { Sql } from "../db/sql";
import { ANY_SUBMISSION, formatSseEvent, subscribeToSubmissionEvents } from "../grading/submission-events";
import { getSessionState } from "./get-session-state";

const DEBOUNCE_MS = 250;
const POLL_INTERVAL_MS = 3_000;
const KEEP_ALIVE_MS = 15_000;

/**
 * Server-Sent Events for a class session: a `session` snapshot (every student's status,
 * progress and score) whenever one of its submissions changes, debounced so thirty
 * essays landing at once send a handful of snapshots, not hundreds. Ends after a
 * snapshot whose status is completed (with or without failures).
 */
export function streamSessionEvents(options: { sql: Sql; sessionId: string; submissionIds: ReadonlySet<string>; signal?: AbortSignal }): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let closed = false;
  let cleanup = () => {};
  return new ReadableStream<Uint8Array>({
    start(controller) {
      const close = () => {
        if (closed) return;
        closed = true;
        cleanup();
        controller.close();
      };
      let timer: NodeJS.Timeout | null = null;
      const sendSnapshot = async () => {
        timer = null;
        if (closed) return;
        try {
          const state = await getSessionState(options.sql, options.sessionId);
          if (closed) return;
          if (!state) {
            controller.enqueue(encoder.encode(formatSseEvent({ event: "error", data: { message: "The session no longer exists." } })));
            return close();
          }
          controller.enqueue(encoder.encode(formatSseEvent({ event: "session", data: state })));
          if (state.status === "completed" || state.status === "completed_with_failures") close();
        } catch (error) {
          controller.enqueue(encoder.encode(formatSseEvent({ event: "error", data: { message: (error as Error).message } })));
          close();
        }
      };
      const schedule = () => {
        if (!timer && !closed) timer = setTimeout(() => void sendSnapshot(), DEBOUNCE_MS);
      };
      const subscription = subscribeToSubmissionEvents(options.sql, ANY_SUBMISSION, (submissionId) => {
        if (submissionId && options.submissionIds.has(submissionId)) schedule();
      });
      const poll = setInterval(schedule, POLL_INTERVAL_MS);
      const keepAlive = setInterval(() => !closed && controller.enqueue(encoder.encode(": keep-alive\n\n")), KEEP_ALIVE_MS);
      const onAbort = () => close();
      options.signal?.addEventListener("abort", onAbort);
      cleanup = () => {
        subscription.unsubscribe();
        clearInterval(poll);
        clearInterval(keepAlive);
        if (timer) clearTimeout(timer);
        options.signal?.removeEventListener("abort", onAbort);
      };
      void subscription.ready.then(sendSnapshot);
    },
    cancel() {
      closed = true;
      cleanup();
    },
  });
}
