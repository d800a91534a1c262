import type { GradingStreamEvent } from "@/lib/live/grading-stream-reducer";
import type { LiveChannel, OpenLiveChannelOptions } from "@/lib/live/live-channel";

const parse = (event: Event): unknown => JSON.parse((event as MessageEvent<string>).data);

/**
 * GET /api/submissions/:id/events as a live channel. The first connection resumes with
 * ?lastEventId= (the server reads it when there is no Last-Event-ID header); a native
 * reconnect sends the header itself. Any error before the final event is reported as
 * lost instead of letting EventSource retry forever, so the follower can poll meanwhile.
 */
export function openEventSourceChannel({ submissionId, afterSeq, handlers }: OpenLiveChannelOptions): LiveChannel {
  if (typeof EventSource === "undefined") {
    queueMicrotask(() => handlers.onLost("This browser does not support Server-Sent Events."));
    return { close() {} };
  }
  const url = `/api/submissions/${encodeURIComponent(submissionId)}/events?lastEventId=${afterSeq}`;
  const source = new EventSource(url);
  let done = false;
  const finish = () => {
    done = true;
    source.close();
  };
  const lose = (reason: string) => {
    if (done) return;
    finish();
    handlers.onLost(reason);
  };
  const on = (name: string, toEvent: (data: unknown) => GradingStreamEvent, final = false) =>
    source.addEventListener(name, (message) => {
      if (done) return;
      let event: GradingStreamEvent;
      try {
        event = toEvent(parse(message));
      } catch {
        return lose(`The server sent a malformed "${name}" event.`);
      }
      handlers.onEvent(event);
      // The server closes the stream after the final event; close first so that is not an error.
      if (final) finish();
    });

  source.addEventListener("open", () => !done && handlers.onOpen());
  on("line", (data) => ({ type: "line", rating: data as Extract<GradingStreamEvent, { type: "line" }>["rating"] }));
  on("progress", (data) => ({ type: "progress", ...(data as Omit<Extract<GradingStreamEvent, { type: "progress" }>, "type">) }));
  on("graded", (data) => ({ type: "graded", grade: data as Extract<GradingStreamEvent, { type: "graded" }>["grade"] }), true);
  on("failed", (data) => ({ type: "failed", ...(data as Omit<Extract<GradingStreamEvent, { type: "failed" }>, "type">) }), true);
  // Both the server's own `error` event (with a message) and a dropped connection land here.
  source.addEventListener("error", (event) => {
    const data = event instanceof MessageEvent && typeof event.data === "string" ? event.data : null;
    let message = "The live connection was lost.";
    if (data) {
      try {
        message = (JSON.parse(data) as { message?: string }).message ?? message;
      } catch {
        // keep the generic message
      }
    }
    lose(message);
  });
  return { close: finish };
}
