import type { Sql, SqlExecutor } from "../db/sql";
import { NonRetriableJobError } from "../queue/errors";
import { defineTask, type TaskRegistry } from "../queue/job-kinds";
import { getAssignmentContext } from "../assignments/assignments";
import { gradingJobKinds, type GradeSubmissionPayload, type RateLinesPayload } from "./job-payloads";
import { loadPhraseCache, recordPhraseHits } from "./phrase-cache";
import { describeInstruction, findInstructionInLines } from "./prompt-injection";
import type { Rater } from "./raters/rater";
import { recordLineRatings, type RatingToRecord } from "./line-ratings";
import { billLlmCall } from "./record-llm-call";
import { submissionGradeSchema, type LineRating, type SubmissionGrade, type SubmissionLine } from "./schemas";
import { listRatingsSince } from "./line-ratings";

async function loadSubmission(sql: SqlExecutor, submissionId: string) {
  const [submission] = await sql<{ assignment_id: string; line_count: number; graded_at: Date | null; flagged_at: Date | null }[]>`
    select assignment_id, line_count, graded_at, flagged_at from submissions where id = ${submissionId}
  `;
  if (!submission) throw new NonRetriableJobError(`submission ${submissionId} no longer exists`);
  const assignment = await getAssignmentContext(sql, submission.assignment_id);
  if (!assignment) throw new NonRetriableJobError(`the assignment of submission ${submissionId} no longer exists`);
  return { submission, assignment };
}

async function loadLines(sql: SqlExecutor, submissionId: string, lineIndexes?: readonly number[]): Promise<SubmissionLine[]> {
  const rows = await sql<{ line_index: number; body: string; start_offset: number; end_offset: number }[]>`
    select line_index, body, start_offset, end_offset from submission_lines
    where submission_id = ${submissionId}
      and (${lineIndexes ? [...lineIndexes] : null}::int[] is null or line_index = any(${lineIndexes ? [...lineIndexes] : null}::int[]))
    order by line_index
  `;
  return rows.map((row) => ({ index: row.line_index, text: row.body, start: row.start_offset, end: row.end_offset }));
}

async function loadRatings(sql: SqlExecutor, submissionId: string): Promise<LineRating[]> {
  const ratings = await listRatingsSince(sql, submissionId, 0);
  return ratings.map(({ lineIndex, score, label, comment, suggestion, criterionId }) => ({
    lineIndex,
    score,
    label,
    comment,
    suggestion,
    criterionId,
  }));
}

/**
 * rate_lines: cache first, one rater call for the misses, ratings written idempotently.
 * A call whose lines talk to the grader flags the submission for its teacher and leaves
 * nothing in the cache; its ratings are still this submission's (#9).
 */
async function rateLines(rater: Rater, payload: RateLinesPayload, context: { sql: Sql; jobId: number; signal: AbortSignal }) {
  const { sql } = context;
  const { assignment } = await loadSubmission(sql, payload.submissionId);
  const rated = await sql<{ line_index: number }[]>`
    select line_index from line_ratings
    where submission_id = ${payload.submissionId} and line_index = any(${payload.lineIndexes}::int[])
  `;
  const alreadyRated = new Set(rated.map((row) => row.line_index));
  // The whole essay: the cache checks a comment against every other line, not only this call's.
  const essayLines = await loadLines(sql, payload.submissionId);
  const wanted = new Set(payload.lineIndexes);
  const lines = essayLines.filter((line) => wanted.has(line.index) && !alreadyRated.has(line.index));
  if (lines.length === 0) return { rated: 0, cached: 0, llmCalls: 0 };

  const cache = await loadPhraseCache(sql, assignment, rater);
  const { ratings: cached, hitKeys } = await cache.lookup(sql, lines);
  await recordPhraseHits(sql, hitKeys);
  const cachedIndexes = new Set(cached.map((rating) => rating.lineIndex));
  const misses = lines.filter((line) => !cachedIndexes.has(line.index));

  const ratings: RatingToRecord[] = [...cached];
  let withheld = 0;
  const instruction = findInstructionInLines(misses);
  // Flagged before the call, so the teacher hears of it even if the call fails for good.
  if (instruction) await flagSubmission(sql, payload.submissionId, describeInstruction(instruction));
  if (misses.length > 0) {
    const result = await billLlmCall(
      sql,
      { raterId: rater.id, purpose: "rate_lines", jobId: context.jobId, submissionId: payload.submissionId },
      (llmCalls) => rater.rateLines(misses, { assignment, signal: context.signal, llmCalls }),
    );
    if (instruction) withheld = result.ratings.length;
    else withheld = (await cache.storeRatings(sql, misses, result.ratings, essayLines)).withheld;
    ratings.push(...result.ratings.map((rating) => ({ ...rating, rater: rater.id, fromCache: false })));
  }
  const recorded = await sql.begin((tx) => recordLineRatings(tx, payload.submissionId, ratings));
  return {
    rated: recorded.inserted,
    cached: lines.length - misses.length,
    llmCalls: misses.length > 0 ? 1 : 0,
    notCached: withheld,
    flagged: instruction !== null,
  };
}

