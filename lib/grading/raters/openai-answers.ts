import { z } from "zod";
import { coerceError } from "../../queue/errors";
import { lineRatingSchema, submissionGradeSchema, type LineRating, type SubmissionGrade, type SubmissionLine } from "../schemas";
import type { Rubric } from "../../assignments/rubric";

// The wire shapes of openai-prompts.ts's response formats. Extra keys are ignored; every
// rule the schema cannot state (count, indices, scale, criterion ids) is checked below.
const lineRatingsAnswerSchema = z.object({
  ratings: z.array(
    z.object({
      lineIndex: z.number().int(),
      criterionId: z.string().nullable(),
      comment: z.string(),
      suggestion: z.string().nullable(),
      score: z.number().finite(),
      label: z.string(),
    }),
  ),
});

const submissionGradeAnswerSchema = z.object({
  criteria: z.array(z.object({ criterionId: z.string(), rationale: z.string(), score: z.number().finite() })),
  feedback: z.string(),
  overallScore: z.number().finite(),
});

/**
 * One validated rating per input line, in input order. Throws an Error that says what
 * was wrong; the job's attempt fails and the queue retries it.
 * Over-long text is clipped rather than rejected: a retry would cost a whole call.
 */
export function parseLineRatingsAnswer(content: string, lines: SubmissionLine[], rubric: Rubric, source: string): LineRating[] {
  const answer = parseAnswer(content, lineRatingsAnswerSchema, source, "line ratings");
  const wanted = new Set(lines.map((line) => line.index));
  const byIndex = new Map<number, (typeof answer.ratings)[number]>();
  const unexpected: number[] = [];
  const duplicated: number[] = [];
  for (const rating of answer.ratings) {
    if (!wanted.has(rating.lineIndex)) unexpected.push(rating.lineIndex);
    else if (byIndex.has(rating.lineIndex)) duplicated.push(rating.lineIndex);
    else byIndex.set(rating.lineIndex, rating);
  }
  const missing = [...wanted].filter((index) => !byIndex.has(index));
  if (missing.length > 0 || unexpected.length > 0 || duplicated.length > 0 || answer.ratings.length !== lines.length) {
    const problems = [
      missing.length > 0 ? `missing line ${missing.join(", ")}` : "",
      unexpected.length > 0 ? `unknown line ${unexpected.join(", ")}` : "",
      duplicated.length > 0 ? `line ${duplicated.join(", ")} rated twice` : "",
    ].filter(Boolean);
    throw new Error(`${source} answered ${answer.ratings.length} ratings for ${lines.length} lines: ${problems.join("; ")}`);
  }

  const criterionIds = new Set(rubric.criteria.map((criterion) => criterion.id));
  const { min, max } = rubric.scale;
  return lines.map((line) => {
    const rating = byIndex.get(line.index)!;
    if (rating.score < min || rating.score > max) {
      throw new Error(`${source} scored line ${line.index} ${rating.score}, outside the rubric scale ${min}–${max}`);
    }
    if (rating.criterionId !== null && !criterionIds.has(rating.criterionId)) {
      throw new Error(`${source} rated line ${line.index} against unknown criterion "${rating.criterionId}"`);
    }
    const suggestion = rating.suggestion === null ? "" : clip(rating.suggestion, 600);
    return lineRatingSchema.parse({
      lineIndex: line.index,
      score: rating.score,
      label: clip(rating.label, 40) || "rated",
      comment: clip(rating.comment, 600),
      suggestion: suggestion === "" ? null : suggestion,
      criterionId: rating.criterionId,
    });
  });
}

/** One score per rubric criterion, in rubric order, each within its levels' range. */
export function parseSubmissionGradeAnswer(content: string, rubric: Rubric, source: string): SubmissionGrade {
  const answer = parseAnswer(content, submissionGradeAnswerSchema, source, "grade");
  const criteria = rubric.criteria.map((criterion) => {
    const scores = answer.criteria.filter((score) => score.criterionId === criterion.id);
    if (scores.length !== 1) {
      throw new Error(`${source} gave criterion "${criterion.id}" ${scores.length} scores instead of one`);
    }
    const score = scores[0]!;
    const levelScores = criterion.levels.map((level) => level.score);
    const [low, high] = [Math.min(...levelScores), Math.max(...levelScores)];
    if (score.score < low || score.score > high) {
      throw new Error(`${source} scored criterion "${criterion.id}" ${score.score}, outside its levels' range ${low}–${high}`);
    }
    return { criterionId: criterion.id, score: score.score, rationale: clip(score.rationale, 1500) };
  });
  const unknown = answer.criteria.filter((score) => !rubric.criteria.some((criterion) => criterion.id === score.criterionId));
  if (unknown.length > 0) {
    throw new Error(`${source} scored unknown criteria: ${unknown.map((score) => `"${score.criterionId}"`).join(", ")}`);
  }
  const { min, max } = rubric.scale;
  if (answer.overallScore < min || answer.overallScore > max) {
    throw new Error(`${source} gave an overall score of ${answer.overallScore}, outside the rubric scale ${min}–${max}`);
  }
  const feedback = clip(answer.feedback, 4000);
  if (feedback === "") throw new Error(`${source} gave no feedback`);
  return submissionGradeSchema.parse({ criteria, overallScore: answer.overallScore, feedback });
}

function parseAnswer<T>(content: string, schema: z.ZodType<T>, source: string, what: string): T {
  let json: unknown;
  try {
    json = JSON.parse(content);
  } catch (error) {
    const preview = content.length > 120 ? `${content.slice(0, 120)}…` : content;
    throw new Error(`${source} answered with malformed JSON for its ${what} (${coerceError(error).message}): ${preview}`, {
      cause: error,
    });
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const path = issue.path.length > 0 ? issue.path.join(".") : "the answer";
    throw new Error(`${source}'s answer (${what}) does not match the schema: ${path}: ${issue.message}`, { cause: parsed.error });
  }
  return parsed.data;
}

function clip(text: string, maxLength: number): string {
  const trimmed = text.trim();
  return trimmed.length <= maxLength ? trimmed : `${trimmed.slice(0, maxLength - 1).trimEnd()}…`;
}
