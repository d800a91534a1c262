import { isMostlyUnknown, type Finding, type LineAnalysis } from "./analyze-lines";
import { FINDING_KINDS, type FindingKind } from "./finding-kinds";

/** Examples quoted per kind in a comment: enough to find them, short enough to read. */
const EXAMPLES_PER_KIND = 3;
const HINTS_PER_LINE = 2;
const QUOTE_MAX_CHARS = 60;

/** lineRatingSchema caps comment and suggestion at 600 characters. */
const TEXT_MAX_CHARS = 600;

/**
 * The comment and suggestion for one line, in plain sentences built from the plugins'
 * findings (hand-written wording; the findings and replacements are the libraries').
 */
export function describeFindings(analysis: LineAnalysis): { comment: string; suggestion: string | null } {
  if (analysis.wordCount === 0) return { comment: "No words to check on this line.", suggestion: null };
  if (analysis.findings.length === 0) {
    return {
      comment: analysis.wordCount >= 20 ? "Clear and correct, even at this length." : "Clear and correct: no issues found.",
      suggestion: null,
    };
  }
  const unknown = analysis.findings.filter((finding) => finding.kind === "spelling");
  if (isMostlyUnknown(analysis)) {
    // Suggesting "Dad" for "Das" helps nobody: say what the checker saw instead.
    return {
      comment: `Most words (${unknown.length} of ${analysis.wordCount}) are not in the English dictionary: ${listExamples(unknown.map((f) => q(f.actual)))}.`,
      suggestion: "If this line is in English, check its spelling; otherwise consider translating it.",
    };
  }
  const groups = FINDING_KINDS.map((kind) => ({ kind, findings: analysis.findings.filter((f) => f.kind === kind) })).filter(
    (group) => group.findings.length > 0,
  );
  const comment = groups.map((group) => describeGroup(group.kind, group.findings, analysis.text)).join(" ");
  const hints = groups.flatMap((group) => group.findings.map((finding) => hintFor(finding, analysis.text)));
  const uniqueHints = [...new Set(hints.filter((hint): hint is string => hint !== null))].slice(0, HINTS_PER_LINE);
  return {
    comment: truncate(comment, TEXT_MAX_CHARS),
    suggestion: uniqueHints.length > 0 ? truncate(uniqueHints.join(" "), TEXT_MAX_CHARS) : null,
  };
}

function describeGroup(kind: FindingKind, findings: Finding[], text: string): string {
  const many = findings.length > 1;
  const examples = (quote: (finding: Finding) => string) => listExamples(findings.map(quote));
  switch (kind) {
    case "spelling":
      return `${many ? `Possible misspellings (${findings.length})` : "Possible misspelling"}: ${examples((f) => q(f.actual))}.`;
    case "grammar":
      return `${many ? "Grammar slips" : "Grammar slip"}: ${examples((f) => q(grammarPhrase(f, text)))}.`;
    case "readability":
      return many
        ? `Hard-to-read sentences (${findings.length}): ${examples((f) => q(f.actual))}.`
        : `Hard-to-read sentence (${countWords(findings[0]!.actual)} words): ${q(findings[0]!.actual)}.`;
    case "wording":
      return `${many ? "Wordy or complex phrasings" : "Wordy or complex phrasing"}: ${examples((f) => q(f.actual))}.`;
    case "passive":
      return `Passive voice: ${examples((f) => q(passivePhrase(f, text)))}.`;
  }
}

/** A concrete fix for one finding, or null when the plugin gave none worth repeating. */
function hintFor(finding: Finding, text: string): string | null {
  const [first, second] = finding.expected;
  switch (finding.kind) {
    case "spelling":
      return first ? `Write ${q(first)} instead of ${q(finding.actual)}.` : null;
    case "grammar":
      if (finding.actual.includes(" ")) return `Remove the repeated ${q(first ?? finding.actual.split(/\s+/)[0]!)}.`;
      return first ? `Write ${q(`${first} ${wordAfter(finding, text)}`.trim())}.` : null;
    case "readability":
      return "Split this sentence into two shorter ones, one idea each.";
    case "wording":
      return first ? `Use ${q(first)}${second ? ` or ${q(second)}` : ""} instead of ${q(finding.actual)}.` : null;
    case "passive":
      return `Say who acts: rewrite ${q(passivePhrase(finding, text))} in the active voice.`;
  }
}

/** retext-indefinite-article flags just "a"; the word after it shows why it is wrong. */
function grammarPhrase(finding: Finding, text: string): string {
  return finding.actual.includes(" ") ? finding.actual : `${finding.actual} ${wordAfter(finding, text)}`.trim();
}

/** retext-passive flags the participle ("written"); the word before it is the "was" that makes it passive. */
function passivePhrase(finding: Finding, text: string): string {
  const before = /(\S+)\s+$/u.exec(text.slice(0, finding.offset))?.[1] ?? "";
  return `${before} ${finding.actual}`.trim();
}

function wordAfter(finding: Finding, text: string): string {
  return /^\s*([\p{L}\p{N}'’-]+)/u.exec(text.slice(finding.offset + finding.actual.length))?.[1] ?? "";
}

function listExamples(items: string[]): string {
  const unique = [...new Set(items)];
  const shown = unique.slice(0, EXAMPLES_PER_KIND).join(", ");
  return unique.length > EXAMPLES_PER_KIND ? `${shown} and ${unique.length - EXAMPLES_PER_KIND} more` : shown;
}

function q(text: string): string {
  return `"${truncate(text.replace(/\s+/g, " "), QUOTE_MAX_CHARS)}"`;
}

function countWords(text: string): number {
  return text.split(/\s+/).filter((word) => /\p{L}/u.test(word)).length;
}

/** Counts UTF-16 units as the schema does, but cuts between code points, so an emoji is never halved. */
function truncate(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  let kept = "";
  for (const char of text) {
    if (kept.length + char.length > maxChars - 1) break;
    kept += char;
  }
  return `${kept.trimEnd()}…`;
}
