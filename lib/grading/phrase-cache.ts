import { createHash } from "node:crypto";
import type { SqlExecutor } from "../db/sql";
import type { AssignmentContext } from "../assignments/assignments";
import type { RaterIdentity } from "./raters/rater";
import type { RatingToRecord } from "./line-ratings";
import { essayContextFor, findBorrowedText } from "./borrowed-text";
import { findInstructionInLines } from "./prompt-injection";
import { lineRatingSchema, type LineRating, type SubmissionLine } from "./schemas";

/** Bump when normalisation or the key's parts change: every old entry then misses. 2: scoped to the assignment (#9). */
const CACHE_KEY_VERSION = "2";

/** Case, whitespace and punctuation do not change what a line says. */
export function normalizePhrase(text: string): string {
  return text
    .normalize("NFKC")
    .toLowerCase()
    .replace(/[\p{P}\p{S}]+/gu, " ")
    .replace(/\s+/g, " ")
    .trim();
}

/**
 * What a cached rating is valid for besides its text: one assignment of one teacher, with
 * the title, prompt and rubric (and its version) the rater saw. Nothing crosses assignments
 * (#9): the same sentence under another assignment, even with the same rubric, misses.
 */
export type CacheAssignment = Pick<AssignmentContext, "id" | "title" | "prompt" | "rubric" | "rubricVersion"> & {
  /** The assignment's owner; loadPhraseCache reads it. */
  teacherId?: string | null;
};

/**
 * The phrase cache as one assignment and one rater see it. Only this module builds cache
 * keys or writes phrase_cache, and it decides what may be kept: never the ratings of a call
 * that carried an instruction to the grader, never a comment that borrows words from
 * outside its own line (lib/grading/borrowed-text.ts), unless the rater rates lines alone.
 */
export interface PhraseCache {
  /** The ratings the cache knows for these lines, and the keys they were found under (for recordPhraseHits). */
  lookup(sql: SqlExecutor, lines: readonly SubmissionLine[]): Promise<{ ratings: RatingToRecord[]; hitKeys: string[] }>;
  /**
   * Stores the ratings of one rater call on `lines`, whose essay is `essayLines` (all its
   * lines); an entry that already exists wins (first writer, and always a teacher's).
   * Returns how many were stored and how many were withheld.
   */
  storeRatings(
    sql: SqlExecutor,
    lines: readonly SubmissionLine[],
    ratings: readonly LineRating[],
    essayLines?: readonly SubmissionLine[],
  ): Promise<{ stored: number; withheld: number }>;
  /**
   * A teacher's rating of a line: it replaces any rater's and is what the next essay of this
   * assignment with that sentence gets, unless its comment borrows from the essay's other
   * lines (`otherLines`). Returns whether it was stored.
   */
  storeTeacherRating(sql: SqlExecutor, lineText: string, rating: LineRating, otherLines?: readonly string[]): Promise<boolean>;
  /** The key of a whole essay's text, so an identical essay of the same assignment reuses its grade. */
  essayKey(lines: readonly SubmissionLine[]): string;
}

/** The phrase cache of this assignment as its owner has it now. */
export async function loadPhraseCache(
  sql: SqlExecutor,
  assignment: Omit<CacheAssignment, "teacherId">,
  rater: RaterIdentity,
): Promise<PhraseCache> {
  const [row] = await sql<{ teacher_id: string | null }[]>`select teacher_id from assignments where id = ${assignment.id}`;
  return phraseCacheFor({ ...assignment, teacherId: row?.teacher_id ?? null }, rater);
}

export function phraseCacheFor(assignment: CacheAssignment, rater: RaterIdentity): PhraseCache {
  const scope = createHash("sha256")
    .update(
      JSON.stringify([
        CACHE_KEY_VERSION,
        assignment.id,
        assignment.teacherId ?? null,
        assignment.title,
        assignment.prompt,
        assignment.rubric,
        assignment.rubricVersion,
        rater.id,
        rater.version,
      ]),
    )
    .digest("hex")
    .slice(0, 32);
  const keyOf = (normalizedText: string) => createHash("sha256").update(`${scope}\n${normalizedText}`).digest("hex");
  // What the rater saw on every call of this assignment: a comment may repeat it.
  const assignmentTexts = [assignment.title, assignment.prompt, JSON.stringify(assignment.rubric)];
  const borrows = (texts: ReadonlyArray<string | null>, line: string, otherLines: readonly string[]) =>
    findBorrowedText(texts, essayContextFor(line, otherLines, assignmentTexts)) !== null;

  return {
    async lookup(sql, lines) {
      const keys = lines.map((line) => keyOf(normalizePhrase(line.text)));
      const found = await lookupPhrases(sql, assignment.id, keys);
      const ratings = lines.flatMap((line, i): RatingToRecord[] => {
        const phrase = found.get(keys[i]!);
        if (!phrase) return [];
        // The rater a cached rating is credited to: a teacher's override says so.
        return [{ ...phrase.rating, lineIndex: line.index, rater: phrase.source === "teacher" ? "teacher" : rater.id, fromCache: true }];
      });
      return { ratings, hitKeys: keys.filter((key) => found.has(key)) };
    },
    async storeRatings(sql, lines, ratings, essayLines = lines) {
      // A line written to the grader may have steered every rating of its call.
      if (findInstructionInLines(lines)) return { stored: 0, withheld: ratings.length };
      const lineByIndex = new Map(lines.map((line) => [line.index, line]));
      const entries = ratings.flatMap((rating) => {
        const line = lineByIndex.get(rating.lineIndex);
        if (!line) return [];
        if (!rater.ratesLinesAlone) {
          const otherLines = essayLines.filter((other) => other.index !== line.index).map((other) => other.text);
          if (borrows([rating.comment, rating.suggestion], line.text, otherLines)) return [];
        }
        const normalizedText = normalizePhrase(line.text);
        return [{ key: keyOf(normalizedText), normalized_text: normalizedText, rating, rater: rater.id }];
      });
      await insertRaterEntries(sql, assignment.id, entries);
      return { stored: entries.length, withheld: ratings.length - entries.length };
    },
    async storeTeacherRating(sql, lineText, rating, otherLines = []) {
      if (borrows([rating.comment, rating.suggestion], lineText, otherLines)) return false;
      const normalizedText = normalizePhrase(lineText);
      await sql`
        insert into phrase_cache (cache_key, normalized_text, rating, rater, source, assignment_id)
        values (${keyOf(normalizedText)}, ${normalizedText}, ${sql.json(rating as never)}, ${rater.id}, 'teacher', ${assignment.id})
        on conflict (cache_key) do update set rating = excluded.rating, source = 'teacher', created_at = now()
      `;
      return true;
    },
    essayKey(lines) {
      return keyOf(lines.map((line) => normalizePhrase(line.text)).join("\n"));
    },
  };
}

