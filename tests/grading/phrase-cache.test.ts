import { describe, expect, it } from "vitest";
import {
  cacheScopeFingerprint,
  evictColdPhrases,
  lookupPhrases,
  recordPhraseHits,
  normalizePhrase,
  phraseCacheKey,
  storePhrases,
} from "../../lib/grading/phrase-cache";
import type { LineRating } from "../../lib/grading/schemas";
import type { Rubric } from "../../lib/assignments/rubric";
import { countRows, useTestDatabase } from "../helpers/db";

const db = useTestDatabase();

const rubric: Rubric = {
  scale: { min: 1, max: 5 },
  criteria: [{ id: "conventions", name: "Conventions", description: "", levels: [{ score: 1, label: "Low", description: "" }, { score: 5, label: "High", description: "" }] }],
};
const scope = { rubric, rubricVersion: 1, raterId: "openai:gpt-4o-mini", raterVersion: "p1" };

function rating(lineIndex: number, score = 4): LineRating {
  return { lineIndex, score, label: "good", comment: "Clear.", suggestion: null, criterionId: "conventions" };
}

describe("phrase cache", () => {
  it("normalises case, whitespace and punctuation (pure)", () => {
    expect(normalizePhrase("  In Conclusion,   schools SHOULD start later!! ")).toBe("in conclusion schools should start later");
    expect(normalizePhrase("In conclusion schools should start later")).toBe(normalizePhrase("in conclusion; schools should start later."));
    expect(normalizePhrase("schools should start later")).not.toBe(normalizePhrase("schools should start earlier"));
  });

  it("keys change with the rubric version, the rubric, the rater and its prompt version (pure)", () => {
    const base = cacheScopeFingerprint(scope);
    expect(cacheScopeFingerprint({ ...scope })).toBe(base);
    expect(cacheScopeFingerprint({ ...scope, rubricVersion: 2 })).not.toBe(base);
    expect(cacheScopeFingerprint({ ...scope, raterId: "openai:gpt-4o" })).not.toBe(base);
    expect(cacheScopeFingerprint({ ...scope, raterVersion: "p2" })).not.toBe(base);
    expect(cacheScopeFingerprint({ ...scope, rubric: { ...rubric, scale: { min: 0, max: 4 } } })).not.toBe(base);
    expect(phraseCacheKey("a b", base)).not.toBe(phraseCacheKey("a b c", base));
  });

  it("stores in one batch, finds hits, and counts them once per recordPhraseHits call", async () => {
    const fingerprint = cacheScopeFingerprint(scope);
    const keys = ["first line", "second line", "third line"].map((text) => phraseCacheKey(text, fingerprint));
    await storePhrases(db.current.sql, [
      { key: keys[0]!, normalizedText: "first line", rating: rating(0, 5), raterId: scope.raterId },
      { key: keys[1]!, normalizedText: "second line", rating: rating(1, 2), raterId: scope.raterId },
    ]);
    const found = await lookupPhrases(db.current.sql, keys);
    expect([...found.keys()].sort()).toEqual([keys[0], keys[1]].sort());
    expect(found.get(keys[0]!)?.rating.score).toBe(5);
    expect(found.get(keys[0]!)?.source).toBe("rater");
    expect(typeof (await db.current.sql`select rating from phrase_cache where cache_key = ${keys[0]!}`)[0]!.rating).toBe("object");
    await recordPhraseHits(db.current.sql, [keys[0]!, keys[0]!, keys[2]!]);
    await recordPhraseHits(db.current.sql, [keys[0]!]);
    const [row] = await db.current.sql<{ hit_count: number; last_hit_at: Date | null }[]>`
      select hit_count, last_hit_at from phrase_cache where cache_key = ${keys[0]!}
    `;
    expect(row!.hit_count).toBe(2);
    expect(row!.last_hit_at).not.toBeNull();
  });

  it("evicts entries idle too long, then the coldest beyond the size cap", async () => {
    await db.current.sql`delete from phrase_cache`;
    const fingerprint = cacheScopeFingerprint(scope);
    const entries = Array.from({ length: 6 }, (_, i) => ({
      key: phraseCacheKey(`line ${i}`, fingerprint),
      normalizedText: `line ${i}`,
      rating: rating(i),
      raterId: scope.raterId,
    }));
    await storePhrases(db.current.sql, entries);
    // line 0 idle for a year; lines 1..5 used 1..5 hours ago
    await db.current.sql`update phrase_cache set created_at = now() - interval '365 days', last_hit_at = null where normalized_text = 'line 0'`;
    for (let i = 1; i < 6; i++) {
      await db.current.sql`update phrase_cache set last_hit_at = now() - make_interval(hours => ${i}) where normalized_text = ${`line ${i}`}`;
    }
    const evicted = await evictColdPhrases(db.current.sql, { maxIdleDays: 30, maxEntries: 3 });
    expect(evicted).toBe(3);
    const left = await db.current.sql<{ normalized_text: string }[]>`select normalized_text from phrase_cache order by normalized_text`;
    expect(left.map((row) => row.normalized_text)).toEqual(["line 1", "line 2", "line 3"]);
    expect(await countRows(db.current.sql, "phrase_cache")).toBe(3);
  });
});
