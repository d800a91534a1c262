"use client";

import { useCallback, useEffect, useRef, useState } from "react";
import type { MonitoringStats } from "@/lib/monitoring/monitoring-stats-schema";

export const POLL_INTERVAL_MS = 5_000;

export interface MonitoringStatsState {
  stats: MonitoringStats | null;
  /** Why the last refresh failed; cleared by the next one that succeeds. */
  error: string | null;
  /** Date.now() when `stats` arrived in this browser; null before the first render in it. */
  updatedAt: number | null;
}

async function fetchStats(signal: AbortSignal): Promise<MonitoringStats> {
  let response: Response;
  try {
    response = await fetch("/api/monitoring/stats", { cache: "no-store", signal });
  } catch (error) {
    if (signal.aborted) throw error;
    throw new Error("The server did not answer. Is the app still running?", { cause: error });
  }
  const body: unknown = await response.json().catch(() => null);
  if (!response.ok) {
    const message = (body as { error?: { message?: string } } | null)?.error?.message;
    throw new Error(message ?? `The server answered ${response.status} ${response.statusText}.`);
  }
  return body as MonitoringStats;
}

/**
 * The monitor's numbers, refreshed every POLL_INTERVAL_MS while the tab is visible (a
 * hidden tab stops polling and refreshes as soon as it is shown again). A failed
 * refresh keeps the last numbers and reports the error beside them.
 */
export function useMonitoringStats(initial: { stats: MonitoringStats | null; error: string | null }) {
  const [state, setState] = useState<MonitoringStatsState>({ ...initial, updatedAt: null });
  const inFlight = useRef<AbortController | null>(null);

  const refresh = useCallback(async () => {
    inFlight.current?.abort();
    const controller = new AbortController();
    inFlight.current = controller;
    try {
      const stats = await fetchStats(controller.signal);
      setState({ stats, error: null, updatedAt: Date.now() });
    } catch (error) {
      if (controller.signal.aborted) return;
      setState((previous) => ({ ...previous, error: (error as Error).message }));
    }
  }, []);

  useEffect(() => {
    // The server-rendered numbers are as fresh as this page load.
    if (initial.stats) setState((previous) => ({ ...previous, updatedAt: previous.updatedAt ?? Date.now() }));
    let timer: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;
    // setTimeout after each answer, not setInterval: a slow database never piles up requests.
    const tick = async () => {
      if (!document.hidden) await refresh();
      if (!stopped) timer = setTimeout(tick, POLL_INTERVAL_MS);
    };
    timer = setTimeout(tick, initial.stats ? POLL_INTERVAL_MS : 0);
    const onVisible = () => {
      if (!document.hidden) void refresh();
    };
    document.addEventListener("visibilitychange", onVisible);
    return () => {
      stopped = true;
      clearTimeout(timer);
      inFlight.current?.abort();
      document.removeEventListener("visibilitychange", onVisible);
    };
    // initial is the server's first render: read once, on mount.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [refresh]);

  return { ...state, refresh };
}

/** Date.now(), re-read every `intervalMs`; null during the server render and hydration. */
export function useNow(intervalMs = 1_000): number | null {
  const [now, setNow] = useState<number | null>(null);
  useEffect(() => {
    // eslint-disable-next-line react-hooks/set-state-in-effect -- the clock starts after hydration, so the server's render (null) matches the first client render
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}
