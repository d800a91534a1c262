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

export interface RefreshingEventStreamOptions {
  initialEvents?: SseEvent[];
  /** Sends whatever is new; resolves true once the stream has sent its final event. */
  refresh(send: (event: SseEvent) => void): Promise<boolean>;
  /** Calls `wake` whenever something may have changed (a NOTIFY); resolves `ready` once listening. */
  subscribe(wake: () => void): { ready: Promise<unknown>; unsubscribe(): void };
  /** The fallback when a wake-up is missed. */
  pollIntervalMs: number;
  /** Gathers a burst of wake-ups into one refresh. */
  debounceMs?: number;
  /** What the client is told when a refresh throws, before the stream ends. */
  describeError(error: unknown): string;
  signal?: AbortSignal;
}

/**
 * A Server-Sent Events body that refreshes when woken, on a poll, and once at the start
 * (after subscribing, so nothing lands unseen in between); never two refreshes at once
 * (a wake-up during one asks for one more); keep-alive comments; closed when the
 * client goes away or the final event is sent.
 */
export function createRefreshingEventStream(options: RefreshingEventStreamOptions): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let closed = false;
  let cleanup = () => {};
  return new ReadableStream<Uint8Array>({
    start(controller) {
      const send = (event: SseEvent) => {
        if (!closed) controller.enqueue(encoder.encode(formatSseEvent(event)));
      };
      const close = () => {
        if (closed) return;
        closed = true;
        cleanup();
        controller.close();
      };
      for (const event of options.initialEvents ?? []) send(event);

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
        }
      };
      let debounceTimer: ReturnType<typeof setTimeout> | null = null;
      const wake = () => {
        if (!options.debounceMs) return void refresh();
        debounceTimer ??= setTimeout(() => {
          debounceTimer = null;
          void refresh();
        }, options.debounceMs);
      };

      const subscription = options.subscribe(wake);
      const poll = setInterval(wake, options.pollIntervalMs);
      const keepAlive = setInterval(() => !closed && controller.enqueue(encoder.encode(": keep-alive\n\n")), KEEP_ALIVE_MS);
      const onAbort = () => close();
      // The client went away, or the server is stopping (next start waits for open responses).
      const signal = options.signal ? AbortSignal.any([options.signal, serverStoppingSignal()]) : serverStoppingSignal();
      if (signal.aborted) queueMicrotask(onAbort);
      signal.addEventListener("abort", onAbort);
      cleanup = () => {
        subscription.unsubscribe();
        clearInterval(poll);
        clearInterval(keepAlive);
        if (debounceTimer) clearTimeout(debounceTimer);
        signal.removeEventListener("abort", onAbort);
      };
      void subscription.ready.then(refresh);
    },
    cancel() {
      closed = true;
      cleanup();
    },
  });
}
