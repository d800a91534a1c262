import { lineRatingSchema, submissionGradeSchema } from "../schemas";
import { analyzeLines } from "./local/analyze-lines";
import { gradeFromAnalyses } from "./local/grade-from-analyses";
import { rateLine } from "./local/rate-line";
import type { Rater } from "./rater";

export const LOCAL_RATER_ID = "local:retext";
/**
 * Part of the phrase-cache key: bump it when a plugin, its options, a weight or a wording
 * in lib/grading/raters/local/ changes what a rating says.
 */
export const LOCAL_RATER_VERSION = "local-retext-v1";

/**
 * The offline rater, used when no OPENAI_API_KEY is set: retext plugins find spelling,
 * grammar, readability, wording and passive-voice issues line by line, and a hand-written
 * mapping turns them into rubric scores. Deterministic: the same lines and rubric always
 * give the same ratings, whatever was rated before.
 */
export function createLocalRater(): Rater {
  return {
    id: LOCAL_RATER_ID,
    version: LOCAL_RATER_VERSION,
    // analyzeLines checks each line as its own file, and its comments quote only that line.
    ratesLinesAlone: true,
    async rateLines(lines, { assignment, signal }) {
      signal?.throwIfAborted();
      const analyses = await analyzeLines(lines.map((line) => line.text));
      const ratings = lines.map((line, position) => lineRatingSchema.parse(rateLine(analyses[position]!, line.index, assignment.rubric)));
      return { ratings, usage: null };
    },
    async gradeSubmission({ assignment, lines, ratings }, options) {
      options?.signal?.throwIfAborted();
      const ordered = [...lines].sort((a, b) => a.index - b.index);
      const analyses = await analyzeLines(ordered.map((line) => line.text));
      const analysed = ordered.map((line, position) => ({ lineIndex: line.index, analysis: analyses[position]! }));
      const grade = gradeFromAnalyses({ rubric: assignment.rubric, lines: analysed, ratings });
      return { grade: submissionGradeSchema.parse(grade), usage: null };
    },
  };
}
