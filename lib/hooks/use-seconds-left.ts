"use client";

import { useEffect, useRef, useState } from "react";
import { estimateSecondsLeft, type ProgressSample } from "@/lib/live/estimate-seconds-left";

const TICK_MS = 1_000;

/** Time left to rate every line, from the rate ratings are landing at on this page. */
export function useSecondsLeft(rated: number, total: number, active: boolean): number | null {
  const samples = useRef<ProgressSample[]>([]);
  const [now, setNow] = useState<number | null>(null);

  useEffect(() => {
    const at = Date.now();
    const list = samples.current;
    if (list.at(-1)?.rated !== rated) list.push({ at, rated });
    // Keep the list short: the estimate only looks at the last half minute.
    while (list.length > 200) list.shift();
    // eslint-disable-next-line react-hooks/set-state-in-effect -- re-render with the sample just taken; the server never samples (hydration stays equal)
    setNow(at);
  }, [rated]);

  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => setNow(Date.now()), TICK_MS);
    return () => clearInterval(timer);
  }, [active]);

  // null on the server render and the first client render, so hydration matches.
  if (!active || now === null) return null;
  // The samples change only in the effects above, each followed by setNow: this read is never stale.
  // eslint-disable-next-line react-hooks/refs -- see above
  return estimateSecondsLeft(samples.current, total, now);
}