/** Marks a submission for its teacher's attention; the first reason stays. */
async function flagSubmission(sql: SqlExecutor, submissionId: string, reason: string): Promise<void> {
  await sql`
    update submissions set flagged_at = now(), flag_reason = ${reason}
    where id = ${submissionId} and flagged_at is null
  `;
}

/** grade_submission: per-criterion scores and overall feedback, once every line is rated. */
async function gradeSubmission(rater: Rater, payload: GradeSubmissionPayload, context: { sql: Sql; jobId: number; signal: AbortSignal }) {
  const { sql } = context;
  const { submission, assignment } = await loadSubmission(sql, payload.submissionId);
  if (submission.graded_at) return { alreadyGraded: true };
  const [lines, ratings] = await Promise.all([loadLines(sql, payload.submissionId), loadRatings(sql, payload.submissionId)]);
  if (ratings.length < submission.line_count) {
    throw new Error(
      `submission ${payload.submissionId} has ${ratings.length} of ${submission.line_count} lines rated; grading waits for all`,
    );
  }
  const gradeCacheKey = (await loadPhraseCache(sql, assignment, rater)).essayKey(lines);
  // A flagged essay is graded afresh: an older copy may have been graded before the heuristics knew its trick.
  const reused = submission.flagged_at ? null : await findReusableGrade(sql, assignment.id, gradeCacheKey);
  const { grade } = reused
    ? { grade: reused }
    : await billLlmCall(
        sql,
        { raterId: rater.id, purpose: "grade_submission", jobId: context.jobId, submissionId: payload.submissionId },
        (llmCalls) => rater.gradeSubmission({ assignment, lines, ratings }, { signal: context.signal, llmCalls }),
      );
  await sql`
    update submissions set
      scores = ${sql.json(grade.criteria as never)},
      overall_score = ${grade.overallScore},
      feedback = ${grade.feedback},
      rater = ${rater.id},
      grade_cache_key = ${gradeCacheKey},
      graded_seq = event_seq + 1,
      event_seq = event_seq + 1,
      graded_at = now()
    where id = ${payload.submissionId} and graded_at is null
  `;
  return { overallScore: grade.overallScore, reusedGrade: reused !== null };
}

/**
 * An identical essay already graded under the same assignment (its key has the assignment,
 * teacher, prompt, rubric and rater in it, as a phrase's does): its grade, without an LLM
 * call. Never a flagged essay's: the grader may have obeyed it.
 */
async function findReusableGrade(sql: SqlExecutor, assignmentId: string, gradeCacheKey: string): Promise<SubmissionGrade | null> {
  const [row] = await sql<{ scores: unknown; overall_score: string; feedback: string }[]>`
    select scores, overall_score, feedback from submissions
    where assignment_id = ${assignmentId} and grade_cache_key = ${gradeCacheKey} and graded_at is not null
      and flagged_at is null
    order by graded_at desc limit 1
  `;
  if (!row) return null;
  const parsed = submissionGradeSchema.safeParse({ criteria: row.scores, overallScore: Number(row.overall_score), feedback: row.feedback });
  return parsed.success ? parsed.data : null;
}

/** The grading pipeline's job handlers, bound to one rater. */
export function createGradingTasks(rater: Rater) {
  return {
    rate_lines: defineTask({
      ...gradingJobKinds.rate_lines,
      handle: (payload, { sql, job, signal }) => rateLines(rater, payload, { sql, jobId: job.id, signal }),
    }),
    grade_submission: defineTask({
      ...gradingJobKinds.grade_submission,
      handle: (payload, { sql, job, signal }) => gradeSubmission(rater, payload, { sql, jobId: job.id, signal }),
    }),
  } satisfies TaskRegistry;
}
