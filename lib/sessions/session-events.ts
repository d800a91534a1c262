import { publicErrorMessage } from "../api/errors";
import { createRefreshingEventStream } from "../api/event-stream";
import type { NotificationListener } from "../db/notification-listener";
import type { Sql } from "../db/sql";
import { liveStreamsEnv } from "../env";
import { ANY_SUBMISSION, submissionWakeups } from "../submissions/submission-events";
import { getSessionState } from "./get-session-state";

const DEBOUNCE_MS = 250;
/** While LISTEN is down: a session snapshot is a bigger read than one submission's, so a little slower. */
const FALLBACK_POLL_MS = 3_000;

/**
 * Server-Sent Events for a class session: a `session` snapshot (every student's status,
 * progress and score) whenever one of its submissions changes, debounced so thirty
 * essays landing at once send a handful of snapshots, not hundreds. Ends after a
 * snapshot whose status is completed (with or without failures).
 */
export function streamSessionEvents(options: {
  sql: Sql;
  listener: NotificationListener;
  sessionId: string;
  submissionIds: ReadonlySet<string>;
  signal?: AbortSignal;
  safetyPollMs?: number;
  onClose?: () => void;
}): ReadableStream<Uint8Array> {
  return createRefreshingEventStream({
    safetyPollMs: options.safetyPollMs ?? liveStreamsEnv().LIVE_STREAM_SAFETY_POLL_MS,
    fallbackPollMs: FALLBACK_POLL_MS,
    debounceMs: DEBOUNCE_MS,
    signal: options.signal,
    onClose: options.onClose,
    wakeups: submissionWakeups(options.listener, ANY_SUBMISSION, (submissionId) => options.submissionIds.has(submissionId)),
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
