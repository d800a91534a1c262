import type { Sql } from "../../lib/db/sql";
import { recordLineRatings } from "../../lib/grading/line-ratings";
import { parseSseBlock, type ParsedSseEvent } from "../helpers/next-server";

/** A rating as a rate_lines job writes it. */
const ratingOf = (lineIndex: number) => ({
  lineIndex,
  score: 3,
  label: "fair",
  comment: `Line ${lineIndex} holds up.`,
  suggestion: null,
  criterionId: null,
  rater: "openai:gpt-4o-mini",
  fromCache: false,
});

/** Rates lines the way a job does: its trigger NOTIFYs submission_events. */
export async function rateLines(sql: Sql, submissionId: string, lineIndexes: number[]): Promise<void> {
  await sql.begin((tx) => recordLineRatings(tx, submissionId, lineIndexes.map(ratingOf)));
}

/**
 * Rates lines with every trigger off (session_replication_role = replica), so no NOTIFY
 * goes out: a notification the stream missed. Only a read that was not woken can see it.
 */
export async function rateLinesSilently(sql: Sql, submissionId: string, lineIndexes: number[]): Promise<void> {
  await sql.begin(async (tx) => {
    await tx`set local session_replication_role = replica`;
    await recordLineRatings(tx, submissionId, lineIndexes.map(ratingOf));
  });
}

/** Transactions committed in this database so far, as the statistics collector has them. */
export async function committedTransactions(sql: Sql): Promise<number> {
  const [row] = await sql<{ commits: number }[]>`
    select xact_commit::bigint as commits from pg_stat_database where datname = current_database()
  `;
  return row!.commits;
}

/** Backends report their counts when idle, at most every second and within 10 s: wait that out before reading them. */
export const STATS_FLUSH_MS = 11_000;

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Collects an SSE body's events in the background, as they arrive, until it ends or is cancelled. */
export function collectSse(body: ReadableStream<Uint8Array>): { events: ParsedSseEvent[]; done: Promise<void>; cancel(): Promise<void> } {
  const events: ParsedSseEvent[] = [];
  const reader = (body as ReadableStream<BufferSource>).pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  const done = (async () => {
    try {
      for (;;) {
        const { value, done: ended } = await reader.read();
        if (ended) return;
        buffer += value;
        let boundary: number;
        while ((boundary = buffer.indexOf("\n\n")) >= 0) {
          const { event, rawData } = parseSseBlock(buffer.slice(0, boundary));
          buffer = buffer.slice(boundary + 2);
          if (!rawData) continue; // a keep-alive comment
          events.push(event);
        }
      }
    } catch {
      // cancelled
    }
  })();
  return {
    events,
    done,
    cancel: async () => {
      await reader.cancel().catch(() => {});
      await done;
    },
  };
}

export const ratedIndexes = (events: ParsedSseEvent[]) =>
  events.filter((event) => event.event === "line").map((event) => (event.data as { lineIndex: number }).lineIndex);

/** Opens a stream (a submission's, unless `path` says otherwise) as `client` (X-Forwarded-For); the caller closes it. */
export async function openStream(appUrl: string, submissionId: string, client: string, path = `/api/submissions/${submissionId}/events`) {
  const abort = new AbortController();
  const response = await fetch(`${appUrl}${path}`, { headers: { "x-forwarded-for": client }, signal: abort.signal });
  const sse = response.ok && response.body ? collectSse(response.body) : null;
  return {
    response,
    sse,
    close: async () => {
      abort.abort();
      await sse?.cancel();
    },
  };
}

export type OpenStream = Awaited<ReturnType<typeof openStream>>;
export const closeAll = (streams: OpenStream[]) => Promise.all(streams.splice(0).map((stream) => stream.close()));
