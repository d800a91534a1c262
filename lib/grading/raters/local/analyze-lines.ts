import type { Root } from "nlcst";
import { toString } from "nlcst-to-string";
import { visit } from "unist-util-visit";
import { VFile } from "vfile";
import { FINDING_KINDS, type FindingKind } from "./finding-kinds";
import { loadWritingTools, type WritingTools } from "./load-writing-tools";

/**
 * A dictionary suggestion costs 2–20 ms for a typo but up to 400 ms for a word far from any
 * English one (random letters, another language), so each line gets a fixed budget. It is
 * per line, not per call, so a line's rating never depends on the lines batched with it.
 */
const SUGGESTED_WORDS_PER_LINE = 2;
/** Longer "words" are pasted codes or compounds from other languages: their suggestions are slow and useless. */
const MAX_SUGGESTED_WORD_LENGTH = 20;
const SUGGESTIONS_PER_WORD = 3;
/** A line where at least this share of words (and 3 or more) is unknown is probably not English. */
const FOREIGN_LINE_UNKNOWN_SHARE = 0.5;

type VFileMessage = VFile["messages"][number];

export interface Finding {
  kind: FindingKind;
  /** The text the plugin flagged: a word, a phrase or a whole sentence. */
  actual: string;
  /** The plugin's (or dictionary's) replacements, best first; may be empty. */
  expected: string[];
  /** Offset of `actual` in the line. */
  offset: number;
}

export interface LineAnalysis {
  text: string;
  /** Words with at least one letter: "12345" and "!!!" are not words to a reader. */
  wordCount: number;
  /** Sentences with at least one such word. */
  sentenceCount: number;
  /** Sorted by offset, then by kind. */
  findings: Finding[];
}

/** Runs the retext checks over each text, one file per line, in order. */
export async function analyzeLines(texts: readonly string[]): Promise<LineAnalysis[]> {
  const tools = await loadWritingTools(texts.length);
  const analyses: LineAnalysis[] = [];
  for (const text of texts) analyses.push(await analyzeLine(text, tools));
  return analyses;
}

async function analyzeLine(text: string, tools: WritingTools): Promise<LineAnalysis> {
  const file = new VFile(text);
  const tree = tools.processor.parse(file) as Root;
  await tools.processor.run(tree, file);

  let wordCount = 0;
  let sentenceCount = 0;
  visit(tree, "SentenceNode", (sentence) => {
    const words = sentence.children.filter((node) => node.type === "WordNode" && /\p{L}/u.test(toString(node))).length;
    wordCount += words;
    if (words > 0) sentenceCount++;
  });

  const findings = dropDuplicateFindings(file.messages.flatMap((message) => toFindings(message)));
  findings.sort((a, b) => a.offset - b.offset || FINDING_KINDS.indexOf(a.kind) - FINDING_KINDS.indexOf(b.kind));
  const analysis = { text, wordCount, sentenceCount, findings };
  if (!isMostlyUnknown(analysis)) addSpellingSuggestions(findings, tools);
  return analysis;
}

/** Mostly words the dictionary does not know: another language, or keyboard mashing. */
export function isMostlyUnknown(analysis: Pick<LineAnalysis, "wordCount" | "findings">): boolean {
  const unknown = analysis.findings.filter((finding) => finding.kind === "spelling").length;
  return unknown >= 3 && unknown >= FOREIGN_LINE_UNKNOWN_SHARE * analysis.wordCount;
}

function toFindings(message: VFileMessage): Finding[] {
  const kind = kindOfMessage(message);
  if (!kind) return [];
  const place = message.place;
  const offset = (place && "start" in place ? place.start.offset : place?.offset) ?? 0;
  return [{ kind, actual: message.actual ?? "", expected: [...(message.expected ?? [])], offset }];
}

function kindOfMessage(message: VFileMessage): FindingKind | null {
  switch (message.source) {
    case "retext-spell":
      return "spelling";
    case "retext-contractions":
      // With `straight: true` the plugin also flags ’ where it wants ': either is correct
      // in an essay, so only a missing apostrophe ("dont") counts.
      return /['’]/.test(message.actual ?? "") ? null : "spelling";
    case "retext-indefinite-article":
    case "retext-repeated-words":
      return "grammar";
    case "retext-readability":
      return "readability";
    case "retext-simplify":
      return "wording";
    case "retext-passive":
      return "passive";
    default:
      return null;
  }
}

/**
 * "dont" is flagged by retext-spell (unknown word) and by retext-contractions (missing
 * apostrophe): keep one finding per place and kind, preferring one that has a fix.
 */
function dropDuplicateFindings(findings: Finding[]): Finding[] {
  const byPlace = new Map<string, Finding>();
  for (const finding of findings) {
    const key = `${finding.kind}:${finding.offset}:${finding.actual.toLowerCase()}`;
    const kept = byPlace.get(key);
    if (!kept || (kept.expected.length === 0 && finding.expected.length > 0)) byPlace.set(key, finding);
  }
  return [...byPlace.values()];
}

function addSpellingSuggestions(findings: Finding[], tools: WritingTools): void {
  let budget = SUGGESTED_WORDS_PER_LINE;
  for (const finding of findings) {
    if (budget === 0) return;
    if (finding.kind !== "spelling" || finding.expected.length > 0) continue;
    if (!isSuggestible(finding.actual)) continue;
    budget--;
    finding.expected = tools.suggestSpellings(finding.actual).slice(0, SUGGESTIONS_PER_WORD);
  }
}

/** Plain Latin letters only: a word in another script or with diacritics is not an English typo. */
function isSuggestible(word: string): boolean {
  return word.length <= MAX_SUGGESTED_WORD_LENGTH && /^[A-Za-z][A-Za-z']*$/.test(word);
}
