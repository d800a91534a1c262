"use client";

import { useCallback, useEffect, useRef, useState } from "react";
import type { SessionState, SessionStatus } from "@/lib/sessions/get-session-state";

/** SessionState as it crosses the wire (JSON): dates are ISO strings. */
export type SessionSnapshot = Omit<SessionState, "createdAt"> & { createdAt: string };

/** live: the SSE stream is open; polling: the stream failed and GET is polled; done: a final snapshot arrived. */
export type SessionTransport = "live" | "polling" | "done";

export const SESSION_POLL_INTERVAL_MS = 2_000;
export const SESSION_LIVE_RETRY_MS = 15_000;

/** The session's stream ends after a snapshot with one of these statuses; nothing changes after it. */
export function isFinalSessionStatus(status: SessionStatus): boolean {
  return status === "completed" || status === "completed_with_failures";
}

/**
 * Keeps a session's state current: `session` snapshots from /api/sessions/:id/events;
 * if the stream errors before a final snapshot, GET /api/sessions/:id every 2 s and try
 * the stream again every 15 s.
 */
export function useSessionStream(initial: SessionSnapshot) {
  const [session, setSession] = useState(initial);
  const [transport, setTransport] = useState<SessionTransport>(isFinalSessionStatus(initial.status) ? "done" : "live");
  const [problem, setProblem] = useState<string | null>(null);
  // Bumped by resume(): after a retry, a finished session grades again.
  const [generation, setGeneration] = useState(0);
  const initialRef = useRef(initial);
  const sessionId = initial.id;

  useEffect(() => {
    if (generation === 0 && isFinalSessionStatus(initialRef.current.status)) return;
    let stopped = false;
    let source: EventSource | null = null;
    let pollTimer: ReturnType<typeof setInterval> | null = null;
    let retryTimer: ReturnType<typeof setTimeout> | null = null;
    // A poll answer that left before the newest applied snapshot arrived is older than it: drop it.
    let appliedAt = 0;

    const stopPolling = () => {
      if (pollTimer) clearInterval(pollTimer);
      if (retryTimer) clearTimeout(retryTimer);
      pollTimer = retryTimer = null;
    };
    const stop = () => {
      stopped = true;
      source?.close();
      stopPolling();
    };
    const apply = (next: SessionSnapshot, observedAt: number) => {
      if (stopped || observedAt < appliedAt) return;
      appliedAt = observedAt;
      setSession(next);
      setProblem(null);
      if (isFinalSessionStatus(next.status)) {
        stop();
        setTransport("done");
      }
    };

    const poll = async () => {
      const startedAt = Date.now();
      try {
        const response = await fetch(`/api/sessions/${sessionId}`, { cache: "no-store" });
        if (response.status === 404) {
          stop();
          setProblem("This session no longer exists.");
          return;
        }
        if (!response.ok) throw new Error(`the server answered ${response.status}`);
        apply((await response.json()) as SessionSnapshot, startedAt);
      } catch (error) {
        if (!stopped) setProblem(`Could not refresh (${(error as Error).message}); trying again.`);
      }
    };

    const connect = () => {
      if (stopped) return;
      source = new EventSource(`/api/sessions/${sessionId}/events`);
      source.addEventListener("open", () => {
        stopPolling();
        setTransport("live");
      });
      source.addEventListener("session", (event) => apply(JSON.parse((event as MessageEvent<string>).data) as SessionSnapshot, Date.now()));
      // Fires for network errors and for the server's own `event: error` (which carries a message).
      source.addEventListener("error", (event) => {
        source?.close();
        source = null;
        if (stopped) return;
        const message = serverErrorMessage(event);
        if (message) setProblem(`Live updates stopped: ${message}`);
        setTransport("polling");
        if (!pollTimer) {
          void poll();
          pollTimer = setInterval(() => void poll(), SESSION_POLL_INTERVAL_MS);
        }
        retryTimer = setTimeout(connect, SESSION_LIVE_RETRY_MS);
      });
    };

    connect();
    return stop;
  }, [sessionId, generation]);

  /** Listen again after the session was finished (e.g. its failed essays were retried). */
  const resume = useCallback(() => {
    setTransport("live");
    setGeneration((current) => current + 1);
  }, []);

  return { session, transport, problem, resume };
}

/** The message of the stream's own `event: error` (data {message}); undefined for a network error. */
function serverErrorMessage(event: Event): string | undefined {
  const data = (event as MessageEvent<unknown>).data;
  if (typeof data !== "string" || !data) return undefined;
  try {
    return (JSON.parse(data) as { message?: string }).message ?? data;
  } catch {
    return data;
  }
}
