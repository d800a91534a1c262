import type { LineRating } from "../../schemas";
import type { Rubric } from "../../../assignments/rubric";
import type { LineAnalysis } from "./analyze-lines";
import { describeFindings } from "./describe-findings";
import { FINDING_KINDS, FINDING_KIND_INFO, type FindingKind } from "./finding-kinds";
import { matchCriterion } from "./match-criterion";
import { fractionAfterPenalty, labelForScore, scoreOnScale } from "./score-on-scale";

/**
 * Weighted findings per sentence that earn the bottom of the scale: on 1–5, one spelling
 * error in a sentence gives 4, two give 3, four or more give 1.
 */
export const LINE_FULL_PENALTY = 4;

/** Hand-written mapping from one line's findings to a rating on the rubric's scale. */
export function rateLine(analysis: LineAnalysis, lineIndex: number, rubric: Rubric): LineRating {
  const { comment, suggestion } = describeFindings(analysis);
  if (analysis.wordCount === 0) {
    // Nothing was wrong, but nothing was rated either: "none", and no criterion.
    return { lineIndex, score: rubric.scale.max, label: "none", comment, suggestion, criterionId: null };
  }
  const score = scoreOnScale(fractionAfterPenalty(linePenalty(analysis), LINE_FULL_PENALTY), rubric.scale);
  const mainKind = mainFindingKind(analysis);
  return {
    lineIndex,
    score,
    label: labelForScore(score, rubric.scale),
    comment,
    suggestion,
    criterionId: mainKind ? matchCriterion(rubric, mainKind).id : rubric.criteria[0]!.id,
  };
}

/**
 * Weighted findings per sentence. Per sentence, not per word: a hard-to-read sentence is
 * one finding however long it is, so dividing by length would excuse the longest ones.
 */
export function linePenalty(analysis: LineAnalysis): number {
  const weighted = analysis.findings.reduce((sum, finding) => sum + FINDING_KIND_INFO[finding.kind].weight, 0);
  return weighted / Math.max(1, analysis.sentenceCount);
}

/** The kind with the most weight on this line; ties go to the earlier kind in FINDING_KINDS. */
function mainFindingKind(analysis: LineAnalysis): FindingKind | null {
  let best: FindingKind | null = null;
  let bestWeight = 0;
  for (const kind of FINDING_KINDS) {
    const weight = analysis.findings.filter((f) => f.kind === kind).length * FINDING_KIND_INFO[kind].weight;
    if (weight > bestWeight) [best, bestWeight] = [kind, weight];
  }
  return best;
}
