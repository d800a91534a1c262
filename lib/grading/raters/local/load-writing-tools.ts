import dictionaryEn from "dictionary-en";
import nspell from "nspell";
import retextContractions from "retext-contractions";
import retextEnglish from "retext-english";
import retextIndefiniteArticle from "retext-indefinite-article";
import retextPassive from "retext-passive";
import retextReadability from "retext-readability";
import retextRepeatedWords from "retext-repeated-words";
import retextSimplify from "retext-simplify";
import retextSpell from "retext-spell";
import retextSyntaxUrls from "retext-syntax-urls";
import { unified } from "unified";

/** Suggestions kept in memory; an essay repeats its misspellings, a class repeats common ones. */
const SUGGESTION_CACHE_SIZE = 5_000;
/**
 * retext-spell remembers every unknown word it has seen for the life of its processor, so a
 * long-running worker rebuilds the processor now and then (about 0.4 s) to bound memory.
 */
const REBUILD_PROCESSOR_AFTER_LINES = 20_000;
/** Readers aged 16 (grades 10–11): the middle of the grades 8–12 writers this app serves. */
const READABILITY_TARGET_AGE = 16;

function buildProcessor() {
  return (
    unified()
      .use(retextEnglish)
      // URLs and e-mail addresses are not prose: without this they are "misspelt".
      .use(retextSyntaxUrls)
      // retext-spell caps suggestions per processor lifetime (`max`), not per text, so on a
      // reused processor the 31st misspelling would get none: the output would depend on
      // what was checked before. `max: -1` turns its suggestions off (0 < -1 is false, and
      // `max || 30` keeps -1), and suggestSpellings below suggests within a per-line budget.
      .use(retextSpell, { dictionary: dictionaryEn, max: -1 })
      .use(retextIndefiniteArticle)
      .use(retextRepeatedWords)
      // straight: students type ' not ’, so "don't" is right and only a missing apostrophe is flagged.
      .use(retextContractions, { straight: true })
      .use(retextReadability, { age: READABILITY_TARGET_AGE })
      .use(retextSimplify)
      .use(retextPassive)
      .freeze()
  );
}

export type WritingProcessor = ReturnType<typeof buildProcessor>;

export interface WritingTools {
  processor: WritingProcessor;
  /** Dictionary suggestions for one unknown word, best first; cached. */
  suggestSpellings(word: string): string[];
}

let tools: Promise<WritingTools> | null = null;
let linesSinceBuild = 0;

/**
 * Loads the dictionary and builds the processor once per process (about 0.8 s: two nspell
 * instances, retext-spell's and ours) and shares it; concurrent first callers wait on the
 * same promise. `lineCount` is how many lines the caller is about to check.
 */
export function loadWritingTools(lineCount = 0): Promise<WritingTools> {
  linesSinceBuild += lineCount;
  if (tools && linesSinceBuild > REBUILD_PROCESSOR_AFTER_LINES) {
    const previous = tools;
    tools = previous.then((loaded) => ({ ...loaded, processor: buildProcessor() }));
    linesSinceBuild = lineCount;
  }
  if (!tools) {
    tools = Promise.resolve().then(createWritingTools);
    // A failed load is not cached: the next call tries again.
    tools.catch(() => {
      tools = null;
    });
  }
  return tools;
}

function createWritingTools(): WritingTools {
  // dictionary-en's bytes are Buffers at run time, typed as Uint8Array; @types/nspell wants Buffer.
  const speller = nspell({ aff: toBuffer(dictionaryEn.aff), dic: toBuffer(dictionaryEn.dic) });
  const cache = new Map<string, string[]>();
  return {
    processor: buildProcessor(),
    suggestSpellings(word) {
      const cached = cache.get(word);
      if (cached) return cached;
      const suggestions = speller.suggest(word);
      // Map keeps insertion order, so the first key is the oldest: a cheap FIFO bound.
      if (cache.size >= SUGGESTION_CACHE_SIZE) cache.delete(cache.keys().next().value as string);
      cache.set(word, suggestions);
      return suggestions;
    },
  };
}

function toBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
