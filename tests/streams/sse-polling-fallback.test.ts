import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSubmission } from "../../lib/submissions/create-submission";
import { freshDatabasePerFile } from "../helpers/db";
import { createTestAssignment, identityOnlyRater, makeEssay } from "../helpers/grading";
import { startApp, type RunningApp } from "../helpers/next-server";
import { waitFor } from "../helpers/workers";
import { collectSse, rateLinesSilently, ratedIndexes } from "./support";

// Behind a transaction pooler (DATABASE_POOLER=transaction, or Supabase's port 6543) LISTEN
// cannot work: `next start` then never opens a LISTEN session, and its streams poll every
// couple of seconds instead, so they still deliver everything (#9).

const db = freshDatabasePerFile();
let app: RunningApp;
let assignmentId: string;

beforeAll(async () => {
  app = await startApp({
    DATABASE_URL: db.current.url,
    DATABASE_POOLER: "transaction",
    GRADELINE_INLINE_DRAIN: "0",
    // Far away: only the fallback poll can deliver within this test.
    LIVE_STREAM_SAFETY_POLL_MS: "600000",
  });
  assignmentId = (await createTestAssignment(db.current.sql)).id;
});
afterAll(async () => {
  await app?.stop();
});

describe("streams without LISTEN (#9)", () => {
  it("poll every few seconds, delivering a rating no notification announced, and no LISTEN session is opened", async () => {
    const { id } = await createSubmission(
      db.current.sql,
      { assignmentId, studentName: "Pooled", text: makeEssay(6, "pooled") },
      { rater: identityOnlyRater },
    );
    const response = await fetch(`${app.url}/api/submissions/${id}/events`);
    expect(response.status).toBe(200);
    const sse = collectSse(response.body!);
    try {
      await waitFor("the catch-up read on open", () => sse.events.some((event) => event.event === "progress"));
      await rateLinesSilently(db.current.sql, id, [0, 2]);
      await waitFor("the ratings, by polling", () => ratedIndexes(sse.events).length === 2, { timeoutMs: 15_000 });
      expect(ratedIndexes(sse.events)).toEqual([0, 2]);

      const [listening] = await db.current.sql<{ count: number }[]>`
        select count(*)::int as count from pg_stat_activity
        where datname = current_database() and application_name like 'gradeline-listen%'
      `;
      expect(listening!.count).toBe(0);
    } finally {
      await sse.cancel();
    }
  });
});
