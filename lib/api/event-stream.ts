import { serverStoppingSignal } from "./server-stopping";

export interface SseEvent {
  event: string;
  data: unknown;
  /** Only events with an id move the client's Last-Event-ID. */
  id?: number;
}

export const SSE_HEADERS = {
  "Content-Type": "text/event-stream; charset=utf-8",
  "Cache-Control": "no-cache, no-transform",
  Connection: "keep-alive",
  "X-Accel-Buffering": "no",
} as const;

const KEEP_ALIVE_MS = 15_000;

export function formatSseEvent(event: SseEvent): string {
  const id = event.id === undefined ? "" : `id: ${event.id}\n`;
  return `${id}event: ${event.event}\ndata: ${JSON.stringify(event.data)}\n\n`;
}

/** Parses Last-Event-ID (header or ?lastEventId=): a non-negative integer, else 0 (from the start). */
export function parseLastEventId(value: string | null | undefined): number {
  if (!value) return 0;
  const parsed = Number(value);
  return Number.isInteger(parsed) && parsed >= 0 ? parsed : 0;
}

/** Why a stream is woken: a notification for it, or LISTEN going down or coming back. */
export type StreamWake = "notify" | "listening" | "not_listening";

export interface StreamWakeups {
  /** Calls `wake` on each notification for this stream and when LISTEN changes; `ready` settles once listening (or not). */
  subscribe(wake: (why: StreamWake) => void): { ready: Promise<unknown>; unsubscribe(): void };
  /** Whether notifications arrive right now. */
  listening(): boolean;
}

/** While LISTEN is down (or impossible, behind a transaction pooler), a stream reads this often. */
export const DEFAULT_FALLBACK_POLL_MS = 2_000;

export interface RefreshingEventStreamOptions {
  initialEvents?: SseEvent[];
  /** Sends whatever is new; resolves true once the stream has sent its final event. */
  refresh(send: (event: SseEvent) => void): Promise<boolean>;
  wakeups: StreamWakeups;
  /** While listening, the longest a stream goes without a read, so a missed notification heals (jittered down by up to a fifth). */
  safetyPollMs: number;
  /** While not listening, how often the stream reads. */
  fallbackPollMs?: number;
  /** Gathers a burst of wake-ups into one refresh. */
  debounceMs?: number;
  /** What the client is told when a refresh throws, before the stream ends. */
  describeError(error: unknown): string;
  signal?: AbortSignal;
  /** Called once when the stream ends, however it ends (final event, error, client gone, server stopping). */
  onClose?(): void;
}

/**
 * A Server-Sent Events body that reads the database only when it has reason to (#9): once
 * at the start (after subscribing, so nothing lands unseen in between), on each
 * notification for it, once when LISTEN comes back, and on a slow safety poll; only
 * while LISTEN is down does it poll every couple of seconds. Never two refreshes at once
 * (a wake-up during one asks for one more); keep-alive comments; closed when the client
 * goes away or the final event is sent.
 */
export function createRefreshingEventStream(options: RefreshingEventStreamOptions): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const fallbackPollMs = options.fallbackPollMs ?? DEFAULT_FALLBACK_POLL_MS;
  let closed = false;
  let cleanup = () => {};
  const end = () => {
    if (closed) return;
    closed = true;
    cleanup();
    options.onClose?.();
  };
  return new ReadableStream<Uint8Array>({
    start(controller) {
      const send = (event: SseEvent) => {
        if (!closed) controller.enqueue(encoder.encode(formatSseEvent(event)));
      };
      const close = () => {
        if (closed) return;
        end();
        controller.close();
      };
      for (const event of options.initialEvents ?? []) send(event);

      let pollTimer: ReturnType<typeof setTimeout> | null = null;
      // The next unprompted read: soon while LISTEN is down, else the safety poll (jittered so streams opened together spread out).
      const schedulePoll = () => {
        if (pollTimer) clearTimeout(pollTimer);
        pollTimer = null;
        if (closed) return;
        const delay = options.wakeups.listening() ? options.safetyPollMs * (0.8 + Math.random() * 0.2) : fallbackPollMs;
        pollTimer = setTimeout(() => void refresh(), delay);
      };

      let running = false;
      let again = false;
      const refresh = async () => {
        if (closed) return;
        if (running) {
          again = true;
          return;
        }
        running = true;
        try {
          do {
            again = false;
            if (await options.refresh(send)) return close();
          } while (again && !closed);
        } catch (error) {
          send({ event: "error", data: { message: options.describeError(error) } });
          close();
        } finally {
          running = false;
          schedulePoll();
        }
      };
      let debounceTimer: ReturnType<typeof setTimeout> | null = null;
      let opened = false;
      const wake = (why: StreamWake) => {
        // LISTEN went down: nothing to read yet, but from now on poll.
        if (why === "not_listening") return schedulePoll();
        // LISTEN came up before the first read: that read, about to start, catches up anyway.
        if (why === "listening" && !opened) return;
        if (!options.debounceMs) return void refresh();
        debounceTimer ??= setTimeout(() => {
          debounceTimer = null;
          void refresh();
        }, options.debounceMs);
      };

      const subscription = options.wakeups.subscribe(wake);
      const keepAlive = setInterval(() => !closed && controller.enqueue(encoder.encode(": keep-alive\n\n")), KEEP_ALIVE_MS);
      const onAbort = () => close();
      // The client went away, or the server is stopping (next start waits for open responses).
      const signal = options.signal ? AbortSignal.any([options.signal, serverStoppingSignal()]) : serverStoppingSignal();
      if (signal.aborted) queueMicrotask(onAbort);
      signal.addEventListener("abort", onAbort);
      cleanup = () => {
        subscription.unsubscribe();
        if (pollTimer) clearTimeout(pollTimer);
        clearInterval(keepAlive);
        if (debounceTimer) clearTimeout(debounceTimer);
        signal.removeEventListener("abort", onAbort);
      };
      // The first read waits for LISTEN (so nothing lands unseen in between), but not for long: if
      // LISTEN is slow to come up, its "listening" wake-up reads again anyway.
      let readyTimer: ReturnType<typeof setTimeout> | undefined;
      const readyOrLate = new Promise((resolve) => (readyTimer = setTimeout(resolve, fallbackPollMs)));
      void Promise.race([subscription.ready, readyOrLate]).then(() => {
        clearTimeout(readyTimer);
        opened = true;
        return refresh();
      });
    },
    cancel() {
      end();
    },
  });
}
