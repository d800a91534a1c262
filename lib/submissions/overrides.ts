import { isStorableText, STORABLE_TEXT_MESSAGE } from "./control-characters";
import { z } from "zod";
import type { SqlExecutor } from "../db/sql";
import { getAssignmentContext } from "../assignments/assignments";
import { loadPhraseCache } from "../grading/phrase-cache";
import { appRater } from "../grading/raters/app-rater";
import type { RaterIdentity } from "../grading/raters/rater";
import type { LineRating } from "../grading/schemas";
import { DomainError } from "../domain-error";

export const lineOverrideBodySchema = z.object({
  score: z.number({ error: "score must be a number" }).finite(),
  label: z.string().trim().min(1).max(40).refine(isStorableText, `label ${STORABLE_TEXT_MESSAGE}`).optional(),
  comment: z.string().trim().max(600).refine(isStorableText, `comment ${STORABLE_TEXT_MESSAGE}`).default(""),
});
export type LineOverrideBody = z.infer<typeof lineOverrideBodySchema>;

export const criterionOverrideBodySchema = z.object({
  score: z.number({ error: "score must be a number" }).finite(),
  comment: z.string().trim().max(1500).refine(isStorableText, `comment ${STORABLE_TEXT_MESSAGE}`).default(""),
});
export type CriterionOverrideBody = z.infer<typeof criterionOverrideBodySchema>;

export class OverrideError extends DomainError {
  override name = "OverrideError";
  constructor(
    message: string,
    readonly kind: "not_found" | "invalid",
  ) {
    super(kind === "not_found" ? "not_found" : "unprocessable", message);
  }
}

async function loadContext(sql: SqlExecutor, submissionId: string) {
  const [submission] = await sql<{ assignment_id: string }[]>`select assignment_id from submissions where id = ${submissionId}`;
  if (!submission) throw new OverrideError(`No submission with id ${submissionId}.`, "not_found");
  const assignment = await getAssignmentContext(sql, submission.assignment_id);
  if (!assignment) throw new OverrideError(`The submission's assignment no longer exists.`, "not_found");
  return assignment;
}

function checkScale(score: number, scale: { min: number; max: number }) {
  if (score < scale.min || score > scale.max) {
    throw new OverrideError(`score must be between ${scale.min} and ${scale.max} on this rubric, got ${score}.`, "invalid");
  }
}

/** The level label nearest a score: what a teacher's bare score means on this rubric. */
function labelForScore(score: number, scale: { min: number; max: number }): string {
  const position = (score - scale.min) / (scale.max - scale.min);
  return position >= 0.8 ? "strong" : position >= 0.55 ? "good" : position >= 0.3 ? "fair" : "weak";
}

/**
 * A teacher's rating of a line, kept beside the rater's. It also becomes the phrase
 * cache's answer for that line's text in this assignment (never another's, #9), so the
 * same sentence in the next essay of this class gets the teacher's verdict — unless the
 * comment quotes the essay's other lines, which are this student's alone.
 * Returns whether the cache took it.
 */
export async function setLineOverride(
  sql: SqlExecutor,
  input: { submissionId: string; lineIndex: number; teacherId?: string | null } & LineOverrideBody,
  options: { rater?: RaterIdentity } = {},
): Promise<{ cached: boolean }> {
  const assignment = await loadContext(sql, input.submissionId);
  checkScale(input.score, assignment.rubric.scale);
  const [line] = await sql<{ body: string; criterion_id: string | null }[]>`
    select l.body, r.criterion_id from submission_lines l
    left join line_ratings r on r.submission_id = l.submission_id and r.line_index = l.line_index
    where l.submission_id = ${input.submissionId} and l.line_index = ${input.lineIndex}
  `;
  if (!line) throw new OverrideError(`The submission has no line ${input.lineIndex}.`, "not_found");
  const label = input.label ?? labelForScore(input.score, assignment.rubric.scale);
  await sql`
    insert into rating_overrides (submission_id, line_index, score, label, comment, teacher_id)
    values (${input.submissionId}, ${input.lineIndex}, ${input.score}, ${label}, ${input.comment}, ${input.teacherId ?? null})
    on conflict (submission_id, line_index) do update set
      score = excluded.score, label = excluded.label, comment = excluded.comment,
      teacher_id = excluded.teacher_id, updated_at = now()
  `;
  const rating: LineRating = {
    lineIndex: input.lineIndex,
    score: input.score,
    label,
    comment: input.comment || "Rated by your teacher.",
    suggestion: null,
    criterionId: line.criterion_id,
  };
  const others = await sql<{ body: string }[]>`
    select body from submission_lines where submission_id = ${input.submissionId} and line_index <> ${input.lineIndex}
  `;
  const cache = await loadPhraseCache(sql, assignment, options.rater ?? appRater());
  const cached = await cache.storeTeacherRating(
    sql,
    line.body,
    rating,
    others.map((other) => other.body),
  );
  return { cached };
}

/** A teacher's score for one rubric criterion of a submission, kept beside the rater's. */
export async function setCriterionOverride(
  sql: SqlExecutor,
  input: { submissionId: string; criterionId: string; teacherId?: string | null } & CriterionOverrideBody,
): Promise<void> {
  const assignment = await loadContext(sql, input.submissionId);
  if (!assignment.rubric.criteria.some((criterion) => criterion.id === input.criterionId)) {
    throw new OverrideError(`The rubric has no criterion "${input.criterionId}".`, "not_found");
  }
  checkScale(input.score, assignment.rubric.scale);
  await sql`
    insert into criterion_overrides (submission_id, criterion_id, score, comment, teacher_id)
    values (${input.submissionId}, ${input.criterionId}, ${input.score}, ${input.comment}, ${input.teacherId ?? null})
    on conflict (submission_id, criterion_id) do update set
      score = excluded.score, comment = excluded.comment, teacher_id = excluded.teacher_id, updated_at = now()
  `;
}
