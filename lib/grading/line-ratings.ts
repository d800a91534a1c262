import type { SqlExecutor } from "../db/sql";
import { enqueueJobs } from "../queue/enqueue-jobs";
import { gradingJobKinds } from "./job-payloads";
import type { LineRating } from "./schemas";

export interface RatingToRecord extends LineRating {
  rater: string;
  fromCache: boolean;
}

export interface RecordRatingsResult {
  inserted: number;
  ratedLines: number;
  lineCount: number;
  /** True when this call rated the submission's last line (and enqueued grade_submission). */
  completedSubmission: boolean;
}

export function gradeSubmissionDedupeKey(submissionId: string): string {
  return `grade_submission:${submissionId}`;
}

/**
 * Writes ratings idempotently (a line already rated keeps its rating) and, when this
 * write rated the last line, enqueues grade_submission once. Run it inside a
 * transaction: the submission row lock taken to number the events also serialises
 * concurrent jobs of one submission, so exactly one of them sees the last line land.
 */
export async function recordLineRatings(
  tx: SqlExecutor,
  submissionId: string,
  ratings: readonly RatingToRecord[],
): Promise<RecordRatingsResult> {
  const [submission] = await tx<{ event_seq: number; line_count: number }[]>`
    update submissions set event_seq = event_seq + ${ratings.length}
    where id = ${submissionId}
    returning event_seq, line_count
  `;
  if (!submission) throw new Error(`submission ${submissionId} no longer exists`);
  const firstSeq = submission.event_seq - ratings.length + 1;
  const inserted =
    ratings.length === 0
      ? []
      : await tx`
          insert into line_ratings
            (submission_id, line_index, score, label, comment, suggestion, criterion_id, rater, from_cache, seq)
          select ${submissionId}::uuid, * from unnest(
            ${ratings.map((r) => r.lineIndex)}::int[],
            ${ratings.map((r) => r.score)}::numeric[],
            ${ratings.map((r) => r.label)}::text[],
            ${ratings.map((r) => r.comment)}::text[],
            ${ratings.map((r) => r.suggestion)}::text[],
            ${ratings.map((r) => r.criterionId)}::text[],
            ${ratings.map((r) => r.rater)}::text[],
            ${ratings.map((r) => String(r.fromCache))}::text[]::boolean[],
            ${ratings.map((_, i) => firstSeq + i)}::int[]
          )
          on conflict (submission_id, line_index) do nothing
          returning line_index
        `;
  const [{ rated } = { rated: 0 }] = await tx<{ rated: number }[]>`
    select count(*)::int as rated from line_ratings where submission_id = ${submissionId}
  `;
  const completedSubmission = inserted.length > 0 && rated === submission.line_count;
  if (completedSubmission) {
    await enqueueJobs(
      tx,
      [{ kind: "grade_submission", payload: { submissionId }, dedupeKey: gradeSubmissionDedupeKey(submissionId) }],
      gradingJobKinds,
    );
  }
  return { inserted: inserted.length, ratedLines: rated, lineCount: submission.line_count, completedSubmission };
}

export interface LineRatingView {
  seq: number;
  lineIndex: number;
  score: number;
  label: string;
  comment: string;
  suggestion: string | null;
  criterionId: string | null;
  rater: string;
  fromCache: boolean;
}

interface RatingRow {
  seq: number;
  line_index: number;
  score: string;
  label: string;
  comment: string;
  suggestion: string | null;
  criterion_id: string | null;
  rater: string;
  from_cache: boolean;
}

export function toRatingView(row: RatingRow): LineRatingView {
  return {
    seq: row.seq,
    lineIndex: row.line_index,
    score: Number(row.score),
    label: row.label,
    comment: row.comment,
    suggestion: row.suggestion,
    criterionId: row.criterion_id,
    rater: row.rater,
    fromCache: row.from_cache,
  };
}

/** A submission's ratings after event number afterSeq, in the order they landed. */
export async function listRatingsSince(sql: SqlExecutor, submissionId: string, afterSeq: number): Promise<LineRatingView[]> {
  const rows = await sql<RatingRow[]>`
    select seq, line_index, score, label, comment, suggestion, criterion_id, rater, from_cache
    from line_ratings where submission_id = ${submissionId} and seq > ${afterSeq}
    order by seq
  `;
  return rows.map(toRatingView);
}
