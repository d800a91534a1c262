import { isFinalStatus, lastRatingSeq, type GradingStreamEvent, type SubmissionSnapshot } from "@/lib/live/grading-stream-reducer";
import type { LiveChannel, OpenLiveChannel } from "@/lib/live/live-channel";
import { errorMessageOf, RequestError, requestJson } from "@/lib/client/request-json";

export type GradingTransport = "live" | "polling" | "connecting";

export const POLL_INTERVAL_MS = 2_000;
/** How long to poll before trying the live channel again. */
export const LIVE_RETRY_MS = 15_000;
/**
 * While live on Realtime, refetch this often anyway: the database broadcasts new
 * ratings, overrides and the grade, but not a job failing for good, so a failed
 * submission would otherwise never say so.
 */
export const REALTIME_SAFETY_REFETCH_MS = 15_000;

export interface FollowSubmissionOptions {
  submissionId: string;
  getState(): SubmissionSnapshot;
  dispatch(event: GradingStreamEvent): void;
  onTransport(transport: GradingTransport): void;
  onError(message: string | null): void;
  openLiveChannel: OpenLiveChannel;
  /** True for Realtime, whose messages only say "something changed". */
  refetchWhileLive?: boolean;
}

export function fetchSubmissionSnapshot(submissionId: string): Promise<SubmissionSnapshot> {
  return requestJson<SubmissionSnapshot>(`/api/submissions/${encodeURIComponent(submissionId)}`);
}

/**
 * Keeps one submission's state current: live channel first; while it is down, poll
 * every 2 s and try live again every 15 s; stop everything at the final event
 * (graded or failed). Plain TypeScript so the transport rules do not depend on React.
 */
export function followSubmission(options: FollowSubmissionOptions): { stop(): void } {
  const { submissionId, dispatch, onTransport, onError } = options;
  let stopped = false;
  let live: LiveChannel | null = null;
  let polling = false;
  const timers = new Set<ReturnType<typeof setTimeout>>();
  const later = (run: () => void, ms: number) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (!stopped) run();
    }, ms);
    timers.add(timer);
    return timer;
  };
  const cancel = (timer: ReturnType<typeof setTimeout> | null) => {
    if (timer === null) return;
    clearTimeout(timer);
    timers.delete(timer);
  };

  const stop = () => {
    stopped = true;
    live?.close();
    live = null;
    for (const timer of timers) clearTimeout(timer);
    timers.clear();
  };

  // Applies a fetched state; the final status ends the follow.
  const applySnapshot = (snapshot: SubmissionSnapshot) => {
    if (stopped) return;
    dispatch({ type: "snapshot", state: snapshot });
    if (isFinalStatus(snapshot.status)) stop();
  };

  let fetching = false;
  let fetchAgain = false;
  const refetch = async () => {
    if (fetching) {
      fetchAgain = true; // a burst of broadcasts becomes at most two requests
      return;
    }
    fetching = true;
    try {
      do {
        fetchAgain = false;
        applySnapshot(await fetchSubmissionSnapshot(submissionId));
        onError(null);
      } while (fetchAgain && !stopped);
    } catch (error) {
      if (stopped) return;
      if (error instanceof RequestError && error.status === 404) {
        // Deleted while open: nothing will ever change again, so stop asking.
        onError(error.message);
        stop();
      } else onError(`Could not refresh the submission: ${errorMessageOf(error)}`);
    } finally {
      fetching = false;
    }
  };

  // Each polling run has its own number, so a run outlived by a live spell never doubles up with the next.
  let pollRun = 0;
  const poll = async (run: number) => {
    if (run !== pollRun || stopped) return;
    await refetch();
    if (run === pollRun && !stopped) later(() => void poll(run), POLL_INTERVAL_MS);
  };
  const startPolling = () => {
    onTransport("polling");
    if (polling) return;
    polling = true;
    void poll(++pollRun);
  };
  const stopPolling = () => {
    polling = false;
    pollRun++;
  };

  let liveRetry: ReturnType<typeof setTimeout> | null = null;
  let safetyRefetch: ReturnType<typeof setTimeout> | null = null;
  const scheduleSafetyRefetch = () => {
    safetyRefetch = later(() => {
      void refetch();
      scheduleSafetyRefetch();
    }, REALTIME_SAFETY_REFETCH_MS);
  };

  const goLive = () => {
    live?.close();
    live = options.openLiveChannel({
      submissionId,
      afterSeq: lastRatingSeq(options.getState()),
      handlers: {
        onOpen: () => {
          if (stopped) return;
          stopPolling();
          onTransport("live");
          onError(null);
          // Realtime sends only what lands after the join: catch up on what landed before it.
          if (options.refetchWhileLive) {
            void refetch();
            cancel(safetyRefetch);
            scheduleSafetyRefetch();
          }
        },
        onEvent: (event) => {
          if (stopped) return;
          dispatch(event);
          if (event.type === "graded" || event.type === "failed") stop();
        },
        onChange: () => void refetch(),
        onLost: (reason) => {
          if (stopped) return;
          live = null;
          cancel(safetyRefetch);
          onError(`${reason} Checking every ${POLL_INTERVAL_MS / 1000} s instead.`);
          startPolling();
          cancel(liveRetry);
          liveRetry = later(goLive, LIVE_RETRY_MS);
        },
      },
    });
  };

  onTransport("connecting");
  goLive();
  return { stop };
}
