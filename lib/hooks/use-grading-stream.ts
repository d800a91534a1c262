"use client";

import { useCallback, useEffect, useReducer, useRef, useState } from "react";
import { followSubmission, fetchSubmissionSnapshot, type GradingTransport } from "@/lib/live/follow-submission";
import { reduceGradingStream, type SubmissionSnapshot } from "@/lib/live/grading-stream-reducer";
import type { OpenLiveChannel } from "@/lib/live/live-channel";
import { openEventSourceChannel } from "@/lib/live/open-event-source-channel";
import { openRealtimeChannel, realtimeConfig } from "@/lib/live/open-realtime-channel";
import { errorMessageOf, requestJson } from "@/lib/client/request-json";

export type { GradingTransport } from "@/lib/live/follow-submission";

export interface GradingStream {
  state: SubmissionSnapshot;
  transport: GradingTransport;
  /** Why the live channel or the last refresh failed; null while all is well. */
  error: string | null;
  /** Refetches the state now, e.g. after saving an override (overrides are not streamed over SSE). */
  refresh(): Promise<void>;
  /** POST retry for the failed jobs, then follow again. Throws with the server's message. */
  retry(): Promise<number>;
}

/**
 * The state of one submission, kept current from the server: Supabase Realtime when
 * NEXT_PUBLIC_SUPABASE_URL/ANON_KEY are set, SSE otherwise, polling while either is
 * down. Components never see which; they read `transport` only to show it.
 */
export function useGradingStream(submissionId: string, initialState: SubmissionSnapshot): GradingStream {
  const [state, dispatch] = useReducer(reduceGradingStream, initialState);
  const [transport, setTransport] = useState<GradingTransport>("connecting");
  const [error, setError] = useState<string | null>(null);
  // Bumped after a retry: the follow that ended at "failed" starts again.
  const [generation, setGeneration] = useState(0);
  const stateRef = useRef(state);
  useEffect(() => {
    stateRef.current = state;
  }, [state]);

  useEffect(() => {
    const realtime = realtimeConfig();
    const openLiveChannel: OpenLiveChannel = realtime ? (options) => openRealtimeChannel(realtime, options) : openEventSourceChannel;
    const follower = followSubmission({
      submissionId,
      getState: () => stateRef.current,
      dispatch,
      onTransport: setTransport,
      onError: setError,
      openLiveChannel,
      refetchWhileLive: realtime !== null,
    });
    return () => follower.stop();
  }, [submissionId, generation]);

  const refresh = useCallback(async () => {
    try {
      dispatch({ type: "snapshot", state: await fetchSubmissionSnapshot(submissionId) });
    } catch (caught) {
      setError(`Could not refresh the submission: ${errorMessageOf(caught)}`);
    }
  }, [submissionId]);

  const retry = useCallback(async () => {
    const { retried, enqueued } = await requestJson<{ retried: number; enqueued: number }>(
      `/api/submissions/${encodeURIComponent(submissionId)}/retry`,
      { method: "POST" },
    );
    dispatch({ type: "retrying" });
    setError(null);
    setGeneration((value) => value + 1);
    return retried + enqueued;
  }, [submissionId]);

  return { state, transport, error, refresh, retry };
}
