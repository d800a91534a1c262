import { beforeAll, describe, expect, it } from "vitest";
import { retentionEnv } from "../../lib/env";
import { phraseCacheFor } from "../../lib/grading/phrase-cache";
import { runHousekeeping } from "../../lib/grading/process-grading-queue";
import { purgeOldSubmissions } from "../../lib/submissions/purge-old-submissions";
import { freshDatabasePerFile } from "../helpers/db";
import { createTestAssignment } from "../helpers/grading";
import { rateLines } from "../streams/support";
import { existing, sessionAged, submissionAged } from "./support";

// Retention of students' work (#9): purge_old_submissions and the cleanup that calls it.

const db = freshDatabasePerFile();
let assignmentId: string;

beforeAll(async () => {
  assignmentId = (await createTestAssignment(db.current.sql)).id;
});

async function rowsOf(submissionId: string) {
  const [row] = await db.current.sql<
    { lines: number; ratings: number; line_overrides: number; criterion_overrides: number; jobs: number }[]
  >`
    select
      (select count(*)::int from submission_lines where submission_id = ${submissionId}) as lines,
      (select count(*)::int from line_ratings where submission_id = ${submissionId}) as ratings,
      (select count(*)::int from rating_overrides where submission_id = ${submissionId}) as line_overrides,
      (select count(*)::int from criterion_overrides where submission_id = ${submissionId}) as criterion_overrides,
      (select count(*)::int from grading_jobs where payload ->> 'submissionId' = ${submissionId}::text) as jobs
  `;
  return row!;
}

describe("purge_old_submissions (#9)", () => {
  it("deletes submissions past the period with their lines, ratings, overrides, finished jobs, key and emptied sessions; keeps the rest", async () => {
    const sql = db.current.sql;
    const old = await submissionAged(sql, assignmentId, { name: "Old", daysAgo: 40 });
    await rateLines(sql, old, [0, 1]);
    await sql`insert into rating_overrides (submission_id, line_index, score, comment) values (${old}, 0, 4, 'Better than rated.')`;
    await sql`insert into criterion_overrides (submission_id, criterion_id, score) values (${old}, 'ideas', 4)`;
    await sql`update submissions set idempotency_key = 'retention-key', request_fingerprint = 'f' where id = ${old}`;
    const oldSession = await sessionAged(sql, assignmentId, 40, [old]);

    const stillGrading = await submissionAged(sql, assignmentId, { name: "Stuck", daysAgo: 40, jobs: "pending" });
    const recent = await submissionAged(sql, assignmentId, { name: "Recent", daysAgo: 2 });
    const recentSession = await sessionAged(sql, assignmentId, 2, [recent]);
    const oldInMixed = await submissionAged(sql, assignmentId, { name: "Old mixed", daysAgo: 35 });
    const newInMixed = await submissionAged(sql, assignmentId, { name: "New mixed", daysAgo: 1 });
    const mixedSession = await sessionAged(sql, assignmentId, 35, [oldInMixed, newInMixed]);
    const nextDraft = await submissionAged(sql, assignmentId, { name: "Next draft", daysAgo: 3 });
    await sql`update submissions set previous_submission_id = ${old} where id = ${nextDraft}`;
    const emptyRecentSession = await sessionAged(sql, assignmentId, 1, []);

    expect(await purgeOldSubmissions(sql, 30)).toBe(2);

    expect(await existing(sql, "submissions", [old, stillGrading, recent, oldInMixed, newInMixed, nextDraft])).toEqual(
      [stillGrading, recent, newInMixed, nextDraft].sort(),
    );
    expect(await rowsOf(old)).toEqual({ lines: 0, ratings: 0, line_overrides: 0, criterion_overrides: 0, jobs: 0 });
    expect(await existing(sql, "grading_sessions", [oldSession, recentSession, mixedSession, emptyRecentSession])).toEqual(
      [recentSession, mixedSession, emptyRecentSession].sort(),
    );
    const [draft] = await sql<
      { previous_submission_id: string | null }[]
    >`select previous_submission_id from submissions where id = ${nextDraft}`;
    expect(draft!.previous_submission_id).toBeNull();
    expect((await rowsOf(recent)).lines).toBe(4);
    // Its Idempotency-Key went with it.
    const [key] = await sql<{ n: number }[]>`select count(*)::int as n from submissions where idempotency_key = 'retention-key'`;
    expect(key!.n).toBe(0);

    // The one still grading goes once its jobs have finished.
    await sql`update grading_jobs set status = 'failed', finished_at = now() where payload ->> 'submissionId' = ${stillGrading}`;
    expect(await purgeOldSubmissions(sql, 30)).toBe(1);
    expect(await existing(sql, "submissions", [stillGrading])).toEqual([]);
  });

  it("works through any number of submissions in batches", async () => {
    const ids = [];
    for (let i = 0; i < 5; i++) ids.push(await submissionAged(db.current.sql, assignmentId, { name: `Batch ${i}`, daysAgo: 100 + i }));
    expect(await purgeOldSubmissions(db.current.sql, 90, 2)).toBe(5);
    expect(await existing(db.current.sql, "submissions", ids)).toEqual([]);
  });

  it("refuses a period of zero or less, and browsers' roles cannot call it", async () => {
    await expect(db.current.sql`select purge_old_submissions(interval '0 days')`).rejects.toMatchObject({ code: "22023" });
    await expect(db.current.sql`select purge_old_submissions(interval '-1 day')`).rejects.toThrow(/longer than zero/);
    const [grants] = await db.current.sql<{ anon: boolean; authenticated: boolean }[]>`
      select has_function_privilege('anon', 'public.purge_old_submissions(interval, integer)', 'execute') as anon,
             has_function_privilege('authenticated', 'public.purge_old_submissions(interval, integer)', 'execute') as authenticated
    `;
    expect(grants).toEqual({ anon: false, authenticated: false });
  });
});