interface CachedPhrase {
  rating: LineRating;
  /** 'teacher' when a teacher's override put it there: it then outranks any rater. */
  source: "rater" | "teacher";
}

/**
 * Looks many keys up in one statement. A plain read, so a submitting transaction holds
 * no locks on shared cache rows (two class uploads sharing lines deadlocked when the
 * lookup also counted the hits); count them afterwards with recordPhraseHits.
 * Entries that no longer parse as ratings are ignored.
 */
async function lookupPhrases(sql: SqlExecutor, assignmentId: string, keys: readonly string[]): Promise<Map<string, CachedPhrase>> {
  const found = new Map<string, CachedPhrase>();
  if (keys.length === 0) return found;
  // The assignment besides the key: even a key built wrong could not cross assignments.
  const rows = await sql<{ cache_key: string; rating: unknown; source: "rater" | "teacher" }[]>`
    select cache_key, rating, source from phrase_cache
    where cache_key = any(${[...new Set(keys)]}::text[]) and assignment_id = ${assignmentId}
  `;
  for (const row of rows) {
    const parsed = lineRatingSchema.safeParse(row.rating);
    if (parsed.success) found.set(row.cache_key, { rating: parsed.data, source: row.source });
  }
  return found;
}

async function insertRaterEntries(
  sql: SqlExecutor,
  assignmentId: string,
  entries: ReadonlyArray<{ key: string; normalized_text: string; rating: LineRating; rater: string }>,
): Promise<void> {
  if (entries.length === 0) return;
  const unique = [...new Map(entries.map((entry) => [entry.key, entry])).values()];
  // Ratings travel as one jsonb array: postgres.js would JSON-encode strings in a jsonb[] parameter twice.
  await sql`
    insert into phrase_cache (cache_key, normalized_text, rating, rater, assignment_id)
    select e.key, e.normalized_text, e.rating, e.rater, ${assignmentId}::uuid
    from jsonb_to_recordset(${sql.json(unique as never)}::jsonb) as e(key text, normalized_text text, rating jsonb, rater text)
    on conflict (cache_key) do nothing
  `;
}

/**
 * Counts cache hits (hit_count, last_hit_at; eviction keeps what is used). Outside the
 * caller's transaction, in key order, skipping rows another writer holds: a missed
 * count is harmless, a lock wait or deadlock on a submit is not.
 */
export async function recordPhraseHits(sql: SqlExecutor, keys: Iterable<string>): Promise<void> {
  const unique = [...new Set(keys)];
  if (unique.length === 0) return;
  await sql`
    update phrase_cache p set hit_count = p.hit_count + 1, last_hit_at = now()
    from (
      select cache_key from phrase_cache where cache_key = any(${unique}::text[])
      order by cache_key for update skip locked
    ) hit
    where p.cache_key = hit.cache_key
  `;
}

export const DEFAULT_CACHE_MAX_IDLE_DAYS = 90;
export const DEFAULT_CACHE_MAX_ENTRIES = 200_000;

/** Evicts entries unused for maxIdleDays, then the coldest beyond maxEntries. Returns how many went. */
export async function evictColdPhrases(
  sql: SqlExecutor,
  options: { maxIdleDays?: number; maxEntries?: number; maxAgeDays?: number } = {},
): Promise<number> {
  const maxIdleDays = options.maxIdleDays ?? DEFAULT_CACHE_MAX_IDLE_DAYS;
  const maxEntries = options.maxEntries ?? DEFAULT_CACHE_MAX_ENTRIES;
  // With a retention period (RETENTION_DAYS), a student's sentence and the comments on it
  // go when it is that old, however often it is hit: the cache keeps no text longer than
  // the submissions it came from.
  const idle = await sql`
    delete from phrase_cache
    where coalesce(last_hit_at, created_at) < now() - make_interval(days => ${maxIdleDays})
       or (${options.maxAgeDays ?? null}::int is not null and created_at < now() - make_interval(days => ${options.maxAgeDays ?? 0}))
  `;
  const overflow = await sql`
    delete from phrase_cache where cache_key in (
      select cache_key from phrase_cache
      order by coalesce(last_hit_at, created_at) desc
      offset ${maxEntries}
    )
  `;
  return idle.count + overflow.count;
}
