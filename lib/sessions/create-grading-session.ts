import type { Sql } from "../db/sql";
import { getAssignmentContext } from "../assignments/assignments";
import { AssignmentNotFoundError, insertSubmission } from "../submissions/create-submission";
import { assertSameRequest, type IdempotencyClaim } from "../submissions/idempotency";
import { recordPhraseHits } from "../grading/phrase-cache";
import { appRater } from "../grading/raters/app-rater";
import type { RaterIdentity } from "../grading/raters/rater";
import { splitLines, SubmissionTextError } from "../submissions/split-lines";
import type { SubmissionLine } from "../grading/schemas";
import { DomainError } from "../domain-error";
import { limitsEnv } from "../env";
import { controlCharacterMessage, findControlCharacter } from "../submissions/control-characters";

export const MAX_SESSION_STUDENTS = 200;

export interface SessionStudentInput {
  studentName: string;
  text: string;
  /** Where the essay came from (file name or CSV row), for error messages. */
  source: string;
}

export class SessionInputError extends DomainError {
  override name = "SessionInputError";
  constructor(
    message: string,
    readonly problems: string[],
  ) {
    super("unprocessable", message, { problems });
  }
}

/**
 * Starts grading a whole class: one session, one submission per student, all in one
 * transaction. Every essay is checked first; if any cannot be graded nothing is
 * written and the error lists each problem by file or row.
 */
export async function createGradingSession(
  sql: Sql,
  input: { assignmentId: string; title: string; students: SessionStudentInput[]; teacherId?: string | null },
  options: { idempotency?: IdempotencyClaim; rater?: RaterIdentity } = {},
): Promise<{ id: string; submissionIds: string[]; replayed: boolean }> {
  if (input.students.length === 0) throw new SessionInputError("Add at least one essay to start a session.", []);
  if (input.students.length > MAX_SESSION_STUDENTS) {
    throw new SessionInputError(`A session holds at most ${MAX_SESSION_STUDENTS} essays; this one has ${input.students.length}.`, []);
  }
  const titleControl = findControlCharacter(input.title);
  if (titleControl) throw new SessionInputError(`The session's title ${controlCharacterMessage(titleControl)}.`, []);
  const assignment = await getAssignmentContext(sql, input.assignmentId);
  if (!assignment) throw new AssignmentNotFoundError(`No assignment with id ${input.assignmentId}.`);

  const problems: string[] = [];
  const withProblems = new Set<SessionStudentInput>();
  const prepared: Array<SessionStudentInput & { lines: SubmissionLine[] }> = [];
  const report = (student: SessionStudentInput, problem: string) => {
    problems.push(`${student.source}: ${problem}`);
    withProblems.add(student);
  };
  for (const student of input.students) {
    if (!student.studentName.trim()) report(student, "the student's name is missing.");
    const nameControl = findControlCharacter(student.studentName);
    if (nameControl) report(student, `the student's name ${controlCharacterMessage(nameControl)}.`);
    try {
      prepared.push({ ...student, lines: splitLines(student.text) });
    } catch (error) {
      if (!(error instanceof SubmissionTextError)) throw error;
      report(student, error.message);
    }
  }
  const hitKeys: string[] = [];
  if (problems.length > 0) {
    throw new SessionInputError(`${withProblems.size} of ${input.students.length} essays cannot be graded; nothing was started.`, problems);
  }
  // Every five lines are an LLM call: a whole class of the longest essays would be ~16,000 of them.
  const { MAX_LINES_PER_SESSION } = limitsEnv();
  const totalLines = prepared.reduce((sum, student) => sum + student.lines.length, 0);
  if (totalLines > MAX_LINES_PER_SESSION) {
    throw new SessionInputError(
      `These ${prepared.length} essays have ${totalLines.toLocaleString("en")} lines in all; a session grades at most ${MAX_LINES_PER_SESSION.toLocaleString("en")}. Split the class into smaller sessions; nothing was started.`,
      [],
    );
  }

  const { idempotency } = options;
  const rater = options.rater ?? appRater();
  const session = await sql.begin(async (tx) => {
    // As for one submission: with a key the unique constraint decides, and the loser of a
    // race waits for the winner's transaction, then answers with the winner's session.
    const [row] = await tx<{ id: string }[]>`
      insert into grading_sessions (assignment_id, title, teacher_id, idempotency_key, request_fingerprint)
      values (${input.assignmentId}, ${input.title}, ${input.teacherId ?? null}, ${idempotency?.key ?? null}, ${idempotency?.fingerprint ?? null})
      on conflict (idempotency_key) do nothing
      returning id
    `;
    if (!row) {
      if (!idempotency) throw new Error("insert into grading_sessions conflicted without an Idempotency-Key");
      const [existing] = await tx<{ id: string; request_fingerprint: string | null }[]>`
        select id, request_fingerprint from grading_sessions where idempotency_key = ${idempotency.key}
      `;
      if (!existing) throw new Error(`the session holding Idempotency-Key ${JSON.stringify(idempotency.key)} vanished`);
      assertSameRequest(existing.request_fingerprint, idempotency, "class session");
      const submissions = await tx<{ id: string }[]>`select id from submissions where session_id = ${existing.id} order by created_at, id`;
      return { id: existing.id, submissionIds: submissions.map((submission) => submission.id), replayed: true };
    }
    const submissionIds: string[] = [];
    for (const student of prepared) {
      const created = await insertSubmission(
        tx,
        {
          assignmentId: input.assignmentId,
          studentName: student.studentName.trim(),
          text: student.text,
          lines: student.lines,
          sessionId: row.id,
        },
        assignment,
        rater,
      );
      submissionIds.push(created.id);
      hitKeys.push(...created.cacheHitKeys);
    }
    return { id: row.id, submissionIds, replayed: false };
  });
  await recordPhraseHits(sql, hitKeys);
  return session;
}
