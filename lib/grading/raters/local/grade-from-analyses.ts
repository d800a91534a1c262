import type { CriterionScore, LineRating, SubmissionGrade } from "../../schemas";
import type { Rubric, RubricCriterion } from "../../../assignments/rubric";
import type { Finding, LineAnalysis } from "./analyze-lines";
import { FINDING_KINDS, FINDING_KIND_INFO, type FindingKind } from "./finding-kinds";
import { findCriterion, isHolisticCriterion } from "./match-criterion";
import { rateLine } from "./rate-line";
import { fractionAfterPenalty, fractionOfScale, scoreOnScale } from "./score-on-scale";

/**
 * Weighted findings per 100 words that earn a criterion the bottom of the scale: on 1–5,
 * each finding per 100 words takes a point off (one misspelling in 100 words gives 4).
 * A round rule a teacher can check, not a fit: on the ELLIPSE essays
 * (scripts/eval-local-rater.ts) 4 and 6 gave much the same agreement.
 */
export const CRITERION_FULL_PENALTY_PER_100_WORDS = 4;

export interface GradeFromAnalysesInput {
  rubric: Rubric;
  /** One per line, in line order. */
  lines: Array<{ lineIndex: number; analysis: LineAnalysis }>;
  /** The line ratings already given, by lineIndex; lines without one are rated afresh. */
  ratings: LineRating[];
}

interface GradingContext {
  rubric: Rubric;
  stats: KindStats[];
  lineCount: number;
  totalWords: number;
  meanLineScore: number;
}

/**
 * Hand-written aggregation of line findings into a grade. A criterion is scored from the
 * density of the findings that bear on it (a holistic one from all of them); a criterion
 * no check reaches (ideas, cohesion) follows the mean line score, and says so.
 */
export function gradeFromAnalyses({ rubric, lines, ratings }: GradeFromAnalysesInput): SubmissionGrade {
  const wordy = lines.filter(({ analysis }) => analysis.wordCount > 0);
  const givenScores = new Map(ratings.map((rating) => [rating.lineIndex, rating.score]));
  const lineScores = wordy.map(({ analysis, lineIndex }) => givenScores.get(lineIndex) ?? rateLine(analysis, lineIndex, rubric).score);
  const context: GradingContext = {
    rubric,
    stats: FINDING_KINDS.map((kind) =>
      kindStats(
        kind,
        wordy.map(({ analysis }) => analysis),
      ),
    ),
    lineCount: wordy.length,
    totalWords: wordy.reduce((sum, { analysis }) => sum + analysis.wordCount, 0),
    meanLineScore: lineScores.length > 0 ? lineScores.reduce((a, b) => a + b, 0) / lineScores.length : rubric.scale.min,
  };
  const criteria = rubric.criteria.map((criterion) => scoreCriterion(criterion, context));
  const meanCriterion = criteria.reduce((sum, c) => sum + c.score, 0) / criteria.length;
  return {
    criteria,
    overallScore: scoreOnScale(fractionOfScale(meanCriterion, rubric.scale), rubric.scale),
    feedback: writeFeedback(context.stats, {
      lineCount: wordy.length,
      cleanLines: wordy.filter(({ analysis }) => analysis.findings.length === 0).length,
    }),
  };
}

