import { liveStreamsEnv } from "../env";
import { ApiError } from "./errors";

/**
 * A stream lasts minutes, so asking again sooner is pointless; the browser's follower tries
 * its live channel again after 15 s and polls meanwhile (lib/live/follow-submission.ts).
 */
export const STREAM_RETRY_AFTER_SECONDS = 15;

export interface StreamSlots {
  /** Takes a slot for one open stream of `client`, or throws a 429; the returned release is safe to call twice. */
  acquire(client: string): () => void;
  /** Streams open now: all of them, and this client's. */
  count(client?: string): number;
}

/**
 * Caps on open Server-Sent Events streams in one server process (#9): each holds a socket,
 * timers and a slot in the LISTEN fan-out for minutes, so one client opening thousands
 * (a script, a tab left reconnecting) must not crowd out everyone else.
 */
export function createStreamSlots(limits: { perClient: number; total: number }): StreamSlots {
  const byClient = new Map<string, number>();
  let total = 0;
  return {
    acquire(client) {
      if ((byClient.get(client) ?? 0) >= limits.perClient) {
        throw new ApiError(
          "too_many_requests",
          `Too many live streams are open from your address (the limit is ${limits.perClient}). Close some, or poll GET /api/submissions/<id> instead; try again in ${STREAM_RETRY_AFTER_SECONDS} s.`,
          STREAM_RETRY_AFTER_SECONDS,
        );
      }
      if (total >= limits.total) {
        throw new ApiError(
          "too_many_requests",
          `The server has too many live streams open right now (the limit is ${limits.total}). Poll GET /api/submissions/<id> instead, or try again in ${STREAM_RETRY_AFTER_SECONDS} s.`,
          STREAM_RETRY_AFTER_SECONDS,
        );
      }
      byClient.set(client, (byClient.get(client) ?? 0) + 1);
      total++;
      let released = false;
      return () => {
        if (released) return;
        released = true;
        total--;
        const left = (byClient.get(client) ?? 1) - 1;
        if (left > 0) byClient.set(client, left);
        else byClient.delete(client);
      };
    },
    count(client) {
      return client === undefined ? total : (byClient.get(client) ?? 0);
    },
  };
}

/**
 * Who is asking: the last address in X-Forwarded-For, the one the nearest proxy saw (Vercel
 * sets the header to the client's address; a reverse proxy appends it; `next start` sets
 * it to the socket's address when the client sent none). A client that reaches a bare
 * `next start` can write its own header; the overall cap still holds then.
 */
export function clientAddress(request: Request): string {
  const forwarded = request.headers.get("x-forwarded-for");
  const last = forwarded?.split(",").at(-1)?.trim();
  return last || request.headers.get("x-real-ip")?.trim() || "unknown";
}

// One set of slots per server process; Next may evaluate this module more than once.
const globalForSlots = globalThis as unknown as { gradelineStreamSlots?: StreamSlots };

/** Takes a stream slot for this request's client from the process's caps (LIVE_STREAMS_PER_CLIENT, LIVE_STREAMS_MAX), or throws a 429. */
export function acquireStreamSlot(request: Request): () => void {
  if (!globalForSlots.gradelineStreamSlots) {
    const { LIVE_STREAMS_PER_CLIENT: perClient, LIVE_STREAMS_MAX: total } = liveStreamsEnv();
    globalForSlots.gradelineStreamSlots = createStreamSlots({ perClient, total });
  }
  return globalForSlots.gradelineStreamSlots.acquire(clientAddress(request));
}
