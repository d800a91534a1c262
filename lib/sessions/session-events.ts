import { publicErrorMessage } from "../api/errors";
import { createRefreshingEventStream } from "../api/event-stream";
import type { Sql } from "../db/sql";
import { ANY_SUBMISSION, subscribeToSubmissionEvents } from "../submissions/submission-events";
import { getSessionState } from "./get-session-state";

const DEBOUNCE_MS = 250;
const POLL_INTERVAL_MS = 3_000;

/**
 * Server-Sent Events for a class session: a `session` snapshot (every student's status,
 * progress and score) whenever one of its submissions changes, debounced so thirty
 * essays landing at once send a handful of snapshots, not hundreds. Ends after a
 * snapshot whose status is completed (with or without failures).
 */
export function streamSessionEvents(options: {
  sql: Sql;
  sessionId: string;
  submissionIds: ReadonlySet<string>;
  signal?: AbortSignal;
}): ReadableStream<Uint8Array> {
  return createRefreshingEventStream({
    pollIntervalMs: POLL_INTERVAL_MS,
    debounceMs: DEBOUNCE_MS,
    signal: options.signal,
    subscribe: (wake) =>
      subscribeToSubmissionEvents(options.sql, ANY_SUBMISSION, (submissionId) => {
        if (submissionId && options.submissionIds.has(submissionId)) wake();
      }),
    describeError: (error) => `Could not read the session: ${publicErrorMessage(error)}`,
    refresh: async (send) => {
      const state = await getSessionState(options.sql, options.sessionId);
      if (!state) {
        send({ event: "error", data: { message: "The session no longer exists." } });
        return true;
      }
      send({ event: "session", data: state });
      return state.status === "completed" || state.status === "completed_with_failures";
    },
  });
}
