import type { Rubric, RubricCriterion } from "../../../assignments/rubric";
import { FINDING_KIND_INFO, type FindingKind } from "./finding-kinds";

/** The criterion a kind of finding bears on most, or the first criterion (rubrics tend to lead with the main one). */
export function matchCriterion(rubric: Rubric, kind: FindingKind): RubricCriterion {
  return findCriterion(rubric, kind) ?? rubric.criteria[0]!;
}

/**
 * The rubric criterion a kind of finding bears on, by keyword, or null when none fits:
 * each keyword in order is tried against ids and names first, because descriptions of
 * holistic criteria ("Overall: … grammar and conventions …") mention everything.
 * Hand-written: rubrics are free text.
 */
export function findCriterion(rubric: Rubric, kind: FindingKind): RubricCriterion | null {
  const keywords = FINDING_KIND_INFO[kind].criterionKeywords;
  const candidates = rubric.criteria.filter((criterion) => !isHolisticCriterion(criterion));
  const titles = candidates.map((criterion) => `${criterion.id} ${criterion.name}`.toLowerCase());
  const descriptions = candidates.map((criterion) => criterion.description.toLowerCase());
  for (const haystacks of [titles, descriptions]) {
    for (const keyword of keywords) {
      const index = haystacks.findIndex((haystack) => haystack.includes(keyword));
      if (index >= 0) return candidates[index]!;
    }
  }
  return null;
}

/** "Overall", "Holistic score": a criterion every finding bears on, never the most specific match. */
export function isHolisticCriterion(criterion: RubricCriterion): boolean {
  return /\b(overall|holistic|general impression)\b/i.test(`${criterion.id} ${criterion.name}`.replace(/[_-]/g, " "));
}