function scoreCriterion(criterion: RubricCriterion, context: GradingContext): CriterionScore {
  const { rubric, stats, lineCount, totalWords } = context;
  const holistic = isHolisticCriterion(criterion);
  const kinds = holistic ? stats : stats.filter((stat) => findCriterion(rubric, stat.kind)?.id === criterion.id);
  if (totalWords === 0) {
    return { criterionId: criterion.id, score: rubric.scale.min, rationale: "No words to grade." };
  }
  if (kinds.length === 0) {
    const mean = context.meanLineScore;
    return {
      criterionId: criterion.id,
      score: scoreOnScale(fractionOfScale(mean, rubric.scale), rubric.scale),
      rationale: `Not checked directly offline (the checks cover spelling, grammar, sentence length and wording), so this follows the mean line score: ${round1(mean)} over ${lineCount} line${lineCount === 1 ? "" : "s"}.`,
    };
  }
  const penalty = kinds.reduce((sum, stat) => sum + stat.weighted, 0) / (totalWords / 100);
  const found = kinds.filter((stat) => stat.lines > 0);
  const counts =
    found.length > 0
      ? found.map((stat) => describeStat(stat, lineCount)).join(" ")
      : `None of ${lineCount} lines had ${joinWords(kinds.map((stat) => FINDING_KIND_INFO[stat.kind].issueNoun))}.`;
  return {
    criterionId: criterion.id,
    score: scoreOnScale(fractionAfterPenalty(penalty, CRITERION_FULL_PENALTY_PER_100_WORDS), rubric.scale),
    rationale: `${holistic ? "Counts every check. " : ""}${counts} ${round1(penalty)} weighted issues per 100 words (${totalWords} words).`,
  };
}

interface KindStats {
  kind: FindingKind;
  /** Lines with at least one finding of this kind. */
  lines: number;
  findings: Finding[];
  weighted: number;
}

function kindStats(kind: FindingKind, analyses: LineAnalysis[]): KindStats {
  const perLine = analyses.map((analysis) => analysis.findings.filter((finding) => finding.kind === kind));
  const findings = perLine.flat();
  return {
    kind,
    lines: perLine.filter((found) => found.length > 0).length,
    findings,
    weighted: findings.length * FINDING_KIND_INFO[kind].weight,
  };
}

function describeStat(stat: KindStats, lineCount: number): string {
  return `${stat.lines} of ${lineCount} lines had ${FINDING_KIND_INFO[stat.kind].issueNoun} (${stat.findings.length} in all).`;
}

/** 2–4 sentences: strengths, the most frequent issue with examples, one next step, what was not judged. */
function writeFeedback(stats: KindStats[], { lineCount, cleanLines }: { lineCount: number; cleanLines: number }): string {
  if (lineCount === 0) return "No words to grade: the submission has only numbers, symbols or punctuation.";
  const clean = stats.filter((stat) => stat.lines === 0).map((stat) => FINDING_KIND_INFO[stat.kind].strengthNoun);
  // Stable sort: ties keep FINDING_KINDS order, so the more serious kind is named.
  const [top] = [...stats].sort((a, b) => b.lines - a.lines).filter((stat) => stat.lines > 0);
  const caveat = "This offline check covers spelling, grammar, sentence length and wording, not ideas or organisation.";
  if (!top) return `No issues were found in ${lineCount} line${lineCount === 1 ? "" : "s"}: ${joinWords(clean)} all look right. ${caveat}`;
  const strength =
    clean.length > 0
      ? `Strengths: no problems were found with ${joinWords(clean)}${cleanLines > 0 ? `, and ${cleanLines} of ${lineCount} lines had no issues at all` : ""}.`
      : cleanLines > 0
        ? `Strengths: ${cleanLines} of ${lineCount} lines had no issues at all.`
        : "Every line had something to fix, so start with the most frequent issue.";
  const examples = [...new Set(top.findings.map((finding) => finding.actual.split(/\s+/).slice(0, 6).join(" ")))].slice(0, 3);
  const issue = `The most frequent issue was ${FINDING_KIND_INFO[top.kind].name}, on ${top.lines} of ${lineCount} lines${
    top.kind === "readability" ? "" : ` (for example ${examples.map((example) => `"${example}"`).join(", ")})`
  }.`;
  return [strength, issue, `Next step: ${FINDING_KIND_INFO[top.kind].nextStep}.`, caveat].join(" ");
}

function joinWords(words: string[]): string {
  return words.length <= 1 ? (words[0] ?? "") : `${words.slice(0, -1).join(", ")} and ${words.at(-1)}`;
}

function round1(value: number): number {
  return Math.round(value * 10) / 10;
}