describe("cleanup (#9)", () => {
  it("without RETENTION_DAYS keeps every submission, and still deletes finished jobs older than a day", async () => {
    const kept = await submissionAged(db.current.sql, assignmentId, { name: "Forever", daysAgo: 4000 });
    const summary = await runHousekeeping(db.current.sql, { retentionDays: undefined });
    expect(summary.purgedSubmissions).toBe(0);
    expect(summary.cleanedUp).toBeGreaterThanOrEqual(1);
    expect(await existing(db.current.sql, "submissions", [kept])).toEqual([kept]);
    expect((await rowsOf(kept)).jobs).toBe(0);

    const purged = await runHousekeeping(db.current.sql, { retentionDays: 3650 });
    expect(purged.purgedSubmissions).toBe(1);
    expect(await existing(db.current.sql, "submissions", [kept])).toEqual([]);
  });

  it("with RETENTION_DAYS the phrase cache keeps no sentence longer than that, however often it is hit", async () => {
    const sql = db.current.sql;
    const cache = phraseCacheFor(
      { id: assignmentId, title: "t", prompt: "", rubric: { scale: { min: 1, max: 5 }, criteria: [] } as never, rubricVersion: 1 },
      { id: "r", version: "1" },
    );
    const line = (text: string, index: number) => ({ index, text, start: 0, end: text.length });
    const rating = (lineIndex: number) => ({ lineIndex, score: 4, label: "good", comment: "Fine.", suggestion: null, criterionId: null });
    await cache.storeRatings(
      sql,
      [line("My dad lost his job last spring.", 0), line("A fresh sentence today.", 1)],
      [rating(0), rating(1)],
    );
    await sql`update phrase_cache set created_at = now() - interval '40 days', last_hit_at = now() where normalized_text like 'my dad%'`;

    await runHousekeeping(sql, { retentionDays: undefined });
    expect((await sql`select normalized_text from phrase_cache where normalized_text like 'my dad%'`).length).toBe(1); // hit: kept

    await runHousekeeping(sql, { retentionDays: 30 });
    const left = await sql<
      { normalized_text: string }[]
    >`select normalized_text from phrase_cache where normalized_text in ('my dad lost his job last spring', 'a fresh sentence today')`;
    expect(left.map((row) => row.normalized_text)).toEqual(["a fresh sentence today"]);
  });

  it("RETENTION_DAYS is unset by default (keep forever), and a bad value is refused with a sentence (pure)", () => {
    expect(retentionEnv({})).toEqual({ RETENTION_DAYS: undefined, CLEANUP_INTERVAL_MS: 600_000 });
    expect(retentionEnv({ RETENTION_DAYS: "365", CLEANUP_INTERVAL_MS: "60000" })).toEqual({
      RETENTION_DAYS: 365,
      CLEANUP_INTERVAL_MS: 60_000,
    });
    expect(() => retentionEnv({ RETENTION_DAYS: "0" })).toThrow(/^RETENTION_DAYS must be a whole number of days above 0/);
    expect(() => retentionEnv({ RETENTION_DAYS: "a year" })).toThrow(/^RETENTION_DAYS must be/);
    expect(() => retentionEnv({ CLEANUP_INTERVAL_MS: "10" })).toThrow("CLEANUP_INTERVAL_MS must be a whole number of at least 1000");
  });
});

describe("purge_old_submissions reads only what is old (#9)", () => {
  it("walks submissions_created_at_idx from the cutoff instead of scanning the table", async () => {
    const plan = await db.current.sql.begin(async (tx) => {
      await tx`set local enable_seqscan = off`;
      return tx.unsafe(
        "explain (format json) select s.id from public.submissions s where s.created_at < now() - interval '30 days' order by s.created_at limit 500",
      );
    });
    expect(JSON.stringify(plan)).toContain("submissions_created_at_idx");
  });
});
