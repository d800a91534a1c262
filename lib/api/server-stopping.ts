/**
 * Aborted when this server process is asked to stop (SIGINT/SIGTERM, installed by
 * instrumentation.ts). `next start` waits for open responses and for after() work before it
 * exits, so without this an inline drain went on claiming for its whole budget and an open
 * live stream held the server up: Ctrl-C on `npm start` took two minutes (#7). On abort the
 * drain hands its jobs back and live streams end (browsers fall back to polling).
 */
const state = globalThis as unknown as { gradelineServerStopping?: AbortController; gradelineStopSignalsWatched?: boolean };

export function serverStoppingSignal(): AbortSignal {
  state.gradelineServerStopping ??= new AbortController();
  return state.gradelineServerStopping.signal;
}

/** Called once per server process, from instrumentation.ts's register(). */
export function abortOnStopSignals(): void {
  if (state.gradelineStopSignalsWatched) return;
  state.gradelineStopSignalsWatched = true;
  const stop = (signal: NodeJS.Signals) => {
    state.gradelineServerStopping ??= new AbortController();
    if (!state.gradelineServerStopping.signal.aborted) state.gradelineServerStopping.abort(new Error(`server stopping (${signal})`));
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}
