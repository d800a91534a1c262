import { describe, expect, it } from "vitest";
import { phraseCacheFor } from "../../lib/grading/phrase-cache";
import { createGradingSession } from "../../lib/sessions/create-grading-session";
import { freshDatabasePerFile } from "../helpers/db";
import { createTestAssignment, identityOnlyRater } from "../helpers/grading";

const db = freshDatabasePerFile();

const rater = identityOnlyRater;

describe("class sessions created at the same time", () => {
  it("two uploads sharing cached lines in opposite orders both succeed (no deadlock on the phrase cache)", async () => {
    const sql = db.current.sql;
    const assignment = await createTestAssignment(sql);
    const shared = Array.from({ length: 30 }, (_, i) => `Shared sentence number ${i} about sleep.`);
    await phraseCacheFor(assignment, rater).storeRatings(
      sql,
      shared.map((text, index) => ({ index, text, start: 0, end: text.length })),
      shared.map((_, i) => ({ lineIndex: i, score: 4, label: "good", comment: "Fine.", suggestion: null, criterionId: "ideas" })),
    );
    const students = (order: string[]) =>
      Array.from({ length: 15 }, (_, i) => ({ studentName: `S${i}`, text: order.slice(i, i + 10).join("\n"), source: `s${i}.txt` }));
    const forward = students(shared);
    const backward = students([...shared].reverse());

    for (let round = 0; round < 3; round++) {
      const results = await Promise.allSettled([
        createGradingSession(sql, { assignmentId: assignment.id, title: `A${round}`, students: forward }, { rater }),
        createGradingSession(sql, { assignmentId: assignment.id, title: `B${round}`, students: backward }, { rater }),
      ]);
      expect(results.map((result) => result.status)).toEqual(["fulfilled", "fulfilled"]);
    }
    const [hits] = await sql<{ total: number }[]>`select sum(hit_count)::int as total from phrase_cache`;
    expect(hits!.total).toBeGreaterThan(0);
  });
});
