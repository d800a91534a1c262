import { createHash } from "node:crypto";
import type { SqlExecutor } from "../db/sql";
import { lineRatingSchema, type LineRating } from "./schemas";
import type { Rubric } from "../assignments/rubric";

/** Bump when normalisation or the key's parts change: every old entry then misses. */
const CACHE_KEY_VERSION = "1";

export interface CacheScope {
  rubric: Rubric;
  rubricVersion: number;
  raterId: string;
  raterVersion: string;
}

/** Case, whitespace and punctuation do not change what a line says. */
export function normalizePhrase(text: string): string {
  return text
    .normalize("NFKC")
    .toLowerCase()
    .replace(/[\p{P}\p{S}]+/gu, " ")
    .replace(/\s+/g, " ")
    .trim();
}

/** Everything that makes a cached rating valid: the rubric (content and version), the rater, its prompt version. */
export function cacheScopeFingerprint(scope: CacheScope): string {
  return createHash("sha256")
    .update(JSON.stringify([CACHE_KEY_VERSION, scope.rubric, scope.rubricVersion, scope.raterId, scope.raterVersion]))
    .digest("hex")
    .slice(0, 32);
}

export function phraseCacheKey(normalizedText: string, scopeFingerprint: string): string {
  return createHash("sha256").update(`${scopeFingerprint}\n${normalizedText}`).digest("hex");
}

export interface CachedPhrase {
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
export async function lookupPhrases(sql: SqlExecutor, keys: readonly string[]): Promise<Map<string, CachedPhrase>> {
  const found = new Map<string, CachedPhrase>();
  if (keys.length === 0) return found;
  const rows = await sql<{ cache_key: string; rating: unknown; source: "rater" | "teacher" }[]>`
    select cache_key, rating, source from phrase_cache where cache_key = any(${[...new Set(keys)]}::text[])
  `;
  for (const row of rows) {
    const parsed = lineRatingSchema.safeParse(row.rating);
    if (parsed.success) found.set(row.cache_key, { rating: parsed.data, source: row.source });
  }
  return found;
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

/** The rater a cached rating is credited to: the teacher's overrides say so. */
export function cachedRaterId(phrase: CachedPhrase, raterId: string): string {
  return phrase.source === "teacher" ? "teacher" : raterId;
}

export interface PhraseCacheEntry {
  key: string;
  normalizedText: string;
  rating: LineRating;
  raterId: string;
}

/** Stores new ratings in one statement; an entry that already exists wins (first writer, and always a teacher's). */
export async function storePhrases(sql: SqlExecutor, entries: readonly PhraseCacheEntry[]): Promise<void> {
  if (entries.length === 0) return;
  const unique = [...new Map(entries.map((entry) => [entry.key, entry])).values()];
  // Ratings travel as one jsonb array: postgres.js would JSON-encode strings in a jsonb[] parameter twice.
  await sql`
    insert into phrase_cache (cache_key, normalized_text, rating, rater)
    select e.key, e.normalized_text, e.rating, e.rater
    from jsonb_to_recordset(${sql.json(
      unique.map((entry) => ({ key: entry.key, normalized_text: entry.normalizedText, rating: entry.rating, rater: entry.raterId })) as never,
    )}::jsonb) as e(key text, normalized_text text, rating jsonb, rater text)
    on conflict (cache_key) do nothing
  `;
}

export const DEFAULT_CACHE_MAX_IDLE_DAYS = 90;
export const DEFAULT_CACHE_MAX_ENTRIES = 200_000;

/** Evicts entries unused for maxIdleDays, then the coldest beyond maxEntries. Returns how many went. */
export async function evictColdPhrases(
  sql: SqlExecutor,
  options: { maxIdleDays?: number; maxEntries?: number } = {},
): Promise<number> {
  const maxIdleDays = options.maxIdleDays ?? DEFAULT_CACHE_MAX_IDLE_DAYS;
  const maxEntries = options.maxEntries ?? DEFAULT_CACHE_MAX_ENTRIES;
  const idle = await sql`
    delete from phrase_cache
    where coalesce(last_hit_at, created_at) < now() - make_interval(days => ${maxIdleDays})
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
