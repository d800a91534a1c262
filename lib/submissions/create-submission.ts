import { randomUUID } from "node:crypto";
import type { Sql, SqlExecutor } from "../db/sql";
import { enqueueJobs, type EnqueueInputFor } from "../queue/enqueue-jobs";
import { getAssignmentContext, type AssignmentContext } from "../assignments/assignments";
import { assertSameRequest, type IdempotencyClaim } from "./idempotency";
import { gradingJobKinds } from "../grading/job-payloads";
import { loadPhraseCache, normalizePhrase, recordPhraseHits } from "../grading/phrase-cache";
import { appRater } from "../grading/raters/app-rater";
import type { RaterIdentity } from "../grading/raters/rater";
import { recordLineRatings } from "../grading/line-ratings";
import { LINES_PER_JOB, type SubmissionLine } from "../grading/schemas";
import type { CreateSubmissionBody } from "./submission-body";
import { splitLines } from "./split-lines";
import { DomainError } from "../domain-error";

export class AssignmentNotFoundError extends DomainError {
  override name = "AssignmentNotFoundError";
  constructor(message: string) {
    super("not_found", message);
  }
}

export interface CreatedSubmission {
  id: string;
  assignmentId: string;
  lines: SubmissionLine[];
  /** Lines answered from the phrase cache at once, without a job. */
  cachedLines: number;
  /** Their cache keys, for recordPhraseHits once the transaction has committed. */
  cacheHitKeys: string[];
  jobIds: number[];
  previousSubmissionId: string | null;
  changedLines: number;
  /** true when an earlier request with the same Idempotency-Key created it: nothing new was written. */
  replayed: boolean;
}

async function findPreviousDraft(
  tx: SqlExecutor,
  body: CreateSubmissionBody & { sessionId?: string },
): Promise<{ id: string; normalizedLines: Set<string> } | null> {
  const [previous] = body.previousSubmissionId
    ? await tx<
        { id: string }[]
      >`select id from submissions where id = ${body.previousSubmissionId} and assignment_id = ${body.assignmentId}`
    : body.studentId
      ? await tx<{ id: string }[]>`
          select id from submissions
          where assignment_id = ${body.assignmentId} and student_id = ${body.studentId}
          order by created_at desc, id desc limit 1
        `
      : // Without a student id, a name only identifies a student within one class session
        // (or among standalone submissions): two classes may both have an "Alex Kim".
        await tx<{ id: string }[]>`
          select id from submissions
          where assignment_id = ${body.assignmentId} and student_id is null and student_name = ${body.studentName}
            and session_id is not distinct from ${body.sessionId ?? null}::uuid
          order by created_at desc, id desc limit 1
        `;
  if (!previous) return null;
  const lines = await tx<{ body: string }[]>`select body from submission_lines where submission_id = ${previous.id}`;
  return { id: previous.id, normalizedLines: new Set(lines.map((line) => normalizePhrase(line.body))) };
}

/** Rate-lines jobs for the lines the cache could not answer, five lines each; first chunks first. */
export function rateLinesJobs(submissionId: string, missingLines: readonly number[]): EnqueueInputFor<typeof gradingJobKinds>[] {
  const jobs: EnqueueInputFor<typeof gradingJobKinds>[] = [];
  for (let start = 0; start < missingLines.length; start += LINES_PER_JOB) {
    const chunk = start / LINES_PER_JOB;
    jobs.push({
      kind: "rate_lines",
      payload: { submissionId, lineIndexes: missingLines.slice(start, start + LINES_PER_JOB) },
      // A new essay's first lines jump ahead of other essays' backlog: everyone sees feedback start quickly.
      priority: chunk === 0 ? 0 : 1,
      dedupeKey: `rate_lines:${submissionId}:${missingLines[start]}`,
    });
  }
  return jobs;
}

/**
 * Stores a submission, its lines, the ratings the phrase cache already knows and the
 * jobs for the rest, in one transaction. Throws SubmissionTextError for text that
 * cannot be graded and AssignmentNotFoundError; nothing is written then.
 */
export async function createSubmission(
  sql: Sql,
  body: CreateSubmissionBody,
  options: { idempotency?: IdempotencyClaim; rater?: RaterIdentity } = {},
): Promise<CreatedSubmission> {
  const assignment = await getAssignmentContext(sql, body.assignmentId);
  if (!assignment) throw new AssignmentNotFoundError(`No assignment with id ${body.assignmentId}.`);
  const lines = splitLines(body.text);
  const rater = options.rater ?? appRater();
  const created = await sql.begin((tx) => insertSubmission(tx, { ...body, lines, idempotency: options.idempotency }, assignment, rater));
  await recordPhraseHits(sql, created.cacheHitKeys);
  return created;
}

