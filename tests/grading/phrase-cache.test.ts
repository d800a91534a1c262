import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { createAssignment } from "../../lib/assignments/assignments";
import { evictColdPhrases, normalizePhrase, phraseCacheFor, recordPhraseHits, type CacheAssignment } from "../../lib/grading/phrase-cache";
import type { SubmissionLine } from "../../lib/grading/schemas";
import type { LineRating } from "../../lib/grading/schemas";
import type { Rubric } from "../../lib/assignments/rubric";
import { countRows, freshDatabasePerFile } from "../helpers/db";

const db = freshDatabasePerFile();

const rubric: Rubric = {
  scale: { min: 1, max: 5 },
  criteria: [
    {
      id: "conventions",
      name: "Conventions",
      description: "",
      levels: [
        { score: 1, label: "Low", description: "" },
        { score: 5, label: "High", description: "" },
      ],
    },
  ],
};
// Created in the database before the tests: entries belong to a real assignment.
let assignment: CacheAssignment;
beforeAll(async () => {
  assignment = {
    ...(await createAssignment(db.current.sql, { title: "Sleep", prompt: "Should school start later?", rubric })),
    teacherId: null,
  };
});
const rater = { id: "openai:gpt-4o-mini", version: "p1" };

function lines(...texts: string[]): SubmissionLine[] {
  return texts.map((text, index) => ({ index, text, start: 0, end: text.length }));
}

function rating(lineIndex: number, score = 4): LineRating {
  return { lineIndex, score, label: "good", comment: "Clear.", suggestion: null, criterionId: "conventions" };
}

describe("phrase cache", () => {
  it("normalises case, whitespace and punctuation (pure)", () => {
    expect(normalizePhrase("  In Conclusion,   schools SHOULD start later!! ")).toBe("in conclusion schools should start later");
    expect(normalizePhrase("In conclusion schools should start later")).toBe(normalizePhrase("in conclusion; schools should start later."));
    expect(normalizePhrase("schools should start later")).not.toBe(normalizePhrase("schools should start earlier"));
  });

  it("a rating is found again only under the same assignment (id, teacher, title, prompt), rubric (content and version), rater and prompt version (#9)", async () => {
    const sql = db.current.sql;
    const essay = lines("Sleep matters for teenagers.", "Buses cost money.");
    await phraseCacheFor(assignment, rater).storeRatings(sql, essay, [rating(0, 5), rating(1, 2)]);

    const same = await phraseCacheFor({ ...assignment }, { ...rater }).lookup(
      sql,
      lines("SLEEP matters, for teenagers!", "Buses cost a lot."),
    );
    expect(same.ratings).toEqual([{ ...rating(0, 5), rater: rater.id, fromCache: true }]);
    expect(same.hitKeys).toHaveLength(1);

    for (const [otherAssignment, otherRater] of [
      [{ ...assignment, id: randomUUID() }, rater],
      [{ ...assignment, teacherId: randomUUID() }, rater],
      [{ ...assignment, title: "Sleep, revised" }, rater],
      [{ ...assignment, prompt: "Should school start earlier?" }, rater],
      [{ ...assignment, rubricVersion: 2 }, rater],
      [{ ...assignment, rubric: { ...rubric, scale: { min: 0, max: 4 } } }, rater],
      [assignment, { ...rater, id: "openai:gpt-4o" }],
      [assignment, { ...rater, version: "p2" }],
    ] as const) {
      expect((await phraseCacheFor(otherAssignment, otherRater).lookup(sql, essay)).ratings).toEqual([]);
    }
  });

  it("stores in one batch, finds hits at their lines, and counts them once per recordPhraseHits call", async () => {
    const sql = db.current.sql;
    await sql`delete from phrase_cache`;
    const cache = phraseCacheFor(assignment, rater);
    await cache.storeRatings(sql, lines("first line", "second line"), [rating(0, 5), rating(1, 2)]);
    const found = await cache.lookup(sql, lines("third line", "second line", "first line"));
    expect(found.ratings.map((hit) => [hit.lineIndex, hit.score])).toEqual([
      [1, 2],
      [2, 5],
    ]);
    expect(found.hitKeys).toHaveLength(2);
    expect(typeof (await sql`select rating from phrase_cache where normalized_text = 'first line'`)[0]!.rating).toBe("object");
    await recordPhraseHits(sql, [found.hitKeys[1]!, found.hitKeys[1]!, found.hitKeys[0]!]);
    await recordPhraseHits(sql, [found.hitKeys[1]!]);
    const [row] = await sql<{ hit_count: number; last_hit_at: Date | null }[]>`
      select hit_count, last_hit_at from phrase_cache where normalized_text = 'first line'
    `;
    expect(row!.hit_count).toBe(2);
    expect(row!.last_hit_at).not.toBeNull();
  });

  it("a teacher's rating replaces the rater's, is credited to the teacher, and no rater overwrites it", async () => {
    const sql = db.current.sql;
    const cache = phraseCacheFor(assignment, rater);
    const line = lines("Teachers know best.");
    await cache.storeRatings(sql, line, [rating(0, 4)]);
    await cache.storeTeacherRating(sql, "teachers know best", { ...rating(0, 1), comment: "Needs evidence." });
    await cache.storeRatings(sql, line, [rating(0, 5)]);
    const { ratings } = await cache.lookup(sql, line);
    expect(ratings).toEqual([{ ...rating(0, 1), comment: "Needs evidence.", rater: "teacher", fromCache: true }]);
  });

  it("an identical essay has the same essay key; any changed line changes it", () => {
    const cache = phraseCacheFor(assignment, rater);
    expect(cache.essayKey(lines("One.", "Two."))).toBe(cache.essayKey(lines("one", "two!")));
    expect(cache.essayKey(lines("One.", "Two."))).not.toBe(cache.essayKey(lines("One.", "Three.")));
    expect(cache.essayKey(lines("One.", "Two."))).not.toBe(
      phraseCacheFor(assignment, { ...rater, version: "p2" }).essayKey(lines("One.", "Two.")),
    );
  });

  it("evicts entries idle too long, then the coldest beyond the size cap", async () => {
    await db.current.sql`delete from phrase_cache`;
    const texts = Array.from({ length: 6 }, (_, i) => `line ${i}`);
    await phraseCacheFor(assignment, rater).storeRatings(
      db.current.sql,
      lines(...texts),
      texts.map((_, i) => rating(i)),
    );
    // line 0 idle for a year; lines 1..5 used 1..5 hours ago
    await db.current
      .sql`update phrase_cache set created_at = now() - interval '365 days', last_hit_at = null where normalized_text = 'line 0'`;
    for (let i = 1; i < 6; i++) {
      await db.current
        .sql`update phrase_cache set last_hit_at = now() - make_interval(hours => ${i}) where normalized_text = ${`line ${i}`}`;
    }
    const evicted = await evictColdPhrases(db.current.sql, { maxIdleDays: 30, maxEntries: 3 });
    expect(evicted).toBe(3);
    const left = await db.current.sql<{ normalized_text: string }[]>`select normalized_text from phrase_cache order by normalized_text`;
    expect(left.map((row) => row.normalized_text)).toEqual(["line 1", "line 2", "line 3"]);
    expect(await countRows(db.current.sql, "phrase_cache")).toBe(3);
  });
});
