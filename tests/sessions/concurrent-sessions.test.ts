import { describe, expect, it } from "vitest";
import { cacheScopeFingerprint, normalizePhrase, phraseCacheKey, storePhrases } from "../../lib/grading/phrase-cache";
import type { Rater } from "../../lib/grading/raters/rater";
import { createGradingSession } from "../../lib/sessions/create-grading-session";
import { useTestDatabase } from "../helpers/db";
import { createTestAssignment } from "../helpers/grading";

const db = useTestDatabase();

// Only the rater's identity matters when a session is created (no rating happens then).
const rater: Rater = {
  id: "openai:gpt-4o-mini",
  version: "test",
  rateLines: () => Promise.reject(new Error("not called")),
  gradeSubmission: () => Promise.reject(new Error("not called")),
};

describe("class sessions created at the same time", () => {
  it("two uploads sharing cached lines in opposite orders both succeed (no deadlock on the phrase cache)", async () => {
    const sql = db.current.sql;
    const assignment = await createTestAssignment(sql);
    const shared = Array.from({ length: 30 }, (_, i) => `Shared sentence number ${i} about sleep.`);
    const scope = cacheScopeFingerprint({ rubric: assignment.rubric, rubricVersion: assignment.rubricVersion, raterId: rater.id, raterVersion: rater.version });
    await storePhrases(
      sql,
      shared.map((text, i) => ({
        key: phraseCacheKey(normalizePhrase(text), scope),
        normalizedText: normalizePhrase(text),
        rating: { lineIndex: i, score: 4, label: "good", comment: "Fine.", suggestion: null, criterionId: "ideas" },
        raterId: rater.id,
      })),
    );
    const students = (order: string[]) =>
      Array.from({ length: 15 }, (_, i) => ({ studentName: `S${i}`, text: order.slice(i, i + 10).join("\n"), source: `s${i}.txt` }));
    const forward = students(shared);
    const backward = students([...shared].reverse());

    for (let round = 0; round < 3; round++) {
      const results = await Promise.allSettled([
        createGradingSession(sql, { assignmentId: assignment.id, title: `A${round}`, students: forward }, rater),
        createGradingSession(sql, { assignmentId: assignment.id, title: `B${round}`, students: backward }, rater),
      ]);
      expect(results.map((result) => result.status)).toEqual(["fulfilled", "fulfilled"]);
    }
    const [hits] = await sql<{ total: number }[]>`select sum(hit_count)::int as total from phrase_cache`;
    expect(hits!.total).toBeGreaterThan(0);
  });
});