export interface SubmissionToInsert extends CreateSubmissionBody {
  lines: SubmissionLine[];
  sessionId?: string;
  /** With a key, a second request carrying it gets the first one's submission (see replaySubmission). */
  idempotency?: IdempotencyClaim;
}

/**
 * The submission an earlier request with this key created, as createSubmission describes
 * it: its lines, how many were answered from the cache so far and how many changed since
 * the previous draft. Throws IdempotencyKeyReusedError when that request was a different one.
 */
async function replaySubmission(tx: SqlExecutor, claim: IdempotencyClaim): Promise<CreatedSubmission> {
  const [existing] = await tx<
    { id: string; assignment_id: string; previous_submission_id: string | null; request_fingerprint: string | null }[]
  >`
    select id, assignment_id, previous_submission_id, request_fingerprint from submissions where idempotency_key = ${claim.key}
  `;
  // The insert that found the key taken waited for its transaction to commit, so the row is there.
  if (!existing) throw new Error(`the submission holding Idempotency-Key ${JSON.stringify(claim.key)} vanished`);
  assertSameRequest(existing.request_fingerprint, claim, "submission");
  const lines = await tx<{ line_index: number; body: string; start_offset: number; end_offset: number; changed_since_previous: boolean }[]>`
    select line_index, body, start_offset, end_offset, changed_since_previous from submission_lines
    where submission_id = ${existing.id} order by line_index
  `;
  const [cached] = await tx<{ count: number }[]>`
    select count(*)::int as count from line_ratings where submission_id = ${existing.id} and from_cache
  `;
  return {
    id: existing.id,
    assignmentId: existing.assignment_id,
    lines: lines.map((line) => ({ index: line.line_index, text: line.body, start: line.start_offset, end: line.end_offset })),
    cachedLines: cached!.count,
    cacheHitKeys: [],
    jobIds: [],
    previousSubmissionId: existing.previous_submission_id,
    changedLines: lines.filter((line) => line.changed_since_previous).length,
    replayed: true,
  };
}

/** The body of createSubmission, inside the caller's transaction (a class session inserts many). */
export async function insertSubmission(
  tx: SqlExecutor,
  body: SubmissionToInsert,
  assignment: AssignmentContext,
  rater: RaterIdentity,
): Promise<CreatedSubmission> {
  const { lines } = body;
  const normalized = lines.map((line) => normalizePhrase(line.text));
  const id = randomUUID();

  const previous = await findPreviousDraft(tx, body);
  const changed = normalized.map((text) => !previous || !previous.normalizedLines.has(text));
  // With a key, the unique constraint decides: a concurrent request with the same key
  // waits here for the other transaction, then finds the key taken and replays its submission.
  const inserted = await tx`
    insert into submissions (id, assignment_id, student_id, student_name, body, previous_submission_id, line_count, session_id,
                             idempotency_key, request_fingerprint)
    values (${id}, ${body.assignmentId}, ${body.studentId ?? null}, ${body.studentName}, ${body.text}, ${previous?.id ?? null},
            ${lines.length}, ${body.sessionId ?? null}, ${body.idempotency?.key ?? null}, ${body.idempotency?.fingerprint ?? null})
    on conflict (idempotency_key) do nothing
    returning id
  `;
  if (inserted.length === 0) {
    if (!body.idempotency) throw new Error("insert into submissions conflicted without an Idempotency-Key");
    return replaySubmission(tx, body.idempotency);
  }
  await tx`
    insert into submission_lines (submission_id, line_index, body, start_offset, end_offset, changed_since_previous)
    select ${id}::uuid, * from unnest(
      ${lines.map((line) => line.index)}::int[],
      ${lines.map((line) => line.text)}::text[],
      ${lines.map((line) => line.start)}::int[],
      ${lines.map((line) => line.end)}::int[],
      ${changed.map(String)}::text[]::boolean[]
    )
  `;
  // Scoped to this assignment and its teacher: another assignment's ratings never answer here (#9).
  const cache = await loadPhraseCache(tx, assignment, rater);
  const { ratings: hits, hitKeys } = await cache.lookup(tx, lines);
  const hitIndexes = new Set(hits.map((hit) => hit.lineIndex));
  const missing = lines.filter((line) => !hitIndexes.has(line.index)).map((line) => line.index);
  if (hits.length > 0) await recordLineRatings(tx, id, hits);
  // When every line was cached, recordLineRatings has already enqueued grade_submission.
  const enqueued = await enqueueJobs(tx, rateLinesJobs(id, missing), gradingJobKinds);
  return {
    id,
    assignmentId: body.assignmentId,
    lines,
    cachedLines: hits.length,
    cacheHitKeys: hitKeys,
    jobIds: enqueued.map((job) => job.jobId),
    previousSubmissionId: previous?.id ?? null,
    changedLines: changed.filter(Boolean).length,
    replayed: false,
  };
}
