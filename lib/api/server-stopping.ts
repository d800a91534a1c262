import { constants } from "node:os";

/**
 * After a stop request the server exits by itself this long after, whatever still holds it:
 * next start's server.close() waits for every keep-alive connection, and a browser that
 * polls on one can keep it open forever. Past the drain's 10 s grace.
 */
export const SERVER_STOP_DEADLINE_MS = 15_000;

const state = globalThis as unknown as { gradelineServerStopping?: AbortController; gradelineStopSignalsWatched?: boolean };

/**
 * Aborted when this server process is asked to stop (SIGINT/SIGTERM, installed by
 * instrumentation.ts). `next start` waits for open responses and for after() work before it
 * exits, so without this an inline drain went on claiming for its whole budget and an open
 * live stream held the server up: Ctrl-C on `npm start` took two minutes (#7). On abort the
 * drain hands its jobs back and live streams end (browsers fall back to polling).
 */
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
    if (state.gradelineServerStopping.signal.aborted) return;
    state.gradelineServerStopping.abort(new Error(`server stopping (${signal})`));
    setTimeout(() => {
      console.error(`[server] still open ${SERVER_STOP_DEADLINE_MS / 1000} s after ${signal} (keep-alive connections); exiting.`);
      process.exit(128 + constants.signals[signal]);
    }, SERVER_STOP_DEADLINE_MS).unref();
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}
