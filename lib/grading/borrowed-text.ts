import stopwordsIso from "stopwords-iso/stopwords-iso.json";

/**
 * Whether a rating's comment or suggestion carries text from outside its own line (#9).
 *
 * The LLM judges each line in the context of the lines sent with it, so a comment can
 * quote a neighbouring line ("unlike 'My dad lost his job', this line…"). Such a rating
 * is fine for its own essay, but cached it would show one student's words to another.
 * The phrase cache stores a rating only when this finds nothing.
 *
 * Borrowed, in order of the checks:
 * - a run of BORROWED_RUN_WORDS words that another line of the essay has and this line has not;
 * - a quoted span of two or more words with a content word that another line has and this
 *   line has not (a quotation of this line, a one-word replacement, a rewrite in new words are fine);
 * - a name or a long number from another line (capitalised mid-sentence there, or 3+ digits);
 * - BORROWED_CONTENT_WORDS content words that other lines have and this line has not
 *   ("your point about your dad and his job"): not stopwords, not words of feedback, not
 *   words of the assignment (its title, prompt and rubric, which the rater sees on every call).
 * Measured against the alternatives in scripts/measure-cache-comments.ts (see the README).
 */

/** Three words in a row: "my dad lost", "lost his job". Two would match "of the", "this line". */
export const BORROWED_RUN_WORDS = 3;
/** One shared content word is a coincidence on an essay's topic ("sleep"); two are a paraphrase. */
export const BORROWED_CONTENT_WORDS = 2;

/** Words a rater uses about any writing, which essays use too: a comment saying them borrows nothing. */
const FEEDBACK_WORDS = `line lines sentence sentences essay paragraph paragraphs word words wording phrase point points idea ideas
  example examples evidence claim claims argument reason reasons detail details specific clear clearly good strong weak
  better best make makes more less need needs use using try add explain support rewrite instead also here`.split(/\s+/);

const NOT_CONTENT = new Set([...stopwordsIso.en, ...FEEDBACK_WORDS]);

interface Token {
  word: string;
  capitalised: boolean;
  /** Capitalised where no sentence starts: a name, a place, a brand. */
  properNoun: boolean;
}

const WORD = /[\p{L}\p{N}]+(?:['’][\p{L}]+)*/gu;

function tokenize(text: string): Token[] {
  const normalized = text.normalize("NFKC");
  const tokens: Token[] = [];
  let sentenceStart = true;
  let last = 0;
  for (const match of normalized.matchAll(WORD)) {
    const between = normalized.slice(last, match.index);
    if (/[.!?:;"“”]/.test(between)) sentenceStart = true;
    const raw = match[0];
    const capitalised = /^\p{Lu}\p{Ll}/u.test(raw);
    tokens.push({ word: raw.toLowerCase().replace(/’/g, "'"), capitalised, properNoun: capitalised && !sentenceStart });
    sentenceStart = false;
    last = match.index + raw.length;
  }
  return tokens;
}

const words = (text: string) => tokenize(text).map((token) => token.word);

function runs(list: readonly string[], size: number): string[] {
  const found: string[] = [];
  for (let i = 0; i + size <= list.length; i++) found.push(list.slice(i, i + size).join(" "));
  return found;
}

/** "…", “…”, ‘…’, «…» and '…' (an apostrophe inside a word opens nothing). */
const QUOTED = /"([^"]+)"|“([^”]+)”|‘([^’]+)’|«([^»]+)»|(?<![\p{L}\p{N}])'([^']+)'(?![\p{L}\p{N}])/gu;

function quotedSpans(text: string): string[] {
  return [...text.matchAll(QUOTED)].map((match) => match.slice(1).find((group) => group !== undefined) ?? "");
}

/** What the rest of the essay holds that this line does not: its words, runs and names. */
export interface EssayContext {
  ownWords: Set<string>;
  /** Content words of other lines that are in neither this line nor the assignment. */
  otherContentWords: Set<string>;
  ownRuns: Set<string>;
  otherWords: Set<string>;
  otherRuns: Set<string>;
  /** Names and long numbers of other lines that this line does not have. */
  otherDistinctive: Set<string>;
}

/** `assignmentTexts`: the title, prompt and rubric text the rater saw, shared by every essay of the assignment. */
export function essayContextFor(ownLine: string, otherLines: readonly string[], assignmentTexts: readonly string[] = []): EssayContext {
  const own = words(ownLine);
  const ownWords = new Set(own);
  const otherWords = new Set<string>();
  const otherRuns = new Set<string>();
  const otherDistinctive = new Set<string>();
  const lowercaseSomewhere = new Set<string>();
  const capitalised = new Set<string>();
  for (const line of otherLines) {
    const tokens = tokenize(line);
    for (const token of tokens) {
      otherWords.add(token.word);
      if (token.properNoun) capitalised.add(token.word);
      if (/^\d{3,}$/.test(token.word)) otherDistinctive.add(token.word);
    }
    for (const run of runs(
      tokens.map((token) => token.word),
      BORROWED_RUN_WORDS,
    ))
      otherRuns.add(run);
    for (const match of line.normalize("NFKC").matchAll(WORD)) if (/^\p{Ll}/u.test(match[0])) lowercaseSomewhere.add(match[0]);
  }
  // "Mom" mid-sentence once and "mom" elsewhere is a common noun, not a name; so is a
  // capitalised "But" (learners capitalise at random).
  for (const word of capitalised) if (!lowercaseSomewhere.has(word) && !NOT_CONTENT.has(word)) otherDistinctive.add(word);
  for (const word of ownWords) otherDistinctive.delete(word);
  const shared = new Set(assignmentTexts.flatMap(words));
  const otherContentWords = new Set(
    [...otherWords].filter((word) => !ownWords.has(word) && !shared.has(word) && !NOT_CONTENT.has(word) && !/^\d+$/.test(word)),
  );
  return { ownWords, otherContentWords, ownRuns: new Set(runs(own, BORROWED_RUN_WORDS)), otherWords, otherRuns, otherDistinctive };
}

/** The first borrowed phrase in these texts (a comment, a suggestion), or null when they carry none. */
export function findBorrowedText(texts: ReadonlyArray<string | null>, context: EssayContext): string | null {
  for (const text of texts) {
    if (!text) continue;
    const tokens = tokenize(text);
    const list = tokens.map((token) => token.word);
    const run = runs(list, BORROWED_RUN_WORDS).find((candidate) => context.otherRuns.has(candidate) && !context.ownRuns.has(candidate));
    if (run) return run;
    for (const span of quotedSpans(text)) {
      // One quoted word is a replacement ("Use "help" instead of "benefit""), not a quotation.
      const spanWords = words(span);
      if (spanWords.length > 1 && spanWords.some((word) => context.otherContentWords.has(word))) return span;
    }
    // A name is written with its capital: "name the evidence" does not borrow a capitalised "Name".
    const distinctive = tokens.find((token) => context.otherDistinctive.has(token.word) && (token.capitalised || /^\d+$/.test(token.word)));
    if (distinctive) return distinctive.word;
  }
  const content = [...new Set(texts.flatMap((text) => (text ? words(text) : [])))].filter((word) => context.otherContentWords.has(word));
  return content.length >= BORROWED_CONTENT_WORDS ? content.join(", ") : null;
}
