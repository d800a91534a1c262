import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSubmission } from "../../lib/submissions/create-submission";
import { freshDatabasePerFile } from "../helpers/db";
import { createTestAssignment, identityOnlyRater, makeEssay } from "../helpers/grading";
import { startApp, type RunningApp } from "../helpers/next-server";
import { waitFor } from "../helpers/workers";
import { committedTransactions, rateLines, ratedIndexes, sleep, STATS_FLUSH_MS, closeAll, openStream as openStreamAt } from "./support";

// Server-Sent Events from `next start` driven by Postgres LISTEN/NOTIFY (#9): an open,
// idle stream costs the database nothing, and a notification reaches the stream it concerns.

const db = freshDatabasePerFile();
let app: RunningApp;
let assignmentId: string;
const IDLE_STREAMS = 20;
const IDLE_WINDOW_MS = 10_000;

beforeAll(async () => {
  app = await startApp({
    DATABASE_URL: db.current.url,
    GRADELINE_INLINE_DRAIN: "0", // nothing grades: the streams stay open and idle
    // Out of the measured window's way; the safety poll has its own test.
    LIVE_STREAM_SAFETY_POLL_MS: "300000",
  });
  assignmentId = (await createTestAssignment(db.current.sql)).id;
});
afterAll(async () => {
  await app?.stop();
});

async function newSubmission(name: string): Promise<string> {
  const created = await createSubmission(
    db.current.sql,
    { assignmentId, studentName: name, text: makeEssay(6, name) },
    { rater: identityOnlyRater },
  );
  return created.id;
}

const openStream = (submissionId: string, client: string, path?: string) => openStreamAt(app.url, submissionId, client, path);

describe("streams driven by LISTEN/NOTIFY (#9)", () => {
  it(`${IDLE_STREAMS} open, idle streams make fewer database transactions than there are streams in ${IDLE_WINDOW_MS / 1000} s; a notification reaches its own stream`, async () => {
    const ids = await Promise.all(Array.from({ length: IDLE_STREAMS }, (_, i) => newSubmission(`Idle ${i}`)));
    await sleep(STATS_FLUSH_MS); // the inserts reach pg_stat_database
    const beforeOpening = await committedTransactions(db.current.sql);
    // One client per stream (so no per-client cap gets in the way).
    const streams = await Promise.all(ids.map((id, i) => openStream(id, `198.51.100.${i + 1}`)));
    try {
      expect(streams.map((stream) => stream.response.status)).toEqual(ids.map(() => 200));
      await waitFor("every stream's catch-up read", () => streams.every((s) => s.sse!.events.some((e) => e.event === "progress")));

      await sleep(STATS_FLUSH_MS); // the opening reads reach pg_stat_database
      const before = await committedTransactions(db.current.sql);
      // Opening: per stream the route's existence check and one catch-up read (3 statements); once,
      // the pool's new connections (each looks up array types) and the LISTEN: about 100 here.
      // Generous, since autovacuum and a loaded machine add their own; polling every 2 s made 300+.
      const opening = before - beforeOpening;
      console.log(`[measure] opening ${IDLE_STREAMS} streams, then ${STATS_FLUSH_MS / 1000} s: ${opening} transactions`);
      expect(opening).toBeLessThan(IDLE_STREAMS * 8);
      await sleep(IDLE_WINDOW_MS);
      const during = (await committedTransactions(db.current.sql)) - before;
      // Was 2 reads per stream every 2 s: 200 here. Now: the heartbeat at most, and this test's own reads.
      console.log(`[measure] ${IDLE_STREAMS} idle streams, ${IDLE_WINDOW_MS / 1000} s: ${during} transactions`);
      expect(during).toBeLessThan(IDLE_STREAMS);
      expect(streams.every((stream) => ratedIndexes(stream.sse!.events).length === 0)).toBe(true);
      // All of them hang off one LISTEN session.
      const [listening] = await db.current.sql<{ count: number }[]>`
        select count(*)::int as count from pg_stat_activity
        where datname = current_database() and application_name like 'gradeline-listen%'
      `;
      expect(listening!.count).toBe(1);

      await rateLines(db.current.sql, ids[3]!, [0, 1]);
      await waitFor("the rating on its stream", () => ratedIndexes(streams[3]!.sse!.events).length === 2);
      expect(ratedIndexes(streams[3]!.sse!.events)).toEqual([0, 1]);
      await sleep(500);
      expect(streams.filter((stream) => ratedIndexes(stream.sse!.events).length > 0)).toEqual([streams[3]]);
    } finally {
      await closeAll(streams);
    }
  });
});
