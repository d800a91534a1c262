/**
 * Runs in the browser (bundled by follow-harness-bundle.ts): the app's real
 * followSubmission with the real live channels, over the page's own fetch,
 * EventSource and WebSocket. It records what the follower reports and what the live
 * channel tells it, so a test can read them with page.evaluate.
 */
import { fetchSubmissionSnapshot, followSubmission, type GradingTransport } from "@/lib/live/follow-submission";
import { reduceGradingStream, type GradingStreamEvent, type SubmissionSnapshot } from "@/lib/live/grading-stream-reducer";
import type { OpenLiveChannel } from "@/lib/live/live-channel";
import { openEventSourceChannel } from "@/lib/live/open-event-source-channel";
import { openRealtimeChannel, type RealtimeConfig } from "@/lib/live/open-realtime-channel";

export type HarnessEntry = { at: number } & (
  | { kind: "transport"; transport: GradingTransport }
  | { kind: "error"; message: string | null }
  /** What the follower dispatched, with the lines rated in the state after it. */
  | { kind: "dispatch"; type: GradingStreamEvent["type"]; ratedLines: number[]; status: SubmissionSnapshot["status"] }
  /** What the live channel reported to the follower, and when the follower closed it. */
  | { kind: "channel"; what: "open" | "event" | "change" | "lost" | "close"; reason?: string }
);

export interface FollowHarness {
  entries: HarnessEntry[];
  state: SubmissionSnapshot | null;
  /** Follows a submission; without an initial state, GET /api/submissions/:id gives it. */
  follow(options: { submissionId: string; initialState?: SubmissionSnapshot; realtime?: RealtimeConfig }): Promise<void>;
  stop(): void;
}

declare global {
  interface Window {
    followHarness: FollowHarness;
  }
}

const ratedLines = (state: SubmissionSnapshot) => state.lines.filter((line) => line.rating !== null).map((line) => line.index);

function recordingChannel(open: OpenLiveChannel, log: (entry: Extract<HarnessEntry, { kind: "channel" }>) => void): OpenLiveChannel {
  return (options) => {
    const { handlers } = options;
    const channel = open({
      ...options,
      handlers: {
        onOpen: () => (log({ at: Date.now(), kind: "channel", what: "open" }), handlers.onOpen()),
        onEvent: (event) => (log({ at: Date.now(), kind: "channel", what: "event", reason: event.type }), handlers.onEvent(event)),
        onChange: () => (log({ at: Date.now(), kind: "channel", what: "change" }), handlers.onChange()),
        onLost: (reason) => (log({ at: Date.now(), kind: "channel", what: "lost", reason }), handlers.onLost(reason)),
      },
    });
    return {
      close() {
        log({ at: Date.now(), kind: "channel", what: "close" });
        channel.close();
      },
    };
  };
}

let follower: { stop(): void } | null = null;

const harness: FollowHarness = {
  entries: [],
  state: null,
  async follow({ submissionId, initialState, realtime }) {
    const entries = harness.entries;
    let state = initialState ?? (await fetchSubmissionSnapshot(submissionId));
    harness.state = state;
    const open = realtime ? (options: Parameters<OpenLiveChannel>[0]) => openRealtimeChannel(realtime, options) : openEventSourceChannel;
    follower = followSubmission({
      submissionId,
      getState: () => state,
      dispatch: (event) => {
        state = reduceGradingStream(state, event);
        harness.state = state;
        entries.push({ at: Date.now(), kind: "dispatch", type: event.type, ratedLines: ratedLines(state), status: state.status });
      },
      onTransport: (transport) => entries.push({ at: Date.now(), kind: "transport", transport }),
      onError: (message) => entries.push({ at: Date.now(), kind: "error", message }),
      openLiveChannel: recordingChannel(open, (entry) => entries.push(entry)),
      refetchWhileLive: realtime !== undefined,
    });
  },
  stop() {
    follower?.stop();
  },
};

window.followHarness = harness;
