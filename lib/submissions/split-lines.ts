import { DomainError } from "../domain-error";
import { DEFAULT_MAX_LINES_PER_SUBMISSION, limitsEnv } from "../env";
import type { SubmissionLine } from "../grading/schemas";
import { findControlCharacter } from "./control-characters";
import { MAX_SUBMISSION_BYTES } from "./submission-limits";

export { MAX_SUBMISSION_BYTES };

/** The default line limit; MAX_LINES_PER_SUBMISSION (lib/env.ts) sets the one the server keeps. */
export const MAX_SUBMISSION_LINES = DEFAULT_MAX_LINES_PER_SUBMISSION;

/** Written lines longer than this are split at sentence ends, so one rating covers about one sentence. */
export const LONG_LINE_CHARS = 220;

/** Too long (413) or nothing to grade / too many lines / a control character (422). */
export class SubmissionTextError extends DomainError {
  override name = "SubmissionTextError";
}

const sentenceSegmenter = new Intl.Segmenter("en", { granularity: "sentence" });

/** Sentences of one written line, with offsets into the whole text, trimmed of surrounding space. */
function splitSentences(line: string, lineStart: number): Array<{ text: string; start: number; end: number }> {
  const pieces: Array<{ text: string; start: number; end: number }> = [];
  for (const { segment, index } of sentenceSegmenter.segment(line)) {
    const leading = segment.length - segment.trimStart().length;
    const text = segment.trim();
    if (!text) continue;
    const start = lineStart + index + leading;
    pieces.push({ text, start, end: start + text.length });
  }
  return pieces;
}

/**
 * Splits a submission into lines as a reader sees them: one per written line, long
 * lines split at sentence ends, blank lines dropped. Offsets index into `text`, so
 * `text.slice(start, end) === line.text`.
 */
export function splitLines(text: string): SubmissionLine[] {
  if (Buffer.byteLength(text, "utf8") > MAX_SUBMISSION_BYTES) {
    throw new SubmissionTextError(
      "payload_too_large",
      `The essay is too long: ${Math.ceil(Buffer.byteLength(text, "utf8") / 1024)} KB, the limit is ${MAX_SUBMISSION_BYTES / 1024} KB.`,
    );
  }
  if (text.trim() === "") throw new SubmissionTextError("unprocessable", "The essay is empty: paste or upload some text.");
  const control = findControlCharacter(text);
  if (control) {
    throw new SubmissionTextError(
      "unprocessable",
      `The essay contains a control character, ${control.description}, on line ${control.line}; remove it (it often comes from copying out of a PDF or a binary file) and try again.`,
    );
  }

  const lines: SubmissionLine[] = [];
  const writtenLine = /[^\r\n]+/g;
  for (const match of text.matchAll(writtenLine)) {
    const raw = match[0];
    const trimmedText = raw.trim();
    if (!trimmedText) continue;
    const start = match.index + (raw.length - raw.trimStart().length);
    const pieces =
      trimmedText.length > LONG_LINE_CHARS
        ? splitSentences(raw, match.index)
        : [{ text: trimmedText, start, end: start + trimmedText.length }];
    for (const piece of pieces) {
      lines.push({ index: lines.length, text: piece.text, start: piece.start, end: piece.end });
    }
  }
  // Each line is a rating, and every five an LLM call: the ceiling bounds what one request costs.
  const maxLines = limitsEnv().MAX_LINES_PER_SUBMISSION;
  if (lines.length > maxLines) {
    throw new SubmissionTextError(
      "unprocessable",
      `The essay has ${lines.length} lines after splitting long lines at sentence ends; the limit is ${maxLines}.`,
    );
  }
  return lines;
}
